// The drill vocabulary: what a drill is, what it has measured so far, and what it asks the
// runner to do. Plain data, so a drill crosses DynamoDB, a Lambda payload and JSON unchanged and
// can be resumed by any process from what was stored.
import type { Actor, FaultMode, Severity, Site, Stage } from '../model/vocabulary.ts';
import type { DrillWait } from './waits.ts';

/**
 * The emergency plan's steps, in order (the emergency plan: preflight, inject, identify, notify,
 * decide, activate, restore, summary).
 */
export const DRILL_PHASES = [
  'preflight',
  'inject',
  'identify',
  'notify',
  'decide',
  'activate',
  'restore',
  'summary',
] as const;
export type DrillPhaseName = (typeof DRILL_PHASES)[number];

/** Process tests: one procedure on its own (`hcguard drill --step …`). */
export const DRILL_STEPS = ['notify', 'switch', 'restore'] as const;
export type DrillStepName = (typeof DRILL_STEPS)[number];

export const PHASE_OUTCOMES = ['running', 'passed', 'failed', 'skipped', 'aborted'] as const;
export type PhaseOutcome = (typeof PHASE_OUTCOMES)[number];

export const DRILL_OUTCOMES = ['passed', 'failed', 'aborted', 'refused'] as const;
export type DrillOutcome = (typeof DRILL_OUTCOMES)[number];

/** Why a drill stopped before its plan was done. */
export const STOP_CODES = ['real-incident', 'backup-degraded', 'time-limit', 'operator', 'inject-failed'] as const;
export type StopCode = (typeof STOP_CODES)[number];

export type InjectionMode = 'platform' | 'simulated';

export interface DrillFault {
  readonly site: Site;
  readonly stage: Stage;
  readonly mode: FaultMode;
  readonly latencyMs?: number;
}

export interface DrillObjectives {
  readonly rtoSeconds: number;
  readonly rpoRecords: number;
  readonly detectSeconds?: number;
  readonly notifySeconds?: number;
  readonly switchSeconds?: number;
  readonly ackSeconds?: number;
  /** Objectives no config set, taken from what the settings promise; the report says so. */
  readonly derived?: readonly DerivedObjective[];
}

export const DERIVED_OBJECTIVES = ['detectSeconds', 'notifySeconds', 'switchSeconds'] as const;
export type DerivedObjective = (typeof DERIVED_OBJECTIVES)[number];

/** One thing a phase verified: shown in the report and, for a dry run, the whole point. */
export interface DrillCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** A failed required check refuses the drill; others are reported only. */
  readonly required: boolean;
}

export interface PhaseRecord {
  readonly name: DrillPhaseName;
  /** Position in the drill's plan (0-based); the store keys phases by it. */
  readonly index: number;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly outcome: PhaseOutcome;
  /** One line: what happened or what the phase is waiting for. */
  readonly detail: string;
  readonly checks: readonly DrillCheck[];
  /** Each different line the phase showed, from when (bounded, newest kept); the report's progress. */
  readonly notes?: readonly { readonly at: string; readonly detail: string }[];
}

/** Instants the drill observed; metrics are differences between them. */
export interface DrillMarks {
  readonly faultInjectedAt?: string;
  /** The incident the normal pipeline opened for the injected fault. */
  readonly incidentId?: string;
  readonly incidentSeverity?: Severity;
  readonly incidentOpenedAt?: string;
  readonly alertDeliveredAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  /** The controller recorded its intent to switch (routing `pending`). */
  readonly switchRequestedAt?: string;
  /** Routing points at the backup. */
  readonly switchedAt?: string;
  /** Route 53 answers the backup everywhere. */
  readonly insyncAt?: string;
  /** A verification probe on the backup passed after the switch: citizens are served again. */
  readonly backupServingAt?: string;
  readonly faultClearedAt?: string;
  /** Every faulted stage of the primary healthy again after the fault was cleared. */
  readonly primaryHealthyAt?: string;
  /** Every record points at the primary again. */
  readonly failbackAt?: string;
  /** Restore finished: routing back, data checked. */
  readonly restoredAt?: string;
}

