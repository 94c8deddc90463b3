// In-memory stand-ins for the routing ports, with the same contracts as the AWS adapters:
// conditional writes by version, one lock at a time, an append-only audit log, and a router
// whose record values live in a map (and that can be told to fail or hang).
import {
  AlreadyExistsError,
  ChangeNotAppliedError,
  NotFoundError,
  VersionConflictError,
} from '../../lambdas/core/errors.ts';
import { STAGES, type Site, type Stage } from '../../lambdas/core/model/vocabulary.ts';
import { systemClock } from '../../lambdas/adapters/clock.ts';
import { chainEntry } from '../../lambdas/core/audit-chain.ts';
import type { AuditEntry, ChainedAuditEntry, StoredAuditEntry } from '../../lambdas/core/model/audit.ts';
import type {
  RoutingLock,
  RoutingState,
  ManagedRecord,
  RecordReading,
  RouteResult,
} from '../../lambdas/core/model/routing.ts';
import type { TargetHealth, TargetState } from '../../lambdas/core/model/probing.ts';
import type { AuditLog, AuditQuery, Clock, RouteOptions, Router, RoutingStore } from '../../lambdas/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryRoutingStore implements RoutingStore {
  readonly states = new Map<string, RoutingState>();
  lock: RoutingLock | undefined;
  /** Every successful put, in order (for assertions on the protocol's steps). */
  readonly writes: RoutingState[] = [];

  async list(): Promise<RoutingState[]> {
    return [...this.states.values()].map(copy);
  }

  async get(record: string): Promise<RoutingState | undefined> {
    const state = this.states.get(record);
    return state ? copy(state) : undefined;
  }

  async put(state: RoutingState, expectedVersion: number): Promise<void> {
    if (state.version !== expectedVersion + 1)
      throw new Error(`version ${state.version} must be ${expectedVersion + 1}`);
    const current = this.states.get(state.record);
    if ((current?.version ?? 0) !== expectedVersion)
      throw new VersionConflictError(`routing state ${state.record}`, expectedVersion);
    this.states.set(state.record, copy(state));
    this.writes.push(copy(state));
  }

  async getLock(): Promise<RoutingLock | undefined> {
    return this.lock ? copy(this.lock) : undefined;
  }

  async setLock(lock: RoutingLock): Promise<void> {
    if (this.lock) throw new AlreadyExistsError('routing lock');
    this.lock = copy(lock);
  }

  async clearLock(): Promise<RoutingLock> {
    if (!this.lock) throw new NotFoundError('routing lock');
    const lock = this.lock;
    this.lock = undefined;
    return lock;
  }
}

const DAY_MS = 86_400_000;

export class MemoryAuditLog implements AuditLog {
  /** What was appended, as given (for assertions on the protocol's steps). */
  readonly entries: AuditEntry[] = [];
  /** The day log and the chains as stored: tests tamper with them to see verification notice. */
  readonly days: StoredAuditEntry[] = [];
  readonly chains = new Map<string, StoredAuditEntry[]>();
  failWith: Error | undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  async append(entry: AuditEntry): Promise<ChainedAuditEntry> {
    if (this.failWith) throw this.failWith;
    if (Number.isNaN(Date.parse(entry.at)))
      throw new Error(`audit entry "${entry.action}" has no valid instant: ${entry.at}`);
    const chain = this.chains.get(entry.subject) ?? [];
    const chained = chainEntry(copy(entry), chain.at(-1)?.chain);
    this.chains.set(entry.subject, [...chain, copy(chained)]);
    this.days.push(copy(chained));
    this.entries.push(copy(entry));
    return chained;
  }

  async list(query: AuditQuery): Promise<StoredAuditEntry[]> {
    const since = query.drillId
      ? query.since
      : (query.since ?? new Date(this.clock.now().getTime() - 7 * DAY_MS).toISOString());
    return this.days
      .filter((entry) => (!since || entry.at >= since) && (!query.drillId || entry.drillId === query.drillId))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .slice(0, query.limit ?? 1000)
      .map(copy);
  }

