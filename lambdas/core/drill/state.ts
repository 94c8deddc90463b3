// Reading a drill and moving it through its phases: the helpers every phase uses.
import { DATA_CHECK_ATTEMPTS, type DrillPolicy, MINUTE_MS, SECOND_MS } from './timing.ts';
import type { DrillAction, DrillCheck, DrillPhaseName, DrillRecord, PhaseOutcome, PhaseRecord } from './model.ts';
import type { DrillObservation } from './observation.ts';
import type { HcguardConfig } from '../config/schema.ts';
import { type RoutingState, normalizeRecordName } from '../model/routing.ts';
import type { Site, Stage } from '../model/vocabulary.ts';
import type { TargetState } from '../model/probing.ts';

// ---------------------------------------------------------------- helpers

export const currentPhase = (drill: DrillRecord): PhaseRecord => {
  const phase = drill.phases[drill.phases.length - 1];
  if (!phase) throw new Error(`drill ${drill.id} has no phase`);
  return phase;
};

export const phaseReached = (drill: DrillRecord, name: DrillPhaseName): boolean =>
  drill.phases.some((phase) => phase.name === name);

export const isFaulted = (drill: DrillRecord, site: Site, stage: Stage): boolean =>
  drill.faults.some((fault) => fault.site === site && fault.stage === stage);

export const elapsed = (from: string | undefined, to: string | Date): number | undefined =>
  from === undefined ? undefined : (typeof to === 'string' ? Date.parse(to) : to.getTime()) - Date.parse(from);

export const formatDuration = (ms: number): string => {
  if (ms < SECOND_MS) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < MINUTE_MS) return `${(ms / SECOND_MS).toFixed(ms < 10 * SECOND_MS ? 1 : 0)} s`;
  const minutes = Math.floor(ms / MINUTE_MS);
  const seconds = Math.round((ms % MINUTE_MS) / SECOND_MS);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
};

/** A measured interval: two instants recorded in the same millisecond read "under 1 ms", never "0 ms". */
export const formatMeasured = (ms: number): string => (ms < 1 ? 'under 1 ms' : formatDuration(ms));

/**
 * How long a phase took, for people; nothing for a phase skipped or ended in the tick it began
 * (a dry run's, or one whose wait was already over), where "0 ms" would say nothing.
 */
export const phaseTook = (phase: Pick<PhaseRecord, 'startedAt' | 'endedAt' | 'outcome'>): string | undefined => {
  if (!phase.endedAt || phase.outcome === 'skipped') return undefined;
  const ms = Date.parse(phase.endedAt) - Date.parse(phase.startedAt);
  return ms >= 1 ? formatDuration(ms) : undefined;
};

export const targetOf = (targets: readonly TargetState[], site: Site, stage: Stage): TargetState | undefined =>
  targets.find((target) => target.site === site && target.stage === stage);

/** The records a drill watches: those following a faulted primary stage, or every record in a step. */
export const watchedRecords = (drill: DrillRecord, policy: Pick<HcguardConfig, 'records'>): string[] => {
  const names = policy.records
    .filter((record) => drill.step !== undefined || isFaulted(drill, 'primary', record.stage))
    .map((record) => normalizeRecordName(record.name));
  return drill.step !== undefined || names.length > 0 ? names : [];
};

export const routingOf = (routing: readonly RoutingState[], record: string): RoutingState | undefined =>
  routing.find((state) => state.record === record);

/** Where a record points; one never switched has no state yet and points at the primary. */
export const activeSiteOf = (routing: readonly RoutingState[], record: string): Site =>
  routingOf(routing, record)?.activeSite ?? 'primary';

export const allRecordNames = (policy: DrillPolicy): string[] =>
  policy.records.map((record) => normalizeRecordName(record.name));

export const onBackupRecords = (routing: readonly RoutingState[], policy: DrillPolicy): string[] =>
  allRecordNames(policy).filter(
    (record) => activeSiteOf(routing, record) === 'backup' || routingOf(routing, record)?.pending !== undefined,
  );

export const dataCheckDue = (drill: DrillRecord): boolean =>
  drill.data.unmeasured === undefined &&
  drill.data.attempts > 0 &&
  drill.marks.restoredAt === undefined &&
  restoreRoutingDone(drill) &&
  (drill.data.check === undefined ||
    (drill.data.check.lost.length > 0 && drill.data.check.attempts < DATA_CHECK_ATTEMPTS));

/** Routing is back where it belongs and the faults are gone: the data can be read back. */
export const restoreRoutingDone = (drill: DrillRecord): boolean =>
  drill.restore.faultsCleared &&
  (drill.marks.switchedAt === undefined || drill.marks.failbackAt !== undefined) &&
  (drill.faults.length === 0 || drill.marks.primaryHealthyAt !== undefined);

