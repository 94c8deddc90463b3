// Preflight: the checks every drill needs before it may break anything; a dry run walks every
// phase's checks here and ends.
import type { Incident } from '../model/incidents.ts';
import type { DrillCheck, DrillRecord } from './model.ts';
import type { DrillObservation } from './observation.ts';
import { type DrillPolicy } from './timing.ts';
import { flapRisk, holdClearCommand } from '../holds.ts';
import { dwellEndsAt, freshSince, preflight } from '../routing/checks.ts';
import {
  PHASE_WAITING,
  type PhaseHandler,
  activeSiteOf,
  allRecordNames,
  check,
  endPhase,
  ended,
  routingOf,
  startPhase,
  targetOf,
  updatePhase,
} from './state.ts';
import { STAGES } from '../model/vocabulary.ts';

const incidentLine = (incident: Incident): string => `${incident.id} ${incident.severity} ${incident.title}`;

/** The state checks every drill needs before it may break anything. */
export const preflightChecks = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): DrillCheck[] => {
  const { now, targets, incidents, routing, lock } = observation;
  const checks: DrillCheck[] = [];
  const other =
    observation.activeDrillId !== undefined && observation.activeDrillId !== drill.id
      ? observation.activeDrillId
      : undefined;
  checks.push(
    check(
      'no other drill running',
      other === undefined,
      other
        ? `drill ${other} is running: finish it with \`hcguard drill --resume ${other}\` or \`--abort ${other}\``
        : 'no other drill holds the running-drill item',
    ),
  );
  if (drill.step === 'notify') return checks;
  const open = incidents.filter((incident) => incident.status !== 'resolved');
  checks.push(
    check(
      'no real incident open',
      open.length === 0,
      open.length === 0
        ? 'no incident is open'
        : `open: ${open.map(incidentLine).join('; ')} — a drill would mix with a real problem`,
    ),
  );
  checks.push(
    check(
      'no routing lock',
      lock === undefined,
      lock ? `routing locked by ${lock.actor} since ${lock.at}: ${lock.reason}` : 'routing is not locked',
    ),
  );
  const away = allRecordNames(policy).filter(
    (record) => activeSiteOf(routing, record) !== 'primary' || routingOf(routing, record)?.pending,
  );
  checks.push(
    check(
      'traffic on the primary',
      away.length === 0,
      away.length === 0
        ? 'every managed record points at the primary'
        : `not on the primary (or switching): ${away.join(', ')}`,
    ),
  );
  const fresh = freshSince({ now, intervalSeconds: policy.schedule.intervalSeconds });
  const backup = preflight(targets, 'backup', fresh);
  checks.push(
    check(
      'backup ready on all three stages',
      backup.length === 0,
      backup.length === 0
        ? 'collection, transmission and verification are healthy on the backup with fresh results'
        : `${backup.map((refusal) => refusal.detail).join('; ')} — is the prober running?`,
    ),
  );
  const primaryProblems = STAGES.flatMap((stage) => {
    const state = targetOf(targets, 'primary', stage);
    return state?.health === 'healthy' ? [] : [`${stage} ${state?.health ?? 'unknown'}`];
  });
  checks.push(
    check(
      'primary healthy',
      primaryProblems.length === 0,
      primaryProblems.length === 0
        ? 'every stage of the primary is healthy'
        : `primary: ${primaryProblems.join(', ')} — the drill could not tell its fault from a real one`,
    ),
  );
  const dwell = allRecordNames(policy).flatMap((record) => {
    const state = routingOf(routing, record);
    const allowedAt = state ? dwellEndsAt(state, policy.failover.dwellMinutes, now) : undefined;
    return allowedAt
      ? [`${record} switched at ${state?.lastSwitchedAt}; next switch allowed after ${allowedAt.toISOString()}`]
      : [];
  });
  checks.push(flapCheck(drill, observation, policy));
  if (drill.expectFailover) {
    checks.push(
      check(
        'no dwell hold',
        dwell.length === 0,
        dwell.length === 0 ? 'no record switched within failover.dwellMinutes' : dwell.join('; '),
      ),
    );
  }
  return checks;
};