  async subjects(): Promise<string[]> {
    return [...this.chains.keys()];
  }

  async chain(subject: string): Promise<StoredAuditEntry[]> {
    return (this.chains.get(subject) ?? []).map(copy);
  }

  actions(): string[] {
    return this.entries.map((entry) => entry.action);
  }
}

/**
 * A Route 53 stand-in: which site each record answers, or a foreign value. Like Route53Router it
 * sends nothing once `notAfter` has passed on its clock or the caller gave up.
 */
export class FakeRouter implements Router {
  readonly answers = new Map<string, Site | 'neither' | 'missing'>();
  readonly changes: { record: string; site: Site; comment: string }[] = [];
  /** Thrown by the next `route` call before (`before`) or after (`after`) the change applies. */
  failNext: { error: Error; when: 'before' | 'after' } | undefined;

  constructor(private readonly clock: Clock) {}

  async read(record: ManagedRecord, _signal?: AbortSignal): Promise<RecordReading> {
    const answer = this.answers.get(record.name) ?? 'missing';
    if (answer === 'missing') return { exists: false, description: `no ${record.type} record ${record.name}` };
    if (answer === 'neither') return { exists: true, description: `${record.type} 203.0.113.99` };
    return { exists: true, site: answer, description: describeValue(record, answer) };
  }

  async route(record: ManagedRecord, site: Site, options: RouteOptions): Promise<RouteResult> {
    if (options.signal?.aborted) throw new ChangeNotAppliedError('the caller gave up before the change was sent');
    if (this.clock.now() >= options.notAfter)
      throw new ChangeNotAppliedError(`no time left to send it (budget ended ${options.notAfter.toISOString()})`);
    if (this.answers.get(record.name) === site)
      return { changed: false, status: 'INSYNC', reading: await this.read(record) };
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure?.when === 'before') throw failure.error;
    this.answers.set(record.name, site);
    this.changes.push({ record: record.name, site, comment: options.comment });
    if (failure?.when === 'after') throw failure.error;
    return {
      changed: true,
      changeId: `C${this.changes.length}`,
      status: this.status,
      reading: await this.read(record),
    };
  }

  /** What `route` reports for a change, and what `awaitChange` then answers. */
  status: 'PENDING' | 'INSYNC' = 'INSYNC';
  insync: 'PENDING' | 'INSYNC' = 'INSYNC';
  readonly awaited: string[] = [];

  async awaitChange(changeId: string): Promise<'PENDING' | 'INSYNC'> {
    this.awaited.push(changeId);
    return this.insync;
  }
}

const describeValue = (record: ManagedRecord, site: Site): string => {
  const value = record.values[site];
  return 'alias' in value ? `${record.type} alias ${value.alias.dnsName}` : `${record.type} ${value.values.join(', ')}`;
};

/** A clock the test moves by hand. */
export const manualClock = (start: string) => {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
    set: (iso: string) => {
      now = Date.parse(iso);
    },
  };
};

/** Every (site, stage) healthy with a result from `at`, except the overrides (failing ones timed out). */
export const targetStates = (
  at: Date,
  overrides: Partial<Record<`${Site}.${Stage}`, TargetHealth>> = {},
): TargetState[] =>
  (['primary', 'backup'] as const).flatMap((site) =>
    STAGES.map((stage) => {
      const health = overrides[`${site}.${stage}`] ?? 'healthy';
      return {
        site,
        stage,
        health,
        since: new Date(at.getTime() - 3_600_000).toISOString(),
        consecutiveFailures: health === 'failing' ? 3 : 0,
        consecutiveSuccesses: health === 'healthy' ? 3 : 0,
        lastResultAt: at.toISOString(),
        ...(health === 'failing' ? { lastFailureClass: 'timeout' as const } : {}),
        recentChanges: [],
        flapping: false,
        version: 3,
      };
    }),
  );
