// How a citizen's phone resolves the managed record: a TTL-respecting cache over the zone's
// current answer (read from Route 53), and which site an answer points at.
import type { Clock } from '../../lambdas/ports.ts';
import { ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import { type ManagedRecord, normalizeRecordName } from '../../lambdas/core/model/routing.ts';
import type { RecordValue } from '../../lambdas/core/config/sections.ts';
import { SITES, type Site } from '../../lambdas/core/model/vocabulary.ts';
import { systemClock } from '../../lambdas/adapters/clock.ts';

export interface DnsAnswer {
  readonly values: readonly string[];
  readonly ttlSeconds: number;
  readonly site?: Site;
  readonly fetchedAt: string;
  readonly expiresAt: string;
}

/** Alias records carry no TTL of their own; resolvers use the target's, commonly 60 s. */
const ALIAS_TTL_SECONDS = 60;

/**
 * A stub resolver's cache: one authoritative read per TTL. Concurrent lookups while a read is in
 * flight share it, as a real resolver coalesces queries.
 */
export class TtlDnsCache {
  private cached?: { answer: DnsAnswer; expiresAtMs: number };
  private inFlight?: Promise<DnsAnswer>;
  /** Authoritative reads so far: one per TTL while citizens keep asking. */
  lookups = 0;

  constructor(
    private readonly route53: Route53Client,
    private readonly record: ManagedRecord,
    private readonly clock: Clock = systemClock,
  ) {}

  current(): DnsAnswer | undefined {
    return this.cached?.answer;
  }

  async resolve(signal?: AbortSignal): Promise<DnsAnswer> {
    const now = this.clock.now().getTime();
    if (this.cached && now < this.cached.expiresAtMs) return this.cached.answer;
    this.inFlight ??= this.read(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(signal?: AbortSignal): Promise<DnsAnswer> {
    this.lookups++;
    const response = await this.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: this.record.hostedZoneId,
        StartRecordName: this.record.name,
        StartRecordType: this.record.type,
        MaxItems: 10,
      }),
      { abortSignal: signal },
    );
    const set = (response.ResourceRecordSets ?? []).find(
      (candidate) =>
        normalizeName(candidate.Name) === this.record.name &&
        candidate.Type === this.record.type &&
        candidate.SetIdentifier === undefined,
    );
    if (!set) throw new Error(`NXDOMAIN: ${this.record.name} ${this.record.type} is not in the zone`);
    const values = answerValues(set);
    const ttlSeconds = set.AliasTarget ? ALIAS_TTL_SECONDS : (set.TTL ?? ALIAS_TTL_SECONDS);
    const fetchedAtMs = this.clock.now().getTime();
    const site = siteOfAnswer(this.record, values, set.AliasTarget !== undefined);
    const answer: DnsAnswer = {
      values,
      ttlSeconds,
      ...(site ? { site } : {}),
      fetchedAt: new Date(fetchedAtMs).toISOString(),
      expiresAt: new Date(fetchedAtMs + ttlSeconds * 1000).toISOString(),
    };
    this.cached = { answer, expiresAtMs: fetchedAtMs + ttlSeconds * 1000 };
    return answer;
  }
}

const normalizeName = (name: string | undefined): string => normalizeRecordName(name ?? '');

const answerValues = (set: ResourceRecordSet): string[] =>
  set.AliasTarget
    ? [normalizeName(set.AliasTarget.DNSName)]
    : (set.ResourceRecords ?? []).map((entry) => entry.Value ?? '');

const configuredValues = (value: RecordValue): string[] =>
  'alias' in value ? [normalizeName(value.alias.dnsName)] : value.values;

/** The site whose configured value is exactly the answer; undefined when it is neither's. */
export const siteOfAnswer = (
  record: Pick<ManagedRecord, 'type' | 'values'>,
  values: readonly string[],
  alias = false,
): Site | undefined => {
  const normalize = (value: string) =>
    record.type === 'CNAME' || alias ? normalizeName(value) : value.trim().toLowerCase();
  const answer = [...values].map(normalize).sort().join(',');
  return SITES.find((site) => {
    const value = record.values[site];
    if ('alias' in value !== alias) return false;
    return configuredValues(value).map(normalize).sort().join(',') === answer;
  });
};
