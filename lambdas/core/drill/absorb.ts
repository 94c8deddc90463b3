// Folding what was observed into the drill's marks: its incident, alerts, the switch and the
// backup serving, the return, the primary's recovery, the read-back of written records.
import { DATA_CHECK_ATTEMPTS, type DrillPolicy, MAX_ALERTS, MAX_REFUSALS } from './timing.ts';
import type { DrillObservation } from './observation.ts';
import { type DrillRecord, recordIdFor, writtenSeqs } from './model.ts';
import type { Incident } from '../model/incidents.ts';
import type { ProbeResult } from '../model/probing.ts';
import { SEVERITIES, STAGES, type Stage } from '../model/vocabulary.ts';
import {
  dataCheckDue,
  earliest,
  isFaulted,
  latest,
  routingOf,
  targetOf,
  testAlertId,
  watchedRecords,
  watchedStages,
} from './state.ts';
import { normalizeRecordName } from '../model/routing.ts';
import { foldWaits, observedWaits } from './waits.ts';

// ---------------------------------------------------------------- absorbing observations

/** Whether the drill accounts for an incident: its own fault, or the routing trouble its fault causes. */
export const explainsIncident = (drill: DrillRecord, incident: Incident, policy: DrillPolicy): boolean => {
  const tagged =
    incident.drillId === drill.id ||
    (incident.drillId === undefined && Date.parse(incident.openedAt) >= Date.parse(drill.startedAt));
  if (!tagged) return false;
  if (incident.kind === 'probe')
    return (
      incident.site !== undefined && incident.stage !== undefined && isFaulted(drill, incident.site, incident.stage)
    );
  if (incident.kind === 'cannot-fail-over' || incident.kind === 'no-healthy-site') {
    return (
      incident.record !== undefined && watchedRecords(drill, policy).includes(normalizeRecordName(incident.record))
    );
  }
  return false;
};