// ---------------------------------------------------------------- phase bookkeeping

export const updatePhase = (
  drill: DrillRecord,
  change: Partial<Pick<PhaseRecord, 'detail' | 'checks' | 'outcome' | 'endedAt'>>,
): DrillRecord => {
  const phases = [...drill.phases];
  const last = phases.length - 1;
  const phase = phases[last];
  if (!phase) return drill;
  phases[last] = { ...phase, ...change };
  return { ...drill, phases };
};

export const endPhase = (
  drill: DrillRecord,
  outcome: Exclude<PhaseOutcome, 'running'>,
  detail: string,
  at: string,
): DrillRecord => {
  const phase = currentPhase(drill);
  if (phase.outcome !== 'running') return drill;
  return updatePhase(drill, { outcome, detail, endedAt: at });
};

/** The same sentence with its counters and instants removed, so "(5 s so far)" is not news. */
export const gist = (detail: string): string => detail.replace(/\d[\d.:TZ-]*( ?(ms|s|min))?/g, '#');

/** Phase lines kept per phase: the first of them is dropped first. */
export const MAX_PHASE_NOTES = 12;

/**
 * Notes each phase's line when it says something new: the running phase's, and the last line of
 * phases that ended at `at`.
 */
export const notePhaseLines = (drill: DrillRecord, at: string): DrillRecord => ({
  ...drill,
  phases: drill.phases.map((phase) => {
    if (phase.outcome !== 'running' && phase.endedAt !== at) return phase;
    const notes = phase.notes ?? [];
    const last = notes[notes.length - 1];
    if (last && gist(last.detail) === gist(phase.detail)) return phase;
    return { ...phase, notes: [...notes, { at, detail: phase.detail }].slice(-MAX_PHASE_NOTES) };
  }),
});

export const startPhase = (drill: DrillRecord, name: DrillPhaseName, at: string, detail: string): DrillRecord => ({
  ...drill,
  phases: [
    ...drill.phases,
    { name, index: drill.phases.length, startedAt: at, outcome: 'running', detail, checks: [] },
  ],
});

/** The phase after the current one in the drill's plan. */
export const nextPhaseName = (drill: DrillRecord): DrillPhaseName => {
  const position = drill.plan.indexOf(currentPhase(drill).name);
  return drill.plan[position + 1] ?? 'summary';
};

export const PHASE_WAITING: Readonly<Record<DrillPhaseName, string>> = {
  preflight: 'checking that the drill can start safely',
  inject: 'injecting the fault',
  identify: 'waiting for the pipeline to open an incident',
  notify: 'waiting for the drill alert to reach the audit queue',
  decide: 'waiting for an operator to acknowledge',
  activate: 'waiting for traffic to move to the backup',
  restore: 'clearing the fault and restoring routing',
  summary: 'summarising',
};

// ---------------------------------------------------------------- advancing

export interface DrillStep {
  readonly drill: DrillRecord;
  readonly actions: readonly DrillAction[];
}

export type PhaseHandler = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy) => DrillStep;

export const waiting = (drill: DrillRecord, detail: string, actions: readonly DrillAction[] = []): DrillStep => ({
  drill: updatePhase(drill, { detail }),
  actions,
});

export const ended = (
  drill: DrillRecord,
  outcome: Exclude<PhaseOutcome, 'running'>,
  detail: string,
  at: Date,
): DrillStep => ({
  drill: endPhase(drill, outcome, detail, at.toISOString()),
  actions: [],
});

// ---- preflight

export const check = (name: string, ok: boolean, detail: string, required = true): DrillCheck => ({
  name,
  ok,
  detail,
  required,
});

/** The stages the watched records follow. */
export const watchedStages = (drill: DrillRecord, policy: Pick<HcguardConfig, 'records'>): Stage[] => {
  const watched = watchedRecords(drill, policy);
  return [
    ...new Set(
      policy.records
        .filter((record) => watched.includes(normalizeRecordName(record.name)))
        .map((record) => record.stage),
    ),
  ];
};

export const latest = (values: readonly (string | undefined)[]): string | undefined =>
  values
    .filter((value): value is string => value !== undefined)
    .sort()
    .at(-1);

export const earliest = (values: readonly (string | undefined)[]): string | undefined =>
  values.filter((value): value is string => value !== undefined).sort()[0];

export const testAlertId = (drillId: string, severity: string): string => `test-${drillId}-${severity.toLowerCase()}`;
