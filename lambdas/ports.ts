// The interfaces the core's decisions are carried out through. Adapters (aws/, http/, local/)
// implement them; tests use the fakes in test/fakes/. Every method that does I/O takes an
// AbortSignal so the Lambda deadline reaches every SDK call and every probe.
import type { RecordValue } from './core/config.ts';
import type {
  Actor,
  AuditEntry,
  FaultMode,
  Incident,
  IncidentEvent,
  ProbeResult,
  RoutingLock,
  RoutingState,
  Site,
  Stage,
  TargetState,
} from './core/model.ts';

// ---------------------------------------------------------------- shared

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// ---------------------------------------------------------------- probing (issue 3)

export interface RoundRequest {
  /** Only these sites; both when absent. */
  readonly sites?: readonly Site[];
  readonly signal?: AbortSignal;
  readonly drillId?: string;
}

/** Runs every configured probe once against the platform and reports what it saw. */
export interface ProbeRunner {
  runRound(request: RoundRequest): Promise<ProbeResult[]>;
}

/** Secret values by the names declared in config `secrets`. Never logged. */
export interface SecretSource {
  get(name: string, signal?: AbortSignal): Promise<string>;
}

export interface FaultSpec {
  readonly site: Site;
  readonly stage: Stage;
  readonly mode: FaultMode;
  readonly latencyMs?: number;
  /** Cleared automatically after this long; until `clear` otherwise. */
  readonly forMs?: number;
}

export interface ActiveFault extends FaultSpec {
  readonly since: string;
  readonly until?: string;
}

/** Breaks the platform on purpose: the sandbox's fault API or a real platform's fault hook. */
export interface FaultInjector {
  inject(fault: FaultSpec, signal?: AbortSignal): Promise<void>;
  /** Clears faults of one site/stage, or all of them. */
  clear(where?: { site?: Site; stage?: Stage }, signal?: AbortSignal): Promise<void>;
  list(signal?: AbortSignal): Promise<ActiveFault[]>;
}

// ---------------------------------------------------------------- state, incidents, alerts (issue 4)

export interface HistoryQuery {
  readonly site?: Site;
  readonly stage?: Stage;
  /** ISO instant; results at or after it. */
  readonly since?: string;
  readonly limit?: number;
}

/**
 * Targets, results and incidents. Writes are conditional on the version read, so two
 * overlapping rounds never both apply (they get VersionConflictError and re-read).
 */
export interface StateStore {
  loadTargets(signal?: AbortSignal): Promise<TargetState[]>;
  listOpenIncidents(signal?: AbortSignal): Promise<Incident[]>;
  getIncident(id: string, signal?: AbortSignal): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined>;
  history(query: HistoryQuery, signal?: AbortSignal): Promise<ProbeResult[]>;
  acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<Incident>;
}

export interface AuditQuery {
  readonly since?: string;
  readonly drillId?: string;
  readonly limit?: number;
}

/** Append-only: entries are never changed or deleted. */
export interface AuditLog {
  append(entry: AuditEntry, signal?: AbortSignal): Promise<void>;
  list(query: AuditQuery, signal?: AbortSignal): Promise<AuditEntry[]>;
}

// ---------------------------------------------------------------- routing (issue 5)

/** A managed record from config, with its hosted zone id resolved. */
export interface ManagedRecord {
  /** Lower case, no trailing dot. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  readonly ttl: number;
  readonly hostedZoneId: string;
  readonly stage: Stage;
  readonly values: Readonly<Record<Site, RecordValue>>;
}

/** Something about routing that is wrong as a whole: opens an incident while reported. */
export interface RoutingCondition {
  readonly kind: 'cannot-fail-over' | 'no-healthy-site';
  /** The record concerned; with `kind`, the incident's dedup key. */
  readonly record: string;
  readonly title: string;
  readonly detail: string;
}

export interface SwitchEvent {
  readonly record: string;
  readonly from: Site;
  readonly to: Site;
  readonly at: string;
  readonly actor: Actor;
  readonly reason: string;
  readonly changeId?: string;
  readonly drillId?: string;
}

export interface FailoverOutcome {
  /** Routing after this reconcile. */
  readonly routing: readonly RoutingState[];
  /** Every condition that holds now; an open condition incident not listed here resolves. */
  readonly conditions: readonly RoutingCondition[];
  readonly switches: readonly SwitchEvent[];
}

/** Decides and carries out switches after each round (issue 5 implements it). */
export interface FailoverController {
  reconcile(input: { readonly targets: readonly TargetState[]; readonly now: Date; readonly signal?: AbortSignal; readonly drillId?: string }): Promise<FailoverOutcome>;
}

export interface RoutingStore {
  list(signal?: AbortSignal): Promise<RoutingState[]>;
  getLock(signal?: AbortSignal): Promise<RoutingLock | undefined>;
}