/** An alert read back from the audit subscription. */
export interface DeliveredAlert {
  readonly alertId: string;
  readonly kind: string;
  readonly severity: string;
  /** The topic's severity (from its name), when known. */
  readonly topic?: string;
  readonly incidentId?: string;
  readonly drillId?: string;
  readonly drill: boolean;
  /** When SNS accepted the publish. */
  readonly publishedAt?: string;
  /** When the message reached the audit queue: the delivery instant. */
  readonly deliveredAt: string;
  readonly subject?: string;
}

/** The records the drill wrote to measure data loss (RPO); ids are `<drillId>-<seq>`. */
export interface DrillData {
  /** Writes attempted so far; sequence numbers run 1..attempts. */
  readonly attempts: number;
  /** Sequence numbers the platform refused (an error a citizen saw, not silent loss). */
  readonly refused: readonly number[];
  /** Sequence numbers of writes that went to the backup. */
  readonly onBackup: readonly number[];
  /** The platform's own id for a record, by sequence number, where it assigns one (read-back by id). */
  readonly platformIds?: Readonly<Record<string, string>>;
  readonly lastWriteAt?: string;
  /** The read-back on the primary after restore. */
  readonly check?: {
    readonly at: string;
    readonly lost: readonly number[];
    readonly duplicated: readonly number[];
    /** Read-back attempts so far (replication may need a moment). */
    readonly attempts: number;
  };
  /** Why data could not be measured (no writer for this platform), when it could not. */
  readonly unmeasured?: string;
}

/** Citizens' view over time, where the local traffic simulator measured it. */
export interface ImpactSample {
  readonly at: string;
  readonly ok: number;
  readonly failed: number;
}

export interface DrillAbort {
  readonly code: StopCode;
  readonly reason: string;
  readonly at: string;
  /** The phase that was running when the drill stopped. */
  readonly phase: DrillPhaseName;
}

/** What the restore phase has done so far (it spans many ticks). */
export interface RestoreProgress {
  readonly faultsCleared: boolean;
  readonly switchRequested?: boolean;
  readonly failbackRequests: number;
  readonly lastFailbackAt?: string;
  readonly lastRefusal?: string;
}

export interface TestAlertProgress {
  /** Severities whose test alert was published, and when. */
  readonly published: Readonly<Partial<Record<Severity, string>>>;
  readonly delivered: Readonly<Partial<Record<Severity, string>>>;
  readonly errors: Readonly<Partial<Record<Severity, string>>>;
  /** Published, but the sent log could not be written: why (`hcguard alerts` will not show it). */
  readonly unlogged?: Readonly<Partial<Record<Severity, string>>>;
  /** The topics to test (`hcguard alerts test --severity`); every severity's when absent. */
  readonly severities?: readonly Severity[];
}

export interface DrillRecord {
  readonly id: string;
  /** A scenario name, or `step:<name>` for a process test. */
  readonly scenario: string;
  readonly step?: DrillStepName;
  readonly description: string;
  readonly dryRun: boolean;
  readonly injection: InjectionMode;
  readonly faults: readonly DrillFault[];
  readonly expectFailover: boolean;
  readonly objectives: DrillObjectives;
  readonly awaitAck: boolean;
  readonly timeLimitMinutes: number;
  readonly startedBy: Actor;
  readonly startedAt: string;
  readonly status: 'running' | 'finished';
  readonly outcome?: DrillOutcome;
  readonly endedAt?: string;
  /** The phases this drill walks, in order. */
  readonly plan: readonly DrillPhaseName[];
  /** Phases started so far, in plan order; the last one is the current one. */
  readonly phases: readonly PhaseRecord[];
  readonly marks: DrillMarks;
  readonly data: DrillData;
  /** Drill alerts read back so far (bounded). */
  readonly alerts: readonly DeliveredAlert[];
  readonly restore: RestoreProgress;
  readonly testAlerts?: TestAlertProgress;
  /** Routing refusals seen while waiting for the switch (bounded, newest last). */
  readonly refusals: readonly string[];
  /** What held the drill up, from when to when (bounded; absent on drills stored before it existed). */
  readonly waits?: readonly DrillWait[];
  readonly abort?: DrillAbort;
  /** Set while an operator asked to abort and the runner has not acted on it yet. */
  readonly abortRequested?: { readonly by: Actor; readonly reason: string; readonly at: string };
  /** What simulated citizens saw during the drill, captured when it ended (local runtime only). */
  readonly impact?: readonly ImpactSample[];
  /** The process advancing the drill, so a second one watches instead of acting twice. */
  readonly runner?: { readonly id: string; readonly leaseUntil: string };
  readonly version: number;
}

