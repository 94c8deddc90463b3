// The control-plane Router: UPSERTs a managed record to a site's value in Route 53 and reads it
// back; `awaitChange` follows the change to INSYNC. Only UPSERT, GetChange and
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
import type { RecordValue } from '../../core/config/sections.ts';
import { SITES, type Site } from '../../core/model/vocabulary.ts';
import {
  normalizeRecordName,
  type ManagedRecord,
  type RecordReading,
  type RouteResult,
} from '../../core/model/routing.ts';
import type { Clock, RouteOptions, Router } from '../../ports.ts';
import { sleep } from '../../sleep.ts';
import { systemClock } from '../clock.ts';
import { ChangeNotAppliedError, describeError } from '../../core/errors.ts';

/** Errors Route 53 documents as "try again later". */
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
/** Route 53 rejects longer change comments. */
const MAX_COMMENT_LENGTH = 256;

const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

const fault = (error: unknown): string | undefined => (error as { $fault?: string } | undefined)?.$fault;

/** Route 53 answered and refused: the request did nothing (a client fault, throttling included). */
const refused = (error: unknown): boolean => {
  const status = httpStatus(error);
  return (
    THROTTLED.has((error as Error)?.name) ||
    fault(error) === 'client' ||
    (status !== undefined && status >= 400 && status < 500)
  );
};

/**
 * Worth another attempt: throttling, a server fault, or no answer at all (a network error). UPSERT
 * is idempotent, so sending the same change again after an unclear failure cannot do harm.
 */
const retryable = (error: unknown): boolean => {
  const name = error instanceof Error ? error.name : '';
  if (THROTTLED.has(name)) return true;
  if (fault(error) === 'server' || (httpStatus(error) ?? 0) >= 500) return true;
  return fault(error) === undefined && httpStatus(error) === undefined && name !== 'AbortError';
};

export interface Route53RouterOptions {
  /** Attempts per API call at most (default 8); the `notAfter` budget usually ends them first. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt up to `maxDelayMs` (defaults 200 ms, 5 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** First GetChange poll delay; doubles up to `maxPollMs` (defaults 1 s, 10 s). */
  readonly pollMs?: number;
  readonly maxPollMs?: number;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Budgets are measured with it; the system clock by default. */
  readonly clock?: Clock;
  /** Waits between attempts and polls; rejects when the signal aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class Route53RouterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Route53RouterError';
  }
}

interface Budget {
  readonly signal?: AbortSignal;
  /** No attempt starts at or after this instant. */
  readonly notAfter?: Date;
}

/**
 * The route53 client it is given must not retry on its own (`maxAttempts: 1`, see
 * app/aws-clients.ts): this router is the one retry policy, bounded by the caller's budget.
 */
