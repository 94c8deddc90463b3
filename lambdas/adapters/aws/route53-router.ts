// The control-plane Router: UPSERTs a managed record to a site's value in Route 53, waits for
// INSYNC (bounded), and reads the record back. Only UPSERT, GetChange and
// ListResourceRecordSets are used: the stack's least-privilege policy allows nothing else.
//
// Route 53 throttles ChangeResourceRecordSets per account and answers PriorRequestNotComplete
// to a second change of a zone before the first is applied; both are retried with full-jitter
// exponential backoff, and changes to one zone are sent one at a time
// (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests).
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { RecordValue } from '../../core/config.ts';
import { SITES, type Site } from '../../core/model/vocabulary.ts';
import type { ManagedRecord, RecordReading, RouteResult } from '../../core/model/routing.ts';
import type { RouteOptions, Router } from '../../ports.ts';
import { sleep } from '../../sleep.ts';

/** Errors Route 53 documents as "try again later". */
const RETRYABLE_ERRORS = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
/** Route 53 rejects longer change comments. */
const MAX_COMMENT_LENGTH = 256;

export interface Route53RouterOptions {
  /** Attempts per API call for retryable errors (default 8). */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt up to `maxDelayMs` (defaults 200 ms, 5 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** First GetChange poll delay; doubles up to `maxPollMs` (defaults 1 s, 10 s). */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
}

export class Route53RouterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Route53RouterError';
  }
}

export class Route53Router implements Router {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly random: () => number;
  /** The tail of the queue of changes per hosted zone. */
  private readonly zoneQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly route53: Route53Client,
    options: Route53RouterOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.maxPollMs = options.maxPollMs ?? 10_000;
    this.random = options.random ?? Math.random;
  }

  async read(record: ManagedRecord, signal?: AbortSignal): Promise<RecordReading> {
    const response = await this.retrying(
      () =>
        this.route53.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: record.hostedZoneId,
            StartRecordName: record.name,
            StartRecordType: record.type,
            // Routing-policy records share name and type; a few more items let us skip them.
            MaxItems: 10,
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    const found = (response.ResourceRecordSets ?? []).find(
      (set) => normalizeName(set.Name) === record.name && set.Type === record.type && set.SetIdentifier === undefined,
    );
    if (!found) return { exists: false, description: `no ${record.type} record ${record.name}` };
    const site = SITES.find((candidate) => holdsValue(found, record.values[candidate], record.type));
    return { exists: true, description: describeRecordSet(found), ...(site ? { site } : {}) };
  }

  async route(record: ManagedRecord, site: Site, options: RouteOptions): Promise<RouteResult> {
    return this.oneAtATime(record.hostedZoneId, async () => {
      const { signal } = options;
      const before = await this.read(record, signal);
      if (before.site === site) return { changed: false, status: 'INSYNC', reading: before };
      const response = await this.retrying(
        () =>
          this.route53.send(new ChangeResourceRecordSetsCommand(upsertInput(record, site, options.comment)), {
            abortSignal: signal,
          }),
        signal,
      );
      const changeId = response.ChangeInfo?.Id?.replace(/^\/change\//, '');
      if (!changeId)
        throw new Route53RouterError(`Route 53 accepted the change of ${record.name} but returned no change id`);
      // The API reflects an accepted change at once, before it is INSYNC: confirm it now, so a
      // wait cut short by the deadline still leaves a confirmed value.
      const reading = await this.read(record, signal);
      if (reading.site !== site) {
        throw new Route53RouterError(
          `change ${changeId} to ${site} was accepted but ${record.name} reads back as ${reading.description}`,
        );
      }
      const status = response.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : await this.waitForInsync(changeId, options);
      return { changed: true, changeId, status, reading };
    });
  }

  /** Polls GetChange until INSYNC, the INSYNC timeout, or the caller's deadline: PENDING then. */
  private async waitForInsync(changeId: string, options: RouteOptions): Promise<'PENDING' | 'INSYNC'> {
    const budget = AbortSignal.timeout(options.insyncTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, budget]) : budget;
    let delay = this.pollMs;
    try {
      for (;;) {
        await sleep(delay, signal);
        const change = await this.retrying(
          () => this.route53.send(new GetChangeCommand({ Id: changeId }), { abortSignal: signal }),
          signal,
        );
        if (change.ChangeInfo?.Status === 'INSYNC') return 'INSYNC';
        delay = Math.min(delay * 2, this.maxPollMs);
      }
    } catch (error) {
      // The change is accepted and will apply; only the confirmation of propagation is cut short.
      if (signal.aborted) return 'PENDING';
      throw error;
    }
  }

  private async retrying<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (!RETRYABLE_ERRORS.has(name) || attempt >= this.maxAttempts || signal?.aborted) throw error;
        const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.floor(this.random() * ceiling), signal);
      }
    }
  }

  /** Runs `work` after every earlier change to the same zone has finished (success or not). */
  private async oneAtATime<T>(zoneId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.zoneQueues.get(zoneId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    const tail = current.catch(() => undefined);
    this.zoneQueues.set(zoneId, tail);
    try {
      return await current;
    } finally {
      if (this.zoneQueues.get(zoneId) === tail) this.zoneQueues.delete(zoneId);
    }
  }
}

