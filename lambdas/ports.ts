// The interfaces the core's decisions are carried out through; the data they carry is the
// core's (lambdas/core/model/). Adapters (aws/, http/, local/) implement them; test/fakes has an
// in-memory one for each, and test/contracts runs one suite against both. Every method that does
// I/O takes an AbortSignal so the Lambda deadline reaches every SDK call and every probe.
import type {
  DeliveredAlert,
  DrillFault,
  DrillRecord,
  ActiveDrill,
  DrillListing,
  DrillScope,
} from './core/drill/model.ts';
import type { AuditEntry, ChainedAuditEntry, StoredAuditEntry } from './core/model/audit.ts';
import type { ActiveFault, FaultSpec } from './core/model/faults.ts';
import type {
  AcknowledgeOutcome,
  Incident,
  IncidentEvent,
  IncidentWrite,
  OutboxAlert,
  SentAlert,
} from './core/model/incidents.ts';
import type { ProbeResult, TargetState, TargetWrite } from './core/model/probing.ts';
import type {
  FailoverOutcome,
  ManagedRecord,
  RecordReading,
  RouteResult,
  RoutingLock,
  RoutingState,
  SwitchAnnouncement,
} from './core/model/routing.ts';
import type { Actor, Severity, Site, Stage } from './core/model/vocabulary.ts';

// ---------------------------------------------------------------- shared

export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------- probing

export interface RoundRequest {
  /** Only these sites; both when absent. */
  readonly sites?: readonly Site[];
  readonly signal?: AbortSignal;
  readonly drillId?: string;
}

/** Runs every configured probe once against the platform and reports what it saw. */
export interface ProbeRunner {
  probeAll(request: RoundRequest): Promise<ProbeResult[]>;
}

/** Secret values by the names declared in config `secrets`. Never logged. */
export interface SecretSource {
  get(name: string, signal?: AbortSignal): Promise<string>;
}

/**
 * Transmission sequence numbers that survive rounds and invocations. A probe peeks the next
 * number, sends it, and commits it only once the platform acknowledged the record: a probe
 * aborted before sending leaves no false gap, and a retry re-sends the same number.
 */
export interface StreamPosition {
  /** The number the next record carries: one past the last committed (1 at first). */
  readonly next: number;
  /** The platform's stream epoch seen with the last commit, for probes that read one. */
  readonly epoch?: string;
}

export interface SequenceSource {
  /** The number the next record on `stream` carries: one past the last committed (1 at first). */
  peek(stream: string, signal?: AbortSignal): Promise<number>;
  /** `peek` and the epoch stored with the last commit, in one read. */
  position(stream: string, signal?: AbortSignal): Promise<StreamPosition>;
  /**
   * The platform acknowledged `sequence` (in stream epoch `epoch`, when the probe reads one).
   * Idempotent; the counter never moves backwards.
   */
  commit(stream: string, sequence: number, signal?: AbortSignal, epoch?: string): Promise<void>;
}
export interface FaultInjector {
  inject(fault: FaultSpec, signal?: AbortSignal): Promise<void>;
  /** Clears faults of one site/stage, or all of them. */
  clear(where?: { site?: Site; stage?: Stage }, signal?: AbortSignal): Promise<void>;
  list(signal?: AbortSignal): Promise<ActiveFault[]>;
}

// ---------------------------------------------------------------- state, incidents, alerts

export interface HistoryQuery {
  readonly site?: Site;
  readonly stage?: Stage;
  /** ISO instant; results at or after it. */
  readonly since?: string;
  readonly limit?: number;
  /** The oldest results first (default: the newest first). */
  readonly oldestFirst?: boolean;
}

export interface IncidentQuery {
  /** ISO instant; incidents opened at or after it. */
  readonly since?: string;
  readonly limit?: number;
}
/**
 * Targets, results, incidents and the alert outbox. Writes are conditional on the version read,
 * so two overlapping rounds never both apply (they get VersionConflictError or
 * AlreadyExistsError and decide again next round).
 */
export interface SentAlertsQuery {
  readonly since: string;
  /** Only the alerts that went to this severity's topic. */
  readonly topic?: Severity;
  readonly limit?: number;
}

export interface StateStore {
  loadTargets(signal?: AbortSignal): Promise<TargetState[]>;
  /** All or nothing; VersionConflictError when any target changed since it was read. */
  saveTargets(writes: readonly TargetWrite[], signal?: AbortSignal): Promise<void>;
  /** Batched; each result expires `retention.resultDays` after it started. */
  recordResults(results: readonly ProbeResult[], signal?: AbortSignal): Promise<void>;
  history(query: HistoryQuery, signal?: AbortSignal): Promise<ProbeResult[]>;

