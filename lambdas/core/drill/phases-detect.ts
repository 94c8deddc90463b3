// Inject, identify, notify, decide: the fault goes in and the drill measures how the pipeline
// detects it, opens the incident, alerts, and how fast an operator acknowledges.
import type { DrillObservation } from './observation.ts';
import { type DrillPolicy, notifyWaitMs } from './timing.ts';
import type { DrillRecord } from './model.ts';
import {
  type DrillStep,
  type PhaseHandler,
  currentPhase,
  elapsed,
  ended,
  formatDuration,
  testAlertId,
  waiting,
} from './state.ts';
import { SEVERITIES } from '../model/vocabulary.ts';
import { describeFault } from './scenarios.ts';

// ---- inject

export const injectPhase: PhaseHandler = (drill, observation) => {
  if (drill.marks.faultInjectedAt) {
    const how =
      drill.injection === 'simulated'
        ? 'simulated (results fed into evaluation; the platform is untouched)'
        : 'injected';
    return ended(
      drill,
      'passed',
      `${how}: ${drill.faults.map(describeFault).join(', ')} at ${drill.marks.faultInjectedAt}`,
      observation.now,
    );
  }
  return waiting(drill, `injecting ${drill.faults.map(describeFault).join(', ')}`, [
    { kind: 'inject', faults: drill.faults },
  ]);
};

// ---- identify

export const identifyPhase: PhaseHandler = (drill, observation, policy) => {
  const { marks } = drill;
  if (marks.incidentOpenedAt && marks.incidentId) {
    const detectMs = elapsed(marks.faultInjectedAt, marks.incidentOpenedAt) ?? 0;
    const { failureThreshold } = policy.detection;
    return ended(
      drill,
      'passed',
      `incident ${marks.incidentId} (${marks.incidentSeverity ?? 'severity unknown'}) ` +
        `opened ${formatDuration(detectMs)} after the fault (threshold ` +
        `${failureThreshold} rounds at ${policy.schedule.intervalSeconds} s)`,
      observation.now,
    );
  }
  const since = elapsed(marks.faultInjectedAt, observation.now) ?? 0;
  return waiting(
    drill,
    `waiting for the pipeline to open an incident (${soFar(since, '; ')}` +
      `expected after ${policy.detection.failureThreshold} failed rounds at ` +
      `${policy.schedule.intervalSeconds} s)`,
  );
};

// ---- notify

export const notifyPhase: PhaseHandler = (drill, observation, policy) => {
  if (drill.step === 'notify') return notifyStep(drill, observation, policy);
  const { marks } = drill;
  if (marks.alertDeliveredAt) {
    const alert = drill.alerts.find(
      (entry) => entry.deliveredAt === marks.alertDeliveredAt && entry.incidentId === marks.incidentId,
    );
    return ended(
      drill,
      'passed',
      `alert ${alert?.alertId ?? ''} ` +
        `(${alert?.severity ?? marks.incidentSeverity ?? ''}, drill-tagged) delivered ` +
        `${formatDuration(elapsed(marks.incidentOpenedAt, marks.alertDeliveredAt) ?? 0)} ` +
        `after the incident opened`.replace(/ {2,}/g, ' '),
      observation.now,
    );
  }
  const waited = elapsed(currentPhase(drill).startedAt, observation.now) ?? 0;
  if (waited >= notifyWaitMs(policy)) {
    return ended(
      drill,
      'failed',
      `no drill alert about incident ${marks.incidentId ?? '(none)'} reached the audit ` +
        `queue within ${formatDuration(notifyWaitMs(policy))}: the alert was not ` +
        `published or not delivered`,
      observation.now,
    );
  }
  return waiting(
    drill,
    `waiting for the alert about incident ${marks.incidentId ?? '(none)'} to reach ` +
      `the audit queue${soFar(waited, ')', ' (')}`,
  );
};

/** The test alerts of `--step notify` go to every severity topic, or to the ones asked for. */
const notifyStep = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillStep => {
  const progress = drill.testAlerts ?? { published: {}, delivered: {}, errors: {} };
  const topics = progress.severities ?? SEVERITIES;
  const unpublished = topics.filter(
    (severity) => progress.published[severity] === undefined && progress.errors[severity] === undefined,
  );
  if (unpublished.length > 0) {
    return waiting(
      drill,
      `publishing a test alert on ${unpublished.join(', ')}`,
      unpublished.map((severity) => ({
        kind: 'publish-test-alert',
        severity,
        alertId: testAlertId(drill.id, severity),
      })),
    );
  }
  const missing = topics.filter((severity) => progress.delivered[severity] === undefined);
  const waited = elapsed(currentPhase(drill).startedAt, observation.now) ?? 0;
  const latencies = topics.flatMap((severity) => {
    const ms = elapsed(progress.published[severity], progress.delivered[severity] ?? observation.now);
    return progress.delivered[severity] && ms !== undefined ? [`${severity} ${formatDuration(ms)}`] : [];
  });
  const unlogged = Object.entries(progress.unlogged ?? {}).map(([severity, why]) => `${severity} (${why})`);
  if (missing.length === 0)
    return ended(
      drill,
      'passed',
      `test alert delivered on ${progress.severities ? topics.join(', ') : 'every topic'}: ${latencies.join(', ')}` +
        (unlogged.length ? `; ${unlogged.join(', ')}` : ''),
      observation.now,
    );
  if (waited >= notifyWaitMs(policy)) {
    const why = missing.map((severity) =>
      progress.errors[severity]
        ? `${severity} (publish failed: ${progress.errors[severity]})`
        : `${severity} (not delivered)`,
    );
    return ended(
      drill,
      'failed',
      `not confirmed: ${why.join(', ')}${latencies.length ? `; delivered: ${latencies.join(', ')}` : ''}`,
      observation.now,
    );
  }
  return waiting(drill, `waiting for test alerts on ${missing.join(', ')}${soFar(waited, ')', ' (')}`);
};

// ---- decide

export const decidePhase: PhaseHandler = (drill, observation) => {
  if (!drill.awaitAck)
    return ended(drill, 'skipped', 'drills.awaitAck is off: no decision test in this drill', observation.now);
  const { marks } = drill;
  if (marks.acknowledgedAt) {
    const from = marks.alertDeliveredAt ?? marks.incidentOpenedAt;
    return ended(
      drill,
      'passed',
      `acknowledged by ${marks.acknowledgedBy ?? 'an operator'} ` +
        `${formatDuration(elapsed(from, marks.acknowledgedAt) ?? 0)} after the alert`,
      observation.now,
    );
  }
  return waiting(drill, `waiting for an operator: hcguard ack ${marks.incidentId ?? '<incident>'}`);
};

/** "1.6 s so far" between `before` and `after` once time has passed; nothing the instant a wait begins. */
const soFar = (ms: number, after: string, before = ''): string =>
  ms >= 1 ? `${before}${formatDuration(ms)} so far${after}` : '';
