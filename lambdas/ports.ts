// The interfaces the core's decisions are carried out through. Adapters (aws/, http/, local/)
// implement them; tests use the fakes in test/fakes/. Every method that does I/O takes an
// AbortSignal so the Lambda deadline reaches every SDK call and every probe.
import type { AlertMessage } from './core/alert-message.ts';
import type { RecordValue } from './core/config.ts';
import type { DeliveredAlert, DrillFault, DrillRecord } from './core/drill/model.ts';
import type { AlertKind, IncidentChange } from './core/incidents.ts';
import type {
  Actor,
  AuditEntry,
  FaultMode,
  Incident,
  IncidentEvent,
  ProbeResult,
  RoutingLock,
  RoutingState,
  Severity,
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

/**
 * Transmission sequence numbers that survive rounds and invocations. A probe peeks the next
 * number, sends it, and commits it only once the platform acknowledged the record: a probe
 * aborted before sending leaves no false gap, and a retry re-sends the same number.
 */
export interface SequenceSource {
  /** The number the next record on `stream` carries: one past the last committed (1 at first). */
  peek(stream: string, signal?: AbortSignal): Promise<number>;
  /** The platform acknowledged `sequence`. Idempotent; the counter never moves backwards. */
  commit(stream: string, sequence: number, signal?: AbortSignal): Promise<void>;
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

export interface IncidentQuery {
  /** ISO instant; incidents opened at or after it. */
  readonly since?: string;
  readonly limit?: number;
}

/** An alert waiting in the outbox until it is published; its id makes it unique. */
export interface OutboxAlert {
  /** Deterministic (`INC-…/open`, `INC-…/remind/2`), so the same alert is never queued twice. */
  readonly id: string;
  readonly incidentId?: string;
  readonly kind: AlertKind;
  /** The severity whose topic carries it. */
  readonly topic: Severity;
  readonly message: AlertMessage;
  readonly createdAt: string;
  readonly drillId?: string;
  /** Publish attempts so far (claims), and the last failure. */
  readonly attempts: number;
  readonly lastError?: string;
  /** Another run holds it until then. */
  readonly claimedUntil?: string;
}

export interface TargetWrite {
  readonly target: TargetState;
  /** 0: the target must not be stored yet. */
  readonly expectedVersion: number;
}

/** One incident change and its alert, written together or not at all. */
export interface IncidentWrite {
  readonly change: IncidentChange;
  readonly alert?: OutboxAlert;
}

export type AcknowledgeOutcome =
  | { readonly acknowledged: true; readonly incident: Incident }
  /** Already acknowledged or resolved: nothing changed, `reason` says why. */
  | { readonly acknowledged: false; readonly incident: Incident; readonly reason: string };

/**
 * Targets, results, incidents and the alert outbox. Writes are conditional on the version read,
 * so two overlapping rounds never both apply (they get VersionConflictError or
 * AlreadyExistsError and decide again next round).
 */
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
   * applies only at `expectedVersion` (VersionConflictError). The alert is queued in the same write.
   */
  applyIncidentChange(write: IncidentWrite, signal?: AbortSignal): Promise<void>;
  /** NotFoundError for an unknown id. */
  acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome>;

  /** Queues an alert that belongs to no incident; AlreadyExistsError when it is queued already. */
  queueAlert(alert: OutboxAlert, signal?: AbortSignal): Promise<void>;
  pendingAlerts(signal?: AbortSignal): Promise<OutboxAlert[]>;
  /** True when this owner now holds the alert until `leaseUntil`; false when someone else does or it is gone. */
  claimAlert(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean>;
  /** Removes it from the outbox and notes the publish in the incident's timeline. */
  markAlertSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void>;
  /** Gives the claim back after a failed publish, keeping the error for the next attempt. */
  releaseAlert(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void>;

  /** The drill running now (item DRILL / ACTIVE, written by the drill runner), if any. */
  activeDrill(signal?: AbortSignal): Promise<DrillScope | undefined>;
}

/** What a round needs to know of the running drill. */
export interface DrillScope {
  readonly drillId: string;
  /**
   * The `site#stage` targets the drill breaks. Only incidents about them are drill incidents: a
   * real problem elsewhere during a drill must page as real. Absent: the drill covers everything.
   */
  readonly targets?: readonly string[];
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
  readonly incidentId?: string;
  /** True when an operator overrode pre-flight and dwell (`--force`). */
  readonly forced?: boolean;
  /** True when this run finished a switch an earlier, interrupted run had started. */
  readonly repaired?: boolean;
}

/** Something the controller could not do for a record; the caller logs it and counts an error metric. */
export interface ReconcileFailure {
  readonly record: string;
  /**
   * `read`: the routing state, the lock or the record could not be read, so nothing was decided
   * and the record's conditions are unknown this round (keep its routing incidents as they are).
   * `switch`: a switch failed (a condition says so). `audit`: an audit entry could not be written.
   */
  readonly step: 'read' | 'switch' | 'audit';
  readonly message: string;
}

export interface FailoverOutcome {
  /** Routing after this reconcile. */
  readonly routing: readonly RoutingState[];
  /**
   * Every condition that holds now; an open condition incident not listed here resolves,
   * except for records with a `read` failure.
   */
  readonly conditions: readonly RoutingCondition[];
  readonly switches: readonly SwitchEvent[];
  readonly failures: readonly ReconcileFailure[];
}

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

/** Decides and carries out switches after each round (issue 5 implements it). */
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

/** What a managed record answers right now, according to the DNS authority. */
export interface RecordReading {
  /** The site whose configured value the record holds; undefined when it holds neither. */
  readonly site?: Site;
  /** False when the record does not exist in the zone. */
  readonly exists: boolean;
  /** The value as read, for messages (`A 127.0.0.1`, `alias d111.cloudfront.net.`). */
  readonly description: string;
}

export interface RouteOptions {
  /** Why, and on whose behalf: the incident or drill id goes into the change comment. */
  readonly comment: string;
  /** Aborts retries and the INSYNC wait; a change already accepted still applies. */
  readonly signal?: AbortSignal;
  /** Stop waiting for INSYNC after this long (the switch is reported as PENDING). */
  readonly insyncTimeoutMs: number;
}

export interface RouteResult {
  /** False when the record already served the site: nothing was sent. */
  readonly changed: boolean;
  readonly changeId?: string;
  /** INSYNC: every authoritative server answers the new value; PENDING: not confirmed yet. */
  readonly status: 'PENDING' | 'INSYNC';
  /** The record as read back after the change. */
  readonly reading: RecordReading;
}

/**
 * Moves a managed record between sites. The control-plane mode (Route53Router) UPSERTs the
 * record to the site's value, waits for INSYNC and reads the record back.
 *
 * A data-plane mode fits the same two methods: the record becomes a Route 53 failover pair
 * (PRIMARY/SECONDARY) whose PRIMARY health check reads a signal hcguard controls (a CloudWatch
 * alarm on a metric hcguard publishes, or an ARC routing control). `read` derives the serving
 * site from the signal's state; `route` flips the signal (PutMetricData / UpdateRoutingControlState,
 * both data-plane APIs), waits until the health check reports the new status (its `changeId` is
 * then the health check id and the status INSYNC once observed), and reads it back. The
 * controller's exactly-once protocol (intent, change, confirmation) does not change.
 */
export interface Router {
  read(record: ManagedRecord, signal?: AbortSignal): Promise<RecordReading>;
  route(record: ManagedRecord, site: Site, options: RouteOptions): Promise<RouteResult>;
}

// ---------------------------------------------------------------- drills (issue 6)

/** The running-drill item (pk DRILL, sk ACTIVE): rounds tag incidents and alerts with its id. */
export interface ActiveDrill {
  readonly drillId: string;
  readonly startedAt: string;
  readonly scenario: string;
  /** `site#stage` of every fault the drill injects: what its incidents are about. */
  readonly targets: readonly string[];
  /** With simulated injection: the faults rounds feed into evaluation (empty when none is in). */
  readonly simulatedFaults: readonly DrillFault[];
}

/** A drill as `hcguard drills` lists it. */
export interface DrillListing {
  readonly id: string;
  readonly scenario: string;
  readonly dryRun: boolean;
  readonly status: DrillRecord['status'];
  readonly outcome?: DrillRecord['outcome'];
  readonly startedBy: Actor;
  readonly startedAt: string;
  readonly endedAt?: string;
}

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
