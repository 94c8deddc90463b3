// Simulated citizens: traffic that measures what a failover means for people at checkpoints.
// Each request resolves the managed record the way a client with a TTL-respecting DNS cache
// does (the zone's current answer, read from Route 53, kept for the record's TTL), sends a
// verification to the address it resolved, and counts successes and user-visible failures in
// time buckets. The outage window runs from the first failure to the recovery, so a failover
// is judged by what citizens saw, not by the moment the record changed.
import {
  type CitizenClient,
  type ScanOutcome,
  describeError,
  sandboxCitizenClient,
  targetFor,
} from './citizens/client.ts';
import type { Clock } from '../lambdas/ports.ts';
import { type DnsAnswer, TtlDnsCache } from './citizens/dns.ts';
import type { HcguardConfig } from '../lambdas/core/config/schema.ts';
import { type ManagedRecord, normalizeRecordName } from '../lambdas/core/model/routing.ts';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Site } from '../lambdas/core/model/vocabulary.ts';
import { systemClock } from '../lambdas/adapters/clock.ts';

export interface CitizenBucket {
  /** ISO instant the bucket starts. */
  readonly start: string;
  readonly ok: number;
  readonly failed: number;
  /** Requests sent to each site (from the DNS answer). */
  readonly primary: number;
  readonly backup: number;
}

export interface OutageWindow {
  readonly start: string;
  /** The first success of the run of successes that ended it; absent while it lasts. */
  readonly end?: string;
  readonly durationMs?: number;
  readonly failed: number;
}

export interface CitizenSnapshot {
  readonly record: string;
  readonly requestsPerSecond: number;
  readonly bucketSeconds: number;
  readonly answer?: DnsAnswer;
  readonly totals: { readonly ok: number; readonly failed: number };
  /** Success rate over the last `recentSeconds`; undefined without requests. */
  readonly recent: {
    readonly seconds: number;
    readonly ok: number;
    readonly failed: number;
    readonly successRate?: number;
  };
  readonly buckets: readonly CitizenBucket[];
  readonly outages: readonly OutageWindow[];
  /** The most common failure reasons so far, most frequent first. */
  readonly failureReasons: readonly { readonly reason: string; readonly count: number }[];
}

export interface CitizenSimulatorOptions {
  readonly config: Pick<HcguardConfig, 'sites' | 'local'>;
  readonly record: ManagedRecord;
  readonly route53: Route53Client;
  readonly client?: CitizenClient;
  readonly clock?: Clock;
  /** Consecutive successes that end an outage (default 3), so one lucky request does not. */
  readonly recoverAfterSuccesses?: number;
  /** Buckets kept (default 720: an hour of 5 s buckets). */
  readonly maxBuckets?: number;
}

const RECENT_SECONDS = 30;

/** Sends verifications at the configured rate until stopped, and keeps the score. */
export class CitizenSimulator {
  readonly dns: TtlDnsCache;
  private readonly client: CitizenClient;
  private readonly clock: Clock;
  private readonly bucketMs: number;
  private readonly buckets = new Map<number, { ok: number; failed: number; primary: number; backup: number }>();
  private readonly outages: { start: number; end?: number; failed: number }[] = [];
  private readonly reasons = new Map<string, number>();
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private successStreak = 0;
  private firstSuccessOfStreak?: number;
  private totals = { ok: 0, failed: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: CitizenSimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.dns = new TtlDnsCache(options.route53, options.record, this.clock);
    this.client = options.client ?? sandboxCitizenClient();
    this.bucketMs = options.config.local.citizens.bucketSeconds * 1000;
  }

  start(): void {
    const rate = this.options.config.local.citizens.requestsPerSecond;
    if (rate === 0 || this.timer) return;
    // A bounded number of requests in flight: a hanging site costs requests, not memory.
    const maxInFlight = Math.max(4, Math.ceil((rate * this.options.config.local.citizens.timeoutMs) / 1000) + 1);
    this.timer = setInterval(() => {
      if (this.inFlight.size >= maxInFlight) {
        this.record(this.clock.now().getTime(), undefined, { ok: false, reason: 'too many requests waiting' });
        return;
      }
      const request = this.once().finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }, 1000 / rate);
  }