/** The ChangeResourceRecordSets request that points `record` at `site`. */
export const upsertInput = (record: ManagedRecord, site: Site, comment: string) => ({
  HostedZoneId: record.hostedZoneId,
  ChangeBatch: {
    Comment: comment.length > MAX_COMMENT_LENGTH ? `${comment.slice(0, MAX_COMMENT_LENGTH - 1)}…` : comment,
    Changes: [{ Action: 'UPSERT' as const, ResourceRecordSet: recordSetFor(record, record.values[site]) }],
  },
});

const recordSetFor = (record: ManagedRecord, value: RecordValue): ResourceRecordSet =>
  'alias' in value
    ? {
        Name: record.name,
        Type: record.type,
        AliasTarget: {
          DNSName: value.alias.dnsName,
          HostedZoneId: value.alias.hostedZoneId,
          EvaluateTargetHealth: value.alias.evaluateTargetHealth,
        },
      }
    : {
        Name: record.name,
        Type: record.type,
        TTL: record.ttl,
        ResourceRecords: value.values.map((entry) => ({ Value: entry })),
      };

/** Route 53 answers names lower case with a trailing dot and escapes `*` as \052. */
const normalizeName = (name: string | undefined): string =>
  (name ?? '').toLowerCase().replace(/\\052/g, '*').replace(/\.$/, '');

const normalizeValue = (value: string, type: ManagedRecord['type']): string => {
  if (type === 'CNAME') return normalizeName(value);
  if (type === 'AAAA') return expandIpv6(value);
  return value.trim();
};

/** 2001:db8::1 and 2001:0DB8:0:0:0:0:0:1 are the same address. */
const expandIpv6 = (address: string): string => {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right]
    .map((group) => group.padStart(4, '0'))
    .join(':');
};

const holdsValue = (set: ResourceRecordSet, value: RecordValue, type: ManagedRecord['type']): boolean => {
  if ('alias' in value) {
    return (
      set.AliasTarget !== undefined &&
      normalizeName(set.AliasTarget.DNSName) === normalizeName(value.alias.dnsName) &&
      set.AliasTarget.HostedZoneId === value.alias.hostedZoneId
    );
  }
  if (set.AliasTarget || !set.ResourceRecords) return false;
  const actual = set.ResourceRecords.map((entry) => normalizeValue(entry.Value ?? '', type)).sort();
  const expected = value.values.map((entry) => normalizeValue(entry, type)).sort();
  return actual.length === expected.length && actual.every((entry, index) => entry === expected[index]);
};

const describeRecordSet = (set: ResourceRecordSet): string =>
  set.AliasTarget
    ? `${set.Type} alias ${normalizeName(set.AliasTarget.DNSName)} (${set.AliasTarget.HostedZoneId})`
    : `${set.Type} ${(set.ResourceRecords ?? []).map((entry) => entry.Value).join(', ')}`;
