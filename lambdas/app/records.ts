// The managed records of a config, with the hosted zone each lives in resolved: the deployed
// stack's (or the local runtime's) zone id first, else the one written in the config.
import { normalizeRecordName, type ManagedRecord } from '../core/model/routing.ts';
import { ConfigError } from '../core/config/problems.ts';
import type { HcguardConfig } from '../core/config/schema.ts';
import type { DeployedResources } from '../contract/resources.ts';

export const resolveManagedRecords = (
  config: Pick<HcguardConfig, 'records'>,
  resources: Pick<DeployedResources, 'hostedZoneIds'>,
): ManagedRecord[] => {
  const problems: { path: string; rule: string }[] = [];
  const records = config.records.flatMap((record, index): ManagedRecord[] => {
    const name = normalizeRecordName(record.name);
    const hostedZoneId = resources.hostedZoneIds[name] ?? record.zone.id;
    if (!hostedZoneId) {
      problems.push({
        path: `records[${index}].zone.id`,
        rule:
          `no hosted zone id for ${name}: the deployed resources do not name one and the ` +
          `config sets none (add zone.id, or deploy the stack so it looks the zone up)`,
      });
      return [];
    }
    return [{ name, type: record.type, ttl: record.ttl, hostedZoneId, stage: record.stage, values: record.values }];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return records;
};
