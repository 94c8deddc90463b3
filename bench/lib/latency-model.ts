// What the detection-and-switch benchmark reports: per trial, the time from the fault to each
// milestone; per setting, p50 and p95 next to what Route 53 health checks need for the same
// interval, threshold and TTL.
import { percentile } from './stats.ts';

export const MILESTONES = ['incidentOpened', 'alertPublished', 'recordSwitched', 'citizensOnBackup'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const MILESTONE_LABELS: Readonly<Record<Milestone, string>> = {
  incidentOpened: 'incident opened',
  alertPublished: 'SEV1 alert published',
  recordSwitched: 'record switched',
  citizensOnBackup: 'citizens served by backup',
};

export interface LatencySetting {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly ttlSeconds: number;
}

/** Milliseconds from the fault to each milestone; absent when the trial did not reach it. */
export type TrialTimes = Partial<Record<Milestone, number>>;

export interface TrialResult {
  readonly times: TrialTimes;
  /** Why the trial stopped short, if it did. */
  readonly error?: string;
  /** Why the trial does not count although it ran: its rounds did not keep the schedule (machine load). */
  readonly disturbed?: string;
  /** What delayed it: switches refused and round problems after the fault, once each. */
  readonly notes?: readonly string[];
  /** One line per round after the fault, for whoever wants to see why a trial took long. */
  readonly timeline?: readonly string[];
}

/**
 * Route 53's typical failover time for the same setting: the checkers need `threshold`
 * failed checks `interval` apart, then resolvers keep the old answer for up to a TTL
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
 * Route 53 itself only offers 10 s and 30 s intervals; the formula is applied as given.
 */
export const route53FailoverSeconds = (setting: LatencySetting): number =>
  setting.intervalSeconds * setting.failureThreshold + setting.ttlSeconds;

export interface MilestoneSummary {
  readonly milestone: Milestone;
  /** Trials that reached it. */
  readonly reached: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
}

/** A trial counts when it ran to the end on schedule. */
export const counts = (trial: TrialResult): boolean => trial.error === undefined && trial.disturbed === undefined;

export interface SettingSummary {
  readonly setting: LatencySetting;
  /** Trials that count: the percentiles are over these. */
  readonly trials: number;
  /** Trials that stopped short (not counted). */
  readonly failedTrials: number;
  /** Trials whose rounds did not keep the schedule (not counted). */
  readonly disturbedTrials: number;
  readonly milestones: readonly MilestoneSummary[];
  readonly route53Seconds: number;
  /** p50 of citizens served by backup ÷ Route 53's figure; under 1 means hcguard is faster. */
  readonly ratioP50?: number;
  readonly ratioP95?: number;
}

export const summarizeSetting = (setting: LatencySetting, all: readonly TrialResult[]): SettingSummary => {
  const trials = all.filter(counts);
  const milestones = MILESTONES.map((milestone): MilestoneSummary => {
    const values = trials
      .map((trial) => trial.times[milestone])
      .filter((value): value is number => value !== undefined);
    return values.length
      ? { milestone, reached: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) }
      : { milestone, reached: 0 };
  });
  const route53Seconds = route53FailoverSeconds(setting);
  const served = milestones.find((summary) => summary.milestone === 'citizensOnBackup');
  return {
    setting,
    trials: trials.length,
    failedTrials: all.filter((trial) => trial.error !== undefined).length,
    disturbedTrials: all.filter((trial) => trial.error === undefined && trial.disturbed !== undefined).length,
    milestones,
    route53Seconds,
    ...(served?.p50Ms !== undefined ? { ratioP50: served.p50Ms / 1000 / route53Seconds } : {}),
    ...(served?.p95Ms !== undefined ? { ratioP95: served.p95Ms / 1000 / route53Seconds } : {}),
  };
};
