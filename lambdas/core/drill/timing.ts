// How a drill paces itself, and how much it keeps: polling, waits, writes for the RPO.
import type { DrillPhaseName, DrillStepName } from './model.ts';
import type { HcguardConfig } from '../config/schema.ts';

export type DrillPolicy = Pick<HcguardConfig, 'records' | 'schedule' | 'detection' | 'failover' | 'drills'>;

export const SECOND_MS = 1000;

export const MINUTE_MS = 60 * SECOND_MS;

/** Drill alerts kept on the drill item (the report shows them; the item stays small). */
export const MAX_ALERTS = 40;

export const MAX_REFUSALS = 10;

/** Records written per drill at most: enough to measure loss, small enough for the drill item. */
export const MAX_DRILL_WRITES = 400;

/** Read-backs of the written records before counting what is missing as lost. */
export const DATA_CHECK_ATTEMPTS = 3;

/** How long the notify phase waits for a drill alert to reach the audit queue. */
export const notifyWaitMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(MINUTE_MS, 3 * policy.schedule.intervalSeconds * SECOND_MS);

/** How often the runner observes: a few times per probe round, between 0.5 s and 5 s. */
export const drillPollMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.min(5 * SECOND_MS, Math.max(500, (policy.schedule.intervalSeconds * SECOND_MS) / 5));

/** Writes for the RPO measurement: at most one per this long. */
export const writeEveryMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(SECOND_MS, (policy.schedule.intervalSeconds * SECOND_MS) / 2);

export const planFor = (step?: DrillStepName): readonly DrillPhaseName[] => {
  switch (step) {
    case 'notify':
      return ['preflight', 'notify', 'summary'];
    case 'switch':
    case 'restore':
      return ['preflight', 'activate', 'restore', 'summary'];
    case undefined:
      return ['preflight', 'inject', 'identify', 'notify', 'decide', 'activate', 'restore', 'summary'];
  }
};

/** Between read-backs that still miss records: replication may need a round or two. */
export const dataRecheckMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(2 * SECOND_MS, policy.schedule.intervalSeconds * SECOND_MS);