export class Route53Router implements Router {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
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
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? sleep;
  }

  read(record: ManagedRecord, signal?: AbortSignal): Promise<RecordReading> {
    return this.readWithin(record, signal ? { signal } : {});
  }

  async route(record: ManagedRecord, site: Site, options: RouteOptions): Promise<RouteResult> {
    return this.oneAtATime(record.hostedZoneId, async () => {
      const budget: Budget = { notAfter: options.notAfter, ...(options.signal ? { signal: options.signal } : {}) };
      const before = await this.readWithin(record, budget).catch((error: unknown) => {
        // Nothing was sent yet: whatever stopped the read, the change is not applied.
        throw new ChangeNotAppliedError(`the record could not be read before the change: ${describeError(error)}`, {
          cause: error,
        });
      });
      if (before.site === site) return { changed: false, status: 'INSYNC', reading: before };
      const response = await this.change(record, site, options.comment, budget);
      const changeId = response.ChangeInfo?.Id?.replace(/^\/change\//, '');
      if (!changeId)
        throw new Route53RouterError(`Route 53 accepted the change of ${record.name} but returned no change id`);
      // The API reflects an accepted change at once, before it is INSYNC: confirm it now.
      const reading = await this.readWithin(record, options.signal ? { signal: options.signal } : {});
      if (reading.site !== site) {
        throw new Route53RouterError(
          `change ${changeId} to ${site} was accepted but ${record.name} reads back as ${reading.description}`,
        );
      }
      return {
        changed: true,
        changeId,
        status: response.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING',
        reading,
      };
    });
  }

  /** Polls GetChange until INSYNC; PENDING when the timeout or the caller's deadline comes first. */
  async awaitChange(
    changeId: string,
    options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
  ): Promise<'PENDING' | 'INSYNC'> {
    const until = new Date(this.clock.now().getTime() + options.timeoutMs);
    const budget: Budget = { notAfter: until, ...(options.signal ? { signal: options.signal } : {}) };
    let delay = this.pollMs;
    try {
      for (;;) {
        if (this.clock.now().getTime() + delay >= until.getTime()) return 'PENDING';
        await this.sleep(delay, options.signal);
        const change = await this.retrying(
          () => this.route53.send(new GetChangeCommand({ Id: changeId }), this.sendOptions(budget)),
          budget,
        );
        if (change.ChangeInfo?.Status === 'INSYNC') return 'INSYNC';
        delay = Math.min(delay * 2, this.maxPollMs);
      }
    } catch (error) {
      // The change is accepted and will apply; only the confirmation of propagation is cut short.
      if (options.signal?.aborted || error instanceof ChangeNotAppliedError) return 'PENDING';
      throw error;
    }
  }

  private async readWithin(record: ManagedRecord, budget: Budget): Promise<RecordReading> {
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
          this.sendOptions(budget),
        ),
      budget,
    );
    const found = (response.ResourceRecordSets ?? []).find(
      (set) => normalizeName(set.Name) === record.name && set.Type === record.type && set.SetIdentifier === undefined,
    );
    if (!found) return { exists: false, description: `no ${record.type} record ${record.name}` };
    const site = SITES.find((candidate) => holdsValue(found, record.values[candidate], record.type));
    return { exists: true, description: describeRecordSet(found), ...(site ? { site } : {}) };
  }

  /** The UPSERT, retried within the budget; says whether a failure leaves it applied or not. */
  private async change(record: ManagedRecord, site: Site, comment: string, budget: Budget) {
    let unclear = false;
    try {
      return await this.retrying(
        () =>
          this.route53.send(
            new ChangeResourceRecordSetsCommand(upsertInput(record, site, comment)),
            this.sendOptions(budget),
          ),
        budget,
        (error) => {
          unclear ||= !refused(error);
        },
      );
    } catch (error) {
      if (unclear) {
        if (!(error instanceof ChangeNotAppliedError)) throw error;
        throw new Route53RouterError(
          `the change of ${record.name} may have applied: an earlier attempt failed unclearly, then ${error.message}`,
        );
      }
      if (error instanceof ChangeNotAppliedError) throw error;
      if (!refused(error)) throw error;
      throw new ChangeNotAppliedError(`Route 53 refused the change: ${describeError(error)}`, { cause: error });
    }
  }

  /** The caller's signal, cut at the budget's end so a hanging call cannot outlive it. */
  private sendOptions(budget: Budget): { abortSignal?: AbortSignal } {
    if (!budget.notAfter) return budget.signal ? { abortSignal: budget.signal } : {};
    const timeout = AbortSignal.timeout(Math.max(1, budget.notAfter.getTime() - this.clock.now().getTime()));
    return { abortSignal: budget.signal ? AbortSignal.any([budget.signal, timeout]) : timeout };
  }

  /**
   * Full-jitter exponential backoff on retryable errors, until `maxAttempts`, the caller's signal,
   * or the budget's end: no attempt (and no wait) reaches past `notAfter`. An attempt never started
   * for lack of budget is reported as ChangeNotAppliedError when every earlier one was refused.
   */
  private async retrying<T>(call: () => Promise<T>, budget: Budget, onFailure?: (error: unknown) => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (budget.notAfter && this.clock.now() >= budget.notAfter) {
        throw new ChangeNotAppliedError(`no time left to send it (budget ended ${budget.notAfter.toISOString()})`);
      }
      try {
        return await call();
      } catch (error) {
        onFailure?.(error);
        if (!retryable(error) || attempt >= this.maxAttempts || budget.signal?.aborted) throw error;
        const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.floor(this.random() * ceiling);
        if (budget.notAfter && this.clock.now().getTime() + delay >= budget.notAfter.getTime()) throw error;
        await this.sleep(delay, budget.signal);
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
const normalizeName = (name: string | undefined): string => normalizeRecordName((name ?? '').replace(/\\052/g, '*'));

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