export const absorb = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillRecord => {
  let marks = { ...drill.marks };
  const { now, routing, targets } = observation;
  // Alerts: keep this drill's, newest last, bounded.
  const known = new Set(drill.alerts.map((alert) => alert.alertId));
  const fresh = observation.alerts.filter((alert) => alert.drillId === drill.id && !known.has(alert.alertId));
  const alerts = [...drill.alerts, ...fresh]
    .sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt))
    .slice(-MAX_ALERTS);
  let testAlerts = drill.testAlerts;
  if (testAlerts) {
    const delivered = { ...testAlerts.delivered };
    for (const alert of fresh) {
      const severity = SEVERITIES.find((level) => alert.alertId === testAlertId(drill.id, level));
      if (severity && delivered[severity] === undefined) delivered[severity] = alert.deliveredAt;
    }
    testAlerts = { ...testAlerts, delivered };
  }
  // The incident the pipeline opened for the fault: the earliest one the drill explains.
  if (!marks.incidentId && drill.step === undefined && marks.faultInjectedAt) {
    const candidates = observation.incidents
      .filter((incident) => incident.kind === 'probe' && explainsIncident(drill, incident, policy))
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    const incident = candidates[0];
    if (incident)
      marks = {
        ...marks,
        incidentId: incident.id,
        incidentOpenedAt: incident.openedAt,
        incidentSeverity: incident.severity,
      };
  }
  const incident = observation.drillIncident ?? observation.incidents.find((entry) => entry.id === marks.incidentId);
  if (incident && incident.id === marks.incidentId && incident.acknowledgedAt && !marks.acknowledgedAt) {
    marks = {
      ...marks,
      acknowledgedAt: incident.acknowledgedAt,
      ...(incident.acknowledgedBy ? { acknowledgedBy: incident.acknowledgedBy } : {}),
    };
  }
  if (marks.incidentId && !marks.alertDeliveredAt) {
    const delivered = alerts.find((alert) => alert.incidentId === marks.incidentId);
    if (delivered) marks = { ...marks, alertDeliveredAt: delivered.deliveredAt };
  }
  // Routing: the switch, INSYNC, the backup serving, the return.
  const watched = watchedRecords(drill, policy);
  const states = watched.map((record) => routingOf(routing, record));
  if ((watched.length > 0 && marks.faultInjectedAt !== undefined) || drill.step !== undefined) {
    if (!marks.switchRequestedAt && !marks.switchedAt) {
      const pending = states.find((state) => state?.pending?.toSite === 'backup');
      if (pending?.pending) marks = { ...marks, switchRequestedAt: pending.pending.requestedAt };
    }
    const allBackup =
      watched.length > 0 && states.every((state) => state?.activeSite === 'backup' && state.pending === undefined);
    if (!marks.switchedAt && allBackup) {
      const switchedAt = latest(states.map((state) => state?.lastSwitchedAt ?? state?.since)) ?? now.toISOString();
      marks = { ...marks, switchedAt };
      if (!marks.switchRequestedAt)
        marks = { ...marks, switchRequestedAt: earliest(states.map((state) => state?.lastChange?.at)) ?? switchedAt };
    }
    if (marks.switchedAt && !marks.insyncAt && !marks.failbackAt) {
      const insync = states.every((state) => state?.activeSite === 'backup' && state.lastChange?.status === 'INSYNC');
      if (insync)
        marks = {
          ...marks,
          insyncAt: latest(states.flatMap((state) => [state?.since, state?.lastChange?.at])) ?? now.toISOString(),
        };
    }
    if (marks.switchedAt && !marks.backupServingAt && !marks.failbackAt) {
      const stages = watchedStages(drill, policy);
      const after = marks.insyncAt ?? marks.switchedAt;
      const firstGood = stages.map((stage) => firstGoodResult(observation.backupResults, stage, after));
      if (observation.backupResults && firstGood.every((at) => at !== undefined)) {
        marks = { ...marks, backupServingAt: latest(firstGood) ?? now.toISOString() };
      } else {
        const serving = stages.every((stage) => {
          const state = targetOf(targets, 'backup', stage);
          return state?.lastOutcome === 'ok' && state.lastResultAt !== undefined && state.lastResultAt > after;
        });
        if (serving)
          marks = {
            ...marks,
            backupServingAt:
              latest(stages.map((stage) => targetOf(targets, 'backup', stage)?.lastResultAt)) ?? now.toISOString(),
          };
      }
    }
    if (marks.switchedAt && !marks.failbackAt) {
      const back = states.every((state) => state?.activeSite === 'primary' && state.pending === undefined);
      if (back)
        marks = { ...marks, failbackAt: latest(states.map((state) => state?.lastSwitchedAt)) ?? now.toISOString() };
    }
  }
  if (marks.faultClearedAt && !marks.primaryHealthyAt && drill.faults.length > 0) {
    const stages = STAGES.filter((stage) => isFaulted(drill, 'primary', stage));
    const healthy = stages.every((stage) => {
      const state = targetOf(targets, 'primary', stage);
      return (
        state?.health === 'healthy' &&
        state.lastResultAt !== undefined &&
        state.lastResultAt >= (marks.faultClearedAt as string)
      );
    });
    if (healthy) {
      const since = latest(stages.map((stage) => targetOf(targets, 'primary', stage)?.since)) ?? now.toISOString();
      marks = {
        ...marks,
        primaryHealthyAt: since > (marks.faultClearedAt as string) ? since : (marks.faultClearedAt as string),
      };
    }
  }
  // Routing refusals while waiting for the switch: the report explains them.
  let refusals = drill.refusals;
  if (!marks.switchedAt) {
    for (const state of states) {
      const message = state?.refusal?.message;
      if (message && !refusals.includes(message)) refusals = [...refusals, message].slice(-MAX_REFUSALS);
    }
  }
  // The read-back of the written records.
  let data = drill.data;
  if (observation.recordCounts && dataCheckDue(drill)) {
    const counts = observation.recordCounts;
    const seqs = writtenSeqs(drill);
    const lost = seqs.filter((seq) => (counts[recordIdFor(drill.id, seq)] ?? 0) === 0);
    const duplicated = seqs.filter((seq) => (counts[recordIdFor(drill.id, seq)] ?? 0) > 1);
    data = { ...data, check: { at: now.toISOString(), lost, duplicated, attempts: (data.check?.attempts ?? 0) + 1 } };
  } else if (observation.recordCountError && dataCheckDue(drill)) {
    const attempts = (data.check?.attempts ?? 0) + 1;
    data =
      attempts >= DATA_CHECK_ATTEMPTS
        ? { ...data, unmeasured: `reading records back failed: ${observation.recordCountError}` }
        : { ...data, check: { at: now.toISOString(), lost: writtenSeqs(drill), duplicated: [], attempts } };
  }
  const waits = foldWaits(
    drill.waits ?? [],
    observedWaits(targets, routing, watchedRecords(drill, policy), policy.detection),
    ['flap-hold', 'switch-refused'],
    now.toISOString(),
  );
  return {
    ...drill,
    marks,
    alerts,
    refusals,
    data,
    ...(waits.length ? { waits } : {}),
    ...(testAlerts ? { testAlerts } : {}),
  };
};

/** When the first good result of `stage` that started after `after` finished. */
const firstGoodResult = (
  results: readonly ProbeResult[] | undefined,
  stage: Stage,
  after: string,
): string | undefined => {
  const good = (results ?? [])
    .filter(
      (result) =>
        result.site === 'backup' && result.stage === stage && result.outcome === 'ok' && result.startedAt > after,
    )
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  return good ? new Date(Date.parse(good.startedAt) + good.durationMs).toISOString() : undefined;
};
