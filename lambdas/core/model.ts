// The domain vocabulary shared by every part of hcguard (see ../shared/design/ARCHITECTURE.md).
// Plain data only: no classes, no I/O, so values cross ports, DynamoDB and JSON unchanged.

export const SITES = ['primary', 'backup'] as const;
export type Site = (typeof SITES)[number];

export const STAGES = ['collection', 'transmission', 'verification'] as const;
export type Stage = (typeof STAGES)[number];

/** SEV1 is the most serious: citizens cannot be verified, or a security breach. */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const OUTCOMES = ['ok', 'degraded', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Why a probe failed. `aborted` means the prober itself ran out of time (the Lambda deadline),
 * so it says nothing about the platform and evaluation ignores it.
 */
export const FAILURE_CLASSES = [
  'timeout',
  'connect',
  'tls',
  'redirect',
  'status',
  'assertion',
  'integrity',
  'wrong-verdict',
  'malformed',
  'too-large',
  'aborted',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export const otherSite = (site: Site): Site => (site === 'primary' ? 'backup' : 'primary');

/** A failed expectation, with identity values and secrets already replaced by a short hash. */
export interface AssertionFailure {
  readonly step: string;
  readonly assertion: string;
  readonly expected: string;
  readonly actual: string;
}

export interface StepResult {
  readonly name: string;
  readonly durationMs: number;
  readonly status?: number;
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  readonly message?: string;
}

/** What one probe run observed. */
export interface ProbeResult {
  readonly probeId: string;
  readonly site: Site;
  readonly stage: Stage;
  /** ISO-8601 instant the probe started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  /** One line a human can read: what went wrong, never an identity value or secret. */
  readonly message?: string;
  readonly steps: readonly StepResult[];
  readonly failure?: AssertionFailure;
  /** Set when the result was produced or injected during a drill. */
  readonly drillId?: string;
  /** Problems of the prober itself that did not change the verdict (e.g. a sequence number not saved). */
  readonly warnings?: readonly string[];
  /**
   * The prober could not run this probe at all (a secret or the sequence store was unavailable):
   * the result says nothing about the platform, but hcguard itself needs fixing.
   */
  readonly proberError?: true;
}

export const TARGET_HEALTH = ['unknown', 'healthy', 'degraded', 'failing'] as const;
export type TargetHealth = (typeof TARGET_HEALTH)[number];

export const targetKey = (site: Site, stage: Stage): string => `${site}#${stage}`;

/** Ways the sandbox (or a real platform's fault hook) can be broken on purpose. */
export const FAULT_MODES = [
  'error',
  'latency',
  'hang',
  'reset',
  'tamper',
  'wrong-verdict',
  'accept-all',
  'drop-writes',
  'stale-replica',
  'malformed',
  'huge-body',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** The evaluated health of one (site, stage), with the counters hysteresis needs. */
export interface TargetState {
  readonly site: Site;
  readonly stage: Stage;
  readonly health: TargetHealth;
  /** ISO instant `health` took its current value. */
  readonly since: string;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Consecutive rounds that were degraded or failed (healthy → degraded); 0 when absent. */
  readonly consecutiveNotOk?: number;
  /** Consecutive rounds that were ok or degraded (failing → degraded); 0 when absent. */
  readonly consecutiveAnswering?: number;
  /** What hysteresis alone says; differs from `health` while flap detection holds it at failing. */
  readonly observedHealth?: TargetHealth;
  readonly lastOutcome?: Outcome;
  readonly lastFailureClass?: FailureClass;
  readonly lastMessage?: string;
  readonly lastResultAt?: string;
  /** ISO instants of recent health changes, newest last (flap detection). */
  readonly recentChanges: readonly string[];
  /** True while flap detection holds the target at failing. */
  readonly flapping: boolean;
  /** Optimistic-locking version; 0 for a target never stored. */
  readonly version: number;
}

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** What an incident is about: a probe target, or a finding about the system as a whole. */
export const INCIDENT_KINDS = ['probe', 'cannot-fail-over', 'no-healthy-site', 'heartbeat'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface Incident {
  /** Short, human-typeable id (`hcguard ack <id>`). */
  readonly id: string;
  /** Deterministic: the same problem always has the same key, so it opens one incident. */
  readonly dedupKey: string;
  readonly kind: IncidentKind;
  readonly site?: Site;
  readonly stage?: Stage;
  readonly failureClass?: FailureClass;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  /** One line: what is wrong and where. */
  readonly title: string;
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly escalatedAt?: string;
  readonly lastNotifiedAt?: string;
  readonly reminders: number;
  readonly resolvedAt?: string;
  readonly drillId?: string;
  /** The severity rule's reason (or the fixed level's) at the time the level was set. */
  readonly severityReason?: string;
  /** What was observed when it opened: the probe's message or the routing condition's detail. */
  readonly detail?: string;
  /** The managed record a routing incident is about. */
  readonly record?: string;
  readonly version: number;
}

export interface IncidentEvent {
  readonly incidentId: string;
  readonly at: string;
  readonly type:
    | 'opened'
    | 'escalated'
    | 'reminded'
    | 'acknowledged'
    | 'resolved'
    | 'switched'
    | 'switch-refused'
    | 'alerted'
    | 'note';
  readonly detail: string;
}

/** Who or what caused a change: the controller, an operator, or a drill. */
export type Actor = `controller` | `operator:${string}` | `drill:${string}`;

/** Where one managed record points, and why. */
export interface RoutingState {
  /** The record's name, lower case without trailing dot. */
  readonly record: string;
  readonly activeSite: Site;
  readonly since: string;
  readonly reason: string;
  readonly actor: Actor;
  readonly incidentId?: string;
  readonly drillId?: string;
  /**
   * A switch that was recorded but not yet confirmed in Route 53. The next run compares it
   * with the record's actual value and finishes or rolls it back.
   */
  readonly pending?: {
    readonly toSite: Site;
    readonly requestedAt: string;
    readonly reason: string;
    readonly actor: Actor;
    readonly changeId?: string;
    /**
     * The run that wrote the intent may submit the Route 53 change only until this instant;
     * other runs repair the intent only after it (plus a grace), so they never race the owner.
     */
    readonly leaseUntil?: string;
    readonly incidentId?: string;
    readonly drillId?: string;
    /** An operator overrode pre-flight and dwell (`hcguard failover --force`). */
    readonly forced?: boolean;
  };
  /** When traffic last moved (absent for a record never switched); dwell counts from here. */
  readonly lastSwitchedAt?: string;
  /** The Route 53 change of the last switch. */
  readonly lastChange?: { readonly id: string; readonly status: 'PENDING' | 'INSYNC'; readonly at: string };
  /** Why the controller currently refuses a switch it wants to make; absent when it does not. */
  readonly refusal?: {
    readonly toSite: Site;
    readonly codes: readonly string[];
    readonly message: string;
    readonly since: string;
  };
  readonly version: number;
}

/** Freezes automatic switching during maintenance. */
export interface RoutingLock {
  readonly reason: string;
  readonly actor: Actor;
  readonly at: string;
}

/** One append-only audit line: every decision, with who or what caused it. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: Actor;
  readonly action: string;
  readonly subject: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  readonly drillId?: string;
}
