import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import type { ManagedRecordConfig, RecordValue } from '../../lambdas/core/config/sections.ts';

export interface ManagedRecordsProps {
  readonly records: readonly ManagedRecordConfig[];
}

export interface ManagedRecordRef {
  /** Lower case, no trailing dot: the form IAM's NormalizedRecordNames condition compares. */
  readonly name: string;
  readonly type: ManagedRecordConfig['type'];
  readonly zone: route53.IHostedZone;
}

/** Normalizes a DNS name the way Route 53's IAM condition keys expect. */
export const normalizeRecordName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/**
 * The records hcguard switches, created with the primary's value in existing hosted zones.
 * Kept when the stack is deleted: citizens must keep resolving the name. A deploy that changes
 * a record's TTL or values rewrites it with the primary's value, so deploy such changes while
 * `hcguard status` shows traffic on the primary.
 */
export class ManagedRecords extends Construct {
  readonly records: readonly ManagedRecordRef[];

  constructor(scope: Construct, id: string, props: ManagedRecordsProps) {
    super(scope, id);
    const zones = new Map<string, route53.IHostedZone>();
    const zoneFor = (record: ManagedRecordConfig): route53.IHostedZone => {
      const key = record.zone.id ?? record.zone.name;
      let zone = zones.get(key);
      if (!zone) {
        const zoneName = normalizeRecordName(record.zone.name);
        zone = record.zone.id
          ? route53.HostedZone.fromHostedZoneAttributes(this, `Zone${zones.size}`, {
              hostedZoneId: record.zone.id,
              zoneName,
            })
          : route53.HostedZone.fromLookup(this, `Zone${zones.size}`, { domainName: zoneName });
        zones.set(key, zone);
      }
      return zone;
    };
    this.records = props.records.map((record, index) => {
      const zone = zoneFor(record);
      const name = normalizeRecordName(record.name);
      const recordSet = new route53.RecordSet(this, `Record${index}`, {
        zone,
        recordName: `${name}.`,
        recordType: route53.RecordType[record.type],
        target: recordTarget(record.values.primary),
        ttl: 'alias' in record.values.primary ? undefined : Duration.seconds(record.ttl),
        comment: `managed by hcguard: follows ${record.stage} health; primary value at deploy`,
      });
      recordSet.applyRemovalPolicy(RemovalPolicy.RETAIN);
      return { name, type: record.type, zone };
    });
  }
}

const recordTarget = (value: RecordValue): route53.RecordTarget =>
  'alias' in value
    ? route53.RecordTarget.fromAlias({
        bind: () => ({
          dnsName: value.alias.dnsName,
          hostedZoneId: value.alias.hostedZoneId,
          evaluateTargetHealth: value.alias.evaluateTargetHealth,
        }),
      })
    : route53.RecordTarget.fromValues(...value.values);
