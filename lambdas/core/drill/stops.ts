// Stop conditions, checked on every tick once the fault may be in place: an operator's abort,
// the time limit, the backup degrading, an incident the drill does not explain (a real one). The
// drill then jumps to restore in abort mode: clear the faults, and as soon as the primary passes
// pre-flight, switch back with `--force` (only dwell and stability are overridden: the drill
// caused the switch) — traffic never stays on the backup unrecorded.
import type { DrillObservation } from './observation.ts';
import type { DrillPhaseName, DrillRecord, StopCode } from './model.ts';
import { type DrillPolicy, MINUTE_MS } from './timing.ts';
import { PHASE_WAITING, currentPhase, endPhase, isFaulted, startPhase, targetOf } from './state.ts';
import { STAGES } from '../model/vocabulary.ts';
import { explainsIncident } from './absorb.ts';

// ---------------------------------------------------------------- stop conditions

/** Phases during which the fault may be in place and traffic may be on the backup. */
const GUARDED: ReadonlySet<DrillPhaseName> = new Set(['inject', 'identify', 'notify', 'decide', 'activate', 'restore']);

/** Why the drill must stop now, if it must. */
export const stopCondition = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): { code: StopCode; reason: string } | undefined => {
  if (drill.abortRequested)
    return { code: 'operator', reason: `${drill.abortRequested.by}: ${drill.abortRequested.reason}` };
  const phase = currentPhase(drill).name;
  if (!GUARDED.has(phase) || drill.dryRun) return undefined;
  const limitAt = Date.parse(drill.startedAt) + drill.timeLimitMinutes * MINUTE_MS;
  if (observation.now.getTime() >= limitAt) {
    return {
      code: 'time-limit',
      reason: `the drill ran longer than drills.timeLimitMinutes (${drill.timeLimitMinutes} min) while in ${phase}`,
    };
  }
  // The backup first: its trouble also opens incidents, and "the backup degraded" says more.
  const degraded = STAGES.flatMap((stage) => {
    if (isFaulted(drill, 'backup', stage)) return [];
    const state = targetOf(observation.targets, 'backup', stage);
    return state && (state.health === 'degraded' || state.health === 'failing')
      ? [`${stage} ${state.health}${state.lastFailureClass ? ` (${state.lastFailureClass})` : ''}`]
      : [];
  });
  if (degraded.length > 0)
    return { code: 'backup-degraded', reason: `the backup degraded during the drill: ${degraded.join(', ')}` };
  const real = observation.incidents.filter(
    (incident) => incident.status !== 'resolved' && !explainsIncident(drill, incident, policy),
  );
  if (real.length > 0) {
    return {
      code: 'real-incident',
      reason:
        `an incident the drill did not cause opened: ` +
        `${real.map((incident) => `${incident.id} ${incident.severity} ${incident.title}`).join('; ')}`,
    };
  }
  return undefined;
};

export const applyStopConditions = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): DrillRecord => {
  if (drill.abort) return drill;
  const stop = stopCondition(drill, observation, policy);
  if (!stop) return drill;
  return abortInto(drill, stop.code, stop.reason, observation.now);
};

/** Marks the drill aborted and moves it to restore (nothing to restore before inject began). */
export const abortInto = (drill: DrillRecord, code: StopCode, reason: string, now: Date): DrillRecord => {
  const at = now.toISOString();
  const phase = currentPhase(drill);
  const { abortRequested: _handled, ...rest } = drill;
  let next: DrillRecord = { ...rest, abort: { code, reason, at, phase: phase.name } };
  if (phase.name === 'restore' || phase.name === 'summary') return next;
  next = endPhase(next, 'aborted', `aborted: ${reason}`, at);
  const restoreNeeded = drill.plan.includes('restore') && (phase.name !== 'preflight' || drill.step !== undefined);
  return startPhase(
    next,
    restoreNeeded ? 'restore' : 'summary',
    at,
    restoreNeeded ? 'restoring after abort' : PHASE_WAITING.summary,
  );
};
