// The drill's phase machine. Pure: the stored drill and one observation of the world in, the
// next drill and the actions to carry out out. The runner (lambdas/app/drill.ts) observes,
// calls `advanceDrill`, carries out the actions, reports each outcome with `applyActionResult`
// (./outcomes.ts) and stores the drill — so a drill can stop at any instant and be resumed by
// another process.
//
// Rules (the emergency plan's procedure):
// - preflight → inject → identify → notify → decide → activate → restore → summary. A phase
//   ends when what it waits for has been observed; several may end in one tick. One file per
//   group of phases: ./phase-preflight.ts, ./phases-detect.ts, ./phases-recover.ts.
// - The drill does not switch traffic itself in a scenario: the normal pipeline detects the
//   fault, opens the incident, alerts and fails over. The drill measures it (./absorb.ts), then
//   clears the fault and fails back through the operator path (`failback`, approved by the drill).
// - Stop conditions (./stops.ts), checked on every tick once the fault may be in place.
import type { DrillAction, DrillPhaseName, DrillRecord } from './model.ts';
import type { DrillObservation } from './observation.ts';
import type { DrillPolicy } from './timing.ts';
import {
  type DrillStep,
  PHASE_WAITING,
  type PhaseHandler,
  currentPhase,
  nextPhaseName,
  notePhaseLines,
  startPhase,
} from './state.ts';
import { absorb } from './absorb.ts';
import { activatePhase, restorePhase, summaryPhase } from './phases-recover.ts';
import { applyStopConditions } from './stops.ts';
import { dataWrite } from './outcomes.ts';
import { decidePhase, identifyPhase, injectPhase, notifyPhase } from './phases-detect.ts';
import { preflightPhase } from './phase-preflight.ts';

/** One tick: absorb what was observed, apply stop conditions, move through the phases. */
export const advanceDrill = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillStep => {
  if (drill.status === 'finished') return { drill, actions: [] };
  const at = observation.now.toISOString();
  let next = absorb(drill, observation, policy);
  next = applyStopConditions(next, observation, policy);
  const actions: DrillAction[] = [];
  // Each phase either waits (returns actions) or ends; ending starts the next one at once.
  for (let guard = 0; guard <= 2 * next.plan.length && next.status === 'running'; guard++) {
    const handled = currentPhase(next);
    const result = PHASE_HANDLERS[handled.name](next, observation, policy);
    next = result.drill;
    actions.push(...result.actions);
    if (next.status === 'finished') break;
    const current = currentPhase(next);
    if (current.outcome === 'running') {
      // The handler moved on by itself (a refusal jumps to the summary): let the new phase act now.
      if (current.index !== handled.index) continue;
      break;
    }
    const following = nextPhaseName(next);
    next = startPhase(next, following, at, PHASE_WAITING[following]);
  }
  next = notePhaseLines(next, at);
  const write = dataWrite(next, observation, policy);
  if (write) actions.push(write);
  return { drill: next, actions };
};

const PHASE_HANDLERS: Readonly<Record<DrillPhaseName, PhaseHandler>> = {
  preflight: preflightPhase,
  inject: injectPhase,
  identify: identifyPhase,
  notify: notifyPhase,
  decide: decidePhase,
  activate: activatePhase,
  restore: restorePhase,
  summary: summaryPhase,
};