  /** Stops sending and waits (bounded by the request timeout) for requests in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** One citizen's verification: resolve (through the cache), then scan. */
  async once(): Promise<void> {
    const startedAt = this.clock.now().getTime();
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(this.options.config.local.citizens.timeoutMs),
    ]);
    let site: Site | undefined;
    let outcome: ScanOutcome;
    try {
      const answer = await this.dns.resolve(signal);
      const target = targetFor(this.options.config, this.options.record, answer);
      site = target?.site;
      outcome = target
        ? await this.client.scan(target, signal)
        : { ok: false, reason: `answer ${answer.values.join(' ')} is neither site` };
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      outcome = { ok: false, reason: describeError(error) };
    }
    if (this.stopping.signal.aborted) return;
    this.record(startedAt, site, outcome);
  }

  private record(at: number, site: Site | undefined, outcome: ScanOutcome): void {
    const key = Math.floor(at / this.bucketMs) * this.bucketMs;
    const bucket = this.buckets.get(key) ?? { ok: 0, failed: 0, primary: 0, backup: 0 };
    if (site) bucket[site]++;
    if (outcome.ok) {
      bucket.ok++;
      this.totals.ok++;
      this.noteSuccess(at);
    } else {
      bucket.failed++;
      this.totals.failed++;
      this.reasons.set(outcome.reason, (this.reasons.get(outcome.reason) ?? 0) + 1);
      this.noteFailure(at);
    }
    this.buckets.set(key, bucket);
    const maxBuckets = this.options.maxBuckets ?? 720;
    while (this.buckets.size > maxBuckets) this.buckets.delete(this.buckets.keys().next().value as number);
  }

  private noteFailure(at: number): void {
    this.successStreak = 0;
    this.firstSuccessOfStreak = undefined;
    const last = this.outages.at(-1);
    if (last && last.end === undefined) last.failed++;
    else this.outages.push({ start: at, failed: 1 });
  }

  private noteSuccess(at: number): void {
    this.successStreak++;
    this.firstSuccessOfStreak ??= at;
    const last = this.outages.at(-1);
    if (last && last.end === undefined && this.successStreak >= (this.options.recoverAfterSuccesses ?? 3)) {
      last.end = Math.max(last.start, this.firstSuccessOfStreak);
    }
  }

  /**
   * Verifications per bucket between two instants, for a drill report's user-visible impact
   * (the shape of the drill model's ImpactSample).
   */
  impact(from: Date, to: Date): { at: string; ok: number; failed: number }[] {
    return [...this.buckets.entries()]
      .filter(([start]) => start + this.bucketMs > from.getTime() && start <= to.getTime())
      .sort(([a], [b]) => a - b)
      .map(([start, bucket]) => ({ at: new Date(start).toISOString(), ok: bucket.ok, failed: bucket.failed }));
  }

  snapshot(): CitizenSnapshot {
    const now = this.clock.now().getTime();
    const recentFrom = now - RECENT_SECONDS * 1000;
    let recentOk = 0;
    let recentFailed = 0;
    const buckets: CitizenBucket[] = [];
    for (const [start, bucket] of [...this.buckets.entries()].sort(([a], [b]) => a - b)) {
      buckets.push({ start: new Date(start).toISOString(), ...bucket });
      if (start + this.bucketMs > recentFrom) {
        recentOk += bucket.ok;
        recentFailed += bucket.failed;
      }
    }
    const recentTotal = recentOk + recentFailed;
    const answer = this.dns.current();
    return {
      record: this.options.record.name,
      requestsPerSecond: this.options.config.local.citizens.requestsPerSecond,
      bucketSeconds: this.bucketMs / 1000,
      ...(answer ? { answer } : {}),
      totals: { ...this.totals },
      recent: {
        seconds: RECENT_SECONDS,
        ok: recentOk,
        failed: recentFailed,
        ...(recentTotal ? { successRate: recentOk / recentTotal } : {}),
      },
      buckets,
      outages: this.outages.map((outage) => ({
        start: new Date(outage.start).toISOString(),
        failed: outage.failed,
        ...(outage.end !== undefined
          ? { end: new Date(outage.end).toISOString(), durationMs: outage.end - outage.start }
          : {}),
      })),
      failureReasons: [...this.reasons.entries()]
        .sort(([, a], [, b]) => b - a)
        .slice(0, 5)
        .map(([reason, count]) => ({ reason, count })),
    };
  }
}

/**
 * Reads the citizens' impact from a running local runtime's dashboard (`dashboardUrl` in
 * .hcguard/runtime.json): for a drill the CLI runs in another process. Undefined when the
 * citizens are off or the runtime does not answer: the report then says impact was not measured.
 */
export const remoteCitizensImpact =
  (dashboardUrl: string) =>
  async (
    from: Date,
    to: Date,
    signal?: AbortSignal,
  ): Promise<{ at: string; ok: number; failed: number }[] | undefined> => {
    const url = new URL('api/citizens/impact', dashboardUrl);
    url.searchParams.set('from', from.toISOString());
    url.searchParams.set('to', to.toISOString());
    try {
      const response = await fetch(url, {
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5_000)]) : AbortSignal.timeout(5_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return (await response.json()) as { at: string; ok: number; failed: number }[];
    } catch {
      return undefined;
    }
  };

/** The record citizens resolve: the one the config names, else the first following verification. */
export const citizensRecord = (
  config: Pick<HcguardConfig, 'local' | 'records'>,
  records: readonly ManagedRecord[],
): ManagedRecord | undefined => {
  const wanted =
    config.local.citizens.record === undefined ? undefined : normalizeRecordName(config.local.citizens.record);
  return wanted
    ? records.find((record) => record.name === wanted)
    : (records.find((record) => record.stage === 'verification') ?? records[0]);
};