/** What the runner must do for the drill this tick; it reports each outcome back. */
export type DrillAction =
  | { readonly kind: 'inject'; readonly faults: readonly DrillFault[] }
  | { readonly kind: 'clear-faults'; readonly faults: readonly DrillFault[] }
  | { readonly kind: 'write-record'; readonly site: Site; readonly seq: number; readonly recordId: string }
  /** `hcguard failover --to <site>` on the drill's behalf (same safety checks). */
  | { readonly kind: 'switch'; readonly to: Site; readonly force: boolean; readonly reason: string }
  /** `hcguard failback` on the drill's behalf: the drill approves the return. */
  | { readonly kind: 'failback'; readonly reason: string }
  /** A drill-tagged test alert on one severity's topic (`--step notify`). */
  | { readonly kind: 'publish-test-alert'; readonly severity: Severity; readonly alertId: string }
  /** Delete the running-drill item (`DRILL`/`ACTIVE`): incidents stop carrying the drill id. */
  | { readonly kind: 'release' };

/** `at`: when the action ended; `startedAt`: when it began (a switch or a publish is timed from it). */
export type ActionResult =
  | {
      readonly ok: true;
      readonly at: string;
      readonly startedAt?: string;
      readonly detail?: string;
      readonly platformId?: string;
    }
  | {
      readonly ok: false;
      readonly at: string;
      readonly startedAt?: string;
      readonly error: string;
      readonly refusal?: boolean;
    };

export const recordIdFor = (drillId: string, seq: number): string => `${drillId}-${seq}`;

/** Sequence numbers of the records the platform accepted. */
export const writtenSeqs = (drill: Pick<DrillRecord, 'data'>): number[] => {
  const refused = new Set(drill.data.refused);
  return Array.from({ length: drill.data.attempts }, (_, index) => index + 1).filter((seq) => !refused.has(seq));
};

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

/** The running-drill item a new drill claims: nothing simulated yet. */
export const activeDrillOf = (drill: DrillRecord): ActiveDrill => ({
  drillId: drill.id,
  startedAt: drill.startedAt,
  scenario: drill.scenario,
  targets: [...new Set(drill.faults.map((fault) => `${fault.site}#${fault.stage}`))],
  simulatedFaults: [],
});

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
  /** The last phase's line: what a running drill waits for, or why a finished one ended so. */
  readonly detail?: string;
}

export const drillListing = (drill: DrillRecord): DrillListing => ({
  id: drill.id,
  scenario: drill.scenario,
  dryRun: drill.dryRun,
  status: drill.status,
  ...(drill.outcome ? { outcome: drill.outcome } : {}),
  startedBy: drill.startedBy,
  startedAt: drill.startedAt,
  ...(drill.endedAt ? { endedAt: drill.endedAt } : {}),
  ...lastPhaseLine(drill),
});

const lastPhaseLine = (drill: DrillRecord): { detail?: string } => {
  const phase = drill.phases.at(-1);
  if (!phase) return {};
  return { detail: drill.status === 'running' ? `${phase.name}: ${phase.detail}` : phase.detail };
};

/** An abort can be requested once, while the drill runs and is not stopping already. */
export const acceptsAbortRequest = (drill: DrillRecord): boolean =>
  drill.status === 'running' && !drill.abort && !drill.abortRequested;

/**
 * What a round needs to know of the running drill. Only incidents about its `targets` are drill
 * incidents: a real problem elsewhere during a drill must page as real. Without targets the drill
 * covers everything.
 */
export type DrillScope = Pick<ActiveDrill, 'drillId'> & Partial<Pick<ActiveDrill, 'targets'>>;
