// A finished verification-outage drill and the probe results stored while it ran, for report tests.
import { newDrill } from '../../../lambdas/core/drill/new-drill.ts';
import type { DrillRecord, PhaseRecord } from '../../../lambdas/core/drill/model.ts';
import type { ImpactSample } from '../../../lambdas/core/drill/report-model.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import { STAGES, type Site } from '../../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult } from '../../../lambdas/core/model/probing.ts';
import { at, drillPolicy, iso } from './fixtures.ts';

export const reportConfig = drillPolicy({
  timeZone: 'Asia/Shanghai',
  drills: {
    awaitAck: true,
    objectives: { rtoSeconds: 60, rpoRecords: 0, detectSeconds: 20, notifySeconds: 10, ackSeconds: 60 },
  },
});

const phase = (
  index: number,
  name: PhaseRecord['name'],
  from: number,
  to: number,
  outcome: PhaseRecord['outcome'],
  detail: string,
): PhaseRecord => ({
  name,
  index,
  startedAt: iso(from),
  endedAt: iso(to),
  outcome,
  detail,
  checks: [],
});

export const finishedDrill = (): DrillRecord => {
  const scenario = findScenario(reportConfig, 'verification-outage');
  if (!scenario) throw new Error('scenario');
  const drill = newDrill({
    id: 'drill-20261120-0200-ab12',
    actor: 'operator:alice',
    now: at(0),
    policy: reportConfig,
    dryRun: false,
    scenario,
  });
  return {
    ...drill,
    status: 'finished',
    outcome: 'failed',
    endedAt: iso(150),
    phases: [
      {
        ...phase(0, 'preflight', 0, 1, 'passed', '8 check(s) passed'),
        checks: [{ name: 'backup ready on all three stages', ok: true, required: true, detail: 'healthy <fresh>' }],
      },
      phase(1, 'inject', 1, 2, 'passed', 'injected: error on primary verification'),
      phase(2, 'identify', 2, 13, 'passed', 'incident inc-7 (SEV1) opened 11 s after the fault'),
      phase(3, 'notify', 13, 14, 'passed', 'alert delivered 1 s after the incident opened'),
      phase(4, 'decide', 14, 40, 'passed', 'acknowledged by operator:bob'),
      phase(5, 'activate', 40, 45, 'passed', 'switched; backup verification passed'),
      phase(
        6,
        'restore',
        45,
        149,
        'failed',
        'fault cleared; traffic back on the primary; 40 record(s) written, 2 lost, 0 duplicated',
      ),
      phase(7, 'summary', 149, 150, 'failed', 'drill failed'),
    ],
    marks: {
      faultInjectedAt: iso(1.5),
      incidentId: 'inc-7',
      incidentSeverity: 'SEV1',
      incidentOpenedAt: iso(12.5),
      alertDeliveredAt: iso(13.2),
      acknowledgedAt: iso(39),
      acknowledgedBy: 'operator:bob',
      switchRequestedAt: iso(20),
      switchedAt: iso(22),
      insyncAt: iso(22),
      backupServingAt: iso(26),
      faultClearedAt: iso(45),
      primaryHealthyAt: iso(56),
      failbackAt: iso(120),
      restoredAt: iso(149),
    },
    data: {
      attempts: 41,
      refused: [7],
      onBackup: [9, 10, 11, 12, 13],
      check: { at: iso(148), lost: [12, 13], duplicated: [], attempts: 3 },
    },
    alerts: [
      {
        alertId: 'alert-open-inc-7',
        kind: 'open',
        severity: 'SEV1',
        topic: 'SEV1',
        incidentId: 'inc-7',
        drillId: 'drill-20261120-0200-ab12',
        drill: true,
        deliveredAt: iso(13.2),
      },
    ],
  };
};

/** One result per site and stage every 5 s; primary verification fails while the fault is in. */
export const drillResults = (): ProbeResult[] => {
  const results: ProbeResult[] = [];
  for (let second = 0; second <= 150; second += 5) {
    for (const site of ['primary', 'backup'] as Site[]) {
      for (const stage of STAGES) {
        const failing = site === 'primary' && stage === 'verification' && second >= 2 && second < 45;
        results.push({
          probeId: `${stage}-check`,
          site,
          stage,
          startedAt: iso(second),
          durationMs: failing ? 30 : (site === 'primary' ? 40 : 65) + (second % 20),
          outcome: failing ? 'failed' : 'ok',
          ...(failing ? { failureClass: 'status' as const, message: 'status 503' } : {}),
          steps: [],
        });
      }
    }
  }
  return results;
};

export const impactSamples = (): ImpactSample[] =>
  Array.from({ length: 31 }, (_, index) => {
    const second = index * 5;
    const outage = second >= 2 && second < 30;
    return { at: iso(second), ok: outage ? 1 : 20, failed: outage ? 19 : 0 };
  });