/**
 * A warning, not a refusal: the drill's fault and recovery add two health changes to each faulted
 * target, and with the recent ones that may reach the flap limit, so the restore would wait for
 * the hold (minutes) and the drill would measure the hold instead of the recovery.
 */
const flapCheck = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillCheck => {
  const { changes, windowMinutes } = policy.detection.flap;
  const risks = drill.faults.flatMap((fault) => {
    const state = targetOf(observation.targets, fault.site, fault.stage);
    const risk = state ? flapRisk(state, policy.detection, observation.now) : undefined;
    if (!risk) return [];
    const wait = risk.until
      ? `start after ${risk.until}, or end the hold later with \`${holdClearCommand(fault.site, fault.stage)}\``
      : `detection.flap.changes (${changes}) is too low for a drill to avoid it`;
    return [
      `${fault.site}/${fault.stage} changed health ${risk.changes} time(s) in the last ${windowMinutes} min; ` +
        `the drill's two changes would hold it at failing (flap limit ${changes}): ${wait}`,
    ];
  });
  return check(
    'no flap hold ahead',
    risks.length === 0,
    risks.length === 0 ? 'the drill stays below the flap limit on every faulted target' : risks.join('; '),
    false,
  );
};

export const preflightPhase: PhaseHandler = (drill, observation, policy) => {
  const environment = observation.environment ?? {};
  const checks = [...preflightChecks(drill, observation, policy), ...(environment.preflight ?? [])];
  const failed = checks.filter((entry) => entry.required && !entry.ok);
  let next = updatePhase(drill, { checks });
  if (drill.dryRun) {
    // A dry run walks every phase's checks now and ends: nothing is injected or switched.
    next = endPhase(
      next,
      failed.length ? 'failed' : 'passed',
      `dry run: ${summarizeChecks(checks)}`,
      observation.now.toISOString(),
    );
    for (const name of drill.plan.slice(1, -1)) {
      const phaseChecks = environment[name] ?? [];
      const phaseFailed = phaseChecks.some((entry) => entry.required && !entry.ok);
      next = startPhase(next, name, observation.now.toISOString(), '');
      next = updatePhase(next, { checks: phaseChecks });
      next = endPhase(
        next,
        phaseFailed ? 'failed' : 'passed',
        `dry run: ${phaseChecks.length ? summarizeChecks(phaseChecks) : 'nothing to check'}`,
        observation.now.toISOString(),
      );
    }
    return { drill: next, actions: [] };
  }
  if (failed.length > 0) {
    next = endPhase(
      next,
      'failed',
      `refused: ${failed.map((entry) => `${entry.name}: ${entry.detail}`).join('; ')}`,
      observation.now.toISOString(),
    );
    // Nothing was broken: straight to the summary.
    next = startPhase(next, 'summary', observation.now.toISOString(), PHASE_WAITING.summary);
    return { drill: { ...next, outcome: 'refused' }, actions: [] };
  }
  return ended(next, 'passed', summarizeChecks(checks), observation.now);
};

const summarizeChecks = (checks: readonly DrillCheck[]): string => {
  const failed = checks.filter((entry) => !entry.ok && entry.required);
  const warned = checks.filter((entry) => !entry.ok && !entry.required);
  if (failed.length === 0 && warned.length === 0) return `${checks.length} check(s) passed`;
  return [
    `${checks.length - failed.length - warned.length} of ${checks.length} check(s) passed`,
    ...(failed.length ? [`failed: ${failed.map((entry) => entry.name).join(', ')}`] : []),
    ...(warned.length ? [`warning: ${warned.map((entry) => entry.name).join(', ')}`] : []),
  ].join('; ');
};