  /** Incidents not resolved yet (open or acknowledged). */
  listOpenIncidents(signal?: AbortSignal): Promise<Incident[]>;
  /** Incidents opened since `query.since`, any status, newest first. */
  listIncidents(query: IncidentQuery, signal?: AbortSignal): Promise<Incident[]>;
  getIncident(id: string, signal?: AbortSignal): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined>;
  /**
   * Opening claims the dedup key (AlreadyExistsError when another incident holds it); an update
   * applies only at `expectedVersion` (VersionConflictError). The alert is queued in the same write,
   * and so is the announcement it makes (AlreadyExistsError when that switch is announced already).
   */
  applyIncidentChange(write: IncidentWrite, signal?: AbortSignal): Promise<void>;
  /** NotFoundError for an unknown id. */
  acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome>;

  /**
   * Queues an alert that belongs to no incident, with the announcement it makes; AlreadyExistsError
   * when it is queued, or its switch announced, already.
   */
  queueAlert(alert: OutboxAlert, signal?: AbortSignal): Promise<void>;
  /** The last switch of each record whose announcement is committed (written with its alert). */
  loadAnnouncements(signal?: AbortSignal): Promise<SwitchAnnouncement[]>;
  pendingAlerts(signal?: AbortSignal): Promise<OutboxAlert[]>;
  /** True when this owner now holds the alert until `leaseUntil`; false when someone else does or it is gone. */
  claimAlert(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean>;
  /** Removes it from the outbox, notes the publish in the incident's timeline and in the sent log. */
  markAlertSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void>;
  /** Gives the claim back after a failed publish, keeping the error for the next attempt. */
  releaseAlert(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void>;
  /** Adds an alert published without the outbox (a drill's test alert) to the sent log. */
  recordSent(sent: SentAlert, signal?: AbortSignal): Promise<void>;
  /** The sent log, newest first: every alert SNS accepted since `since` (ISO), as receivers read it. */
  sentAlerts(query: SentAlertsQuery, signal?: AbortSignal): Promise<SentAlert[]>;

  /** The drill running now (item DRILL / ACTIVE, written by the drill runner), if any. */
  activeDrill(signal?: AbortSignal): Promise<DrillScope | undefined>;
}

/** Publishes alerts to the topic of their severity. */
export interface Notifier {
  publish(alert: OutboxAlert, signal?: AbortSignal): Promise<{ readonly messageId: string }>;
}

export interface AuditQuery {
  readonly since?: string;
  readonly drillId?: string;
  readonly limit?: number;
}

/**
 * Append-only: entries are never changed or deleted. Each subject's entries form a hash chain
 * (core/audit-chain.ts): `append` links the entry after the subject's last one, and two appends
 * racing for the same place both land, one after the other.
 */
export interface AuditLog {
  append(entry: AuditEntry, signal?: AbortSignal): Promise<ChainedAuditEntry>;
  /** Entries in time order, oldest first, from `since` (default: the last 7 days) or of one drill. */
  list(query: AuditQuery, signal?: AbortSignal): Promise<StoredAuditEntry[]>;
  /** Every subject that has a chain. */
  subjects(signal?: AbortSignal): Promise<string[]>;
  /** One subject's chain, in sequence order. */
  chain(subject: string, signal?: AbortSignal): Promise<StoredAuditEntry[]>;
}

// ---------------------------------------------------------------- routing

export interface ReconcileInput {
  /** Target states after this round's evaluation (both sites, every stage). */
  readonly targets: readonly TargetState[];
  readonly now: Date;
  /**
   * When the round began: only results at or after it count as fresh for pre-flight. Without
   * it, results from the last two intervals (plus 30 s) count.
   */
  readonly roundStartedAt?: Date;
  /** Open incidents; the one about the serving site's stage is named in the change comment. */
  readonly openIncidents?: readonly Pick<Incident, 'id' | 'kind' | 'site' | 'stage' | 'status'>[];
  readonly signal?: AbortSignal;
  readonly drillId?: string;
}

/** Decides and carries out switches after each round (app/failover.ts). */
export interface FailoverController {
  reconcile(input: ReconcileInput): Promise<FailoverOutcome>;
}

/**
 * Routing state per record (pk ROUTING, sk RECORD#<name>) and the routing lock (sk LOCK).
 * Writes are conditional: `put` succeeds only while the stored version is still
 * `expectedVersion` (0: the item must not exist yet) and throws VersionConflictError otherwise.
 */
export interface RoutingStore {
  list(signal?: AbortSignal): Promise<RoutingState[]>;
  get(record: string, signal?: AbortSignal): Promise<RoutingState | undefined>;
  /** Stores `state` (whose version must be expectedVersion + 1) if nobody wrote since. */
  put(state: RoutingState, expectedVersion: number, signal?: AbortSignal): Promise<void>;
  getLock(signal?: AbortSignal): Promise<RoutingLock | undefined>;
  /** Sets the lock; AlreadyExistsError when routing is already locked (by anyone). */
  setLock(lock: RoutingLock, signal?: AbortSignal): Promise<void>;
  /** Removes the lock and returns it; NotFoundError when routing was not locked. */
  clearLock(signal?: AbortSignal): Promise<RoutingLock>;
}

export interface RouteOptions {
  /** Why, and on whose behalf: the incident or drill id goes into the change comment. */
  readonly comment: string;
  /**
   * The change is submitted (first attempt and every retry) only before this instant: the end of
   * the intent's lease. When it could not be sent in time, `route` throws ChangeNotAppliedError.
   */
  readonly notAfter: Date;
  /** The caller's deadline: aborts retries; a change already accepted still applies. */
  readonly signal?: AbortSignal;
}

/**
 * Moves a managed record between sites. The control-plane mode (Route53Router) UPSERTs the
 * record to the site's value and reads it back; `awaitChange` then follows the change until it
 * is INSYNC. Errors: ChangeNotAppliedError when the change is known not applied (refused, or not
 * sent within `notAfter`); any other error leaves the outcome unknown.
 */
export interface Router {
  read(record: ManagedRecord, signal?: AbortSignal): Promise<RecordReading>;
  /** Submits the change (nothing when the record already serves the site) and reads the record back. */
  route(record: ManagedRecord, site: Site, options: RouteOptions): Promise<RouteResult>;
  /** INSYNC once every authoritative server answers the change; PENDING when `timeoutMs` or the signal ends first. */
  awaitChange(
    changeId: string,
    options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
  ): Promise<'PENDING' | 'INSYNC'>;
}

// ---------------------------------------------------------------- drills

/**
 * Drills on the table: the drill (pk DRILL#<id>, sk META), each phase as it happens
 * (sk PHASE#<n>), listed newest first through gsi1 (DRILLS / <startedAt>), and the
 * running-drill item that makes a second drill wait its turn.
 */
export interface DrillStore {
  /**
   * Stores a new drill. With `claimActive`, also creates the running-drill item in the same
   * write: AlreadyExistsError (nothing written) when another drill holds it.
   */
  create(drill: DrillRecord, options: { readonly claimActive: boolean }, signal?: AbortSignal): Promise<void>;
  get(id: string, signal?: AbortSignal): Promise<DrillRecord | undefined>;
  /**
   * Stores `drill` (its version must be expectedVersion + 1) and the phases that differ from
   * `previous`; VersionConflictError when someone else saved since.
   */
  save(drill: DrillRecord, previous: DrillRecord, signal?: AbortSignal): Promise<void>;
  list(query: { readonly limit?: number }, signal?: AbortSignal): Promise<DrillListing[]>;
  active(signal?: AbortSignal): Promise<ActiveDrill | undefined>;
  /** Deletes the running-drill item if this drill holds it; does nothing otherwise. */
  release(id: string, signal?: AbortSignal): Promise<void>;
  /**
   * Records an operator's abort request on a running drill in one conditional update (no read
   * first, so it cannot lose a race with the process advancing the drill, which merges it).
   * False when the drill is finished or already stopping; NotFoundError for an unknown drill.
   */
  requestAbort(id: string, request: NonNullable<DrillRecord['abortRequested']>, signal?: AbortSignal): Promise<boolean>;
  /** Sets the simulated faults on the running-drill item; NotFoundError when this drill does not hold it. */
  setSimulatedFaults(id: string, faults: readonly DrillFault[], signal?: AbortSignal): Promise<void>;
}

/** Reads alerts back from the audit subscription (an SQS queue subscribed to every topic). */
export interface AlertAudit {
  /** Alerts delivered since the last read; each message is consumed, so it is returned once. */
  receive(signal?: AbortSignal): Promise<DeliveredAlert[]>;
  /** Reads the queue's attributes (no message consumed): one line saying it is there. */
  check(signal?: AbortSignal): Promise<string>;
}

/** Writes synthetic records during a drill and counts them afterwards (the measured RPO). */
export interface DrillRecordWriter {
  /** Where the counts come from, for the report. */
  readonly description: string;
  /** Stores one synthetic, test-flagged record on `site`; rejects when the platform refuses it. */
  write(site: Site, recordId: string, signal?: AbortSignal): Promise<{ readonly platformId?: string }>;
  /** How many times each record is held on `site` (0 = lost, 2+ = duplicated). */
  count(
    site: Site,
    records: readonly { readonly recordId: string; readonly platformId?: string }[],
    signal?: AbortSignal,
  ): Promise<Record<string, number>>;
}
