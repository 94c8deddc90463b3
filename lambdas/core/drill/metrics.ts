// What a drill measured, and how that compares with the objectives in config. Pure: the stored
// drill in, numbers and verdicts out. Every metric is the difference of two observed instants:
//
//   detectMs  fault injected → the pipeline opened the incident
//   notifyMs  incident opened → its drill-tagged alert reached the audit queue
//             (`--step notify`: the slowest test alert, publish → delivery)
//   ackMs     alert delivered → an operator acknowledged (the decision test)
//   switchMs  incident opened (or the switch requested, in a process test) → Route 53 INSYNC on the backup
//   rtoMs     fault injected → a verification probe passed on the backup (citizens served again)
//   records*  written during the drill, then read back on the primary after restore (the RPO)
//
// A metric is null when the drill did not get that far or the scenario does not include it.
import { SEVERITIES } from '../model/vocabulary.ts';
import { writtenSeqs, type DrillRecord } from './model.ts';

export interface DrillMetrics {
  readonly detectMs: number | null;
  readonly notifyMs: number | null;
  readonly ackMs: number | null;
  readonly switchMs: number | null;
  readonly rtoMs: number | null;
  readonly recordsWritten: number | null;
  readonly recordsLost: number | null;
  readonly recordsDuplicated: number | null;
}

export const METRIC_NAMES = [
  'detectMs',
  'notifyMs',
  'ackMs',
  'switchMs',
  'rtoMs',
  'recordsWritten',
  'recordsLost',
  'recordsDuplicated',
] as const;

const between = (from: string | undefined, to: string | undefined): number | null =>
  from === undefined || to === undefined ? null : Math.max(0, Date.parse(to) - Date.parse(from));

export const drillMetrics = (drill: DrillRecord): DrillMetrics => {
  const { marks, data } = drill;
  const measured = data.unmeasured === undefined;
  return {
    detectMs: between(marks.faultInjectedAt, marks.incidentOpenedAt),
    notifyMs:
      drill.step === 'notify' ? slowestTestAlert(drill) : between(marks.incidentOpenedAt, marks.alertDeliveredAt),
    ackMs: between(marks.alertDeliveredAt ?? marks.incidentOpenedAt, marks.acknowledgedAt),
    switchMs: between(marks.incidentOpenedAt ?? marks.switchRequestedAt, marks.insyncAt),
    rtoMs: between(marks.faultInjectedAt, marks.backupServingAt),
    recordsWritten: measured && (data.attempts > 0 || data.check) ? writtenSeqs(drill).length : null,
    recordsLost: measured && data.check ? data.check.lost.length : null,
    recordsDuplicated: measured && data.check ? data.check.duplicated.length : null,
  };
};

const slowestTestAlert = (drill: DrillRecord): number | null => {
  const progress = drill.testAlerts;
  if (!progress) return null;
  const latencies = (progress.severities ?? SEVERITIES).map((severity) =>
    between(progress.published[severity], progress.delivered[severity]),
  );
  if (latencies.some((latency) => latency === null)) return null;
  return Math.max(...(latencies as number[]));
};

export const OBJECTIVE_NAMES = ['detect', 'notify', 'switch', 'ack', 'rto', 'rpo'] as const;
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];

export interface ObjectiveResult {
  readonly name: ObjectiveName;
  readonly label: string;
  readonly metric: keyof DrillMetrics;
  /** The limit, in the metric's unit (ms or records). */
  readonly limit: number;
  readonly measured: number | null;
  readonly status: 'pass' | 'fail' | 'not measured';
  /** Set when no config gave this objective: it is what the settings promise. */
  readonly derived?: boolean;
}

/** Each configured objective the drill could judge; a custom scenario's overrides are already merged. */
export const evaluateObjectives = (drill: DrillRecord): ObjectiveResult[] => {
  const metrics = drillMetrics(drill);
  const { objectives } = drill;
  const rows: { name: ObjectiveName; label: string; metric: keyof DrillMetrics; limit?: number; applies: boolean }[] = [
    {
      name: 'detect',
      label: 'time to detect',
      metric: 'detectMs',
      limit: seconds(objectives.detectSeconds),
      applies: drill.step === undefined,
    },
    {
      name: 'notify',
      label: 'time to notify',
      metric: 'notifyMs',
      limit: seconds(objectives.notifySeconds),
      applies: drill.step === undefined || drill.step === 'notify',
    },
    {
      name: 'switch',
      label: 'time to switch',
      metric: 'switchMs',
      limit: seconds(objectives.switchSeconds),
      applies: (drill.step === undefined && drill.expectFailover) || drill.step === 'switch',
    },
    {
      name: 'ack',
      label: 'time to acknowledge',
      metric: 'ackMs',
      limit: seconds(objectives.ackSeconds),
      applies: drill.awaitAck,
    },
    {
      name: 'rto',
      label: 'recovery time (RTO)',
      metric: 'rtoMs',
      limit: seconds(objectives.rtoSeconds),
      applies: drill.step === undefined && drill.expectFailover,
    },
    {
      name: 'rpo',
      label: 'records lost (RPO)',
      metric: 'recordsLost',
      limit: objectives.rpoRecords,
      applies: drill.data.unmeasured === undefined && drill.step !== 'notify' && drill.step !== 'switch',
    },
  ];
  return rows
    .filter((row): row is typeof row & { limit: number } => row.applies && row.limit !== undefined)
    .map((row) => {
      const measured = metrics[row.metric];
      const status = measured === null ? 'not measured' : measured <= row.limit ? 'pass' : 'fail';
      const derived = objectives.derived?.some((name) => name.startsWith(row.name)) ?? false;
      return {
        name: row.name,
        label: row.label,
        metric: row.metric,
        limit: row.limit,
        measured,
        status,
        ...(derived ? { derived } : {}),
      };
    });
};

const seconds = (value: number | undefined): number | undefined => (value === undefined ? undefined : value * 1000);

export const objectivesFailed = (drill: DrillRecord): boolean =>
  evaluateObjectives(drill).some((result) => result.status === 'fail');
