import { describe, expect, it } from 'vitest';
import { route53FailoverSeconds, summarizeSetting, type TrialResult } from '../../bench/lib/latency-model.ts';

describe('route53FailoverSeconds', () => {
  it.each([
    [5, 2, 5, 15],
    [10, 3, 5, 35],
    [30, 3, 60, 150],
    [10, 1, 0, 10],
  ])('interval %i s × threshold %i + TTL %i s = %i s', (intervalSeconds, failureThreshold, ttlSeconds, expected) => {
    expect(route53FailoverSeconds({ intervalSeconds, failureThreshold, ttlSeconds })).toBe(expected);
  });
});

describe('summarizeSetting', () => {
  const setting = { intervalSeconds: 5, failureThreshold: 2, ttlSeconds: 5 };

  it(
    'gives p50 and p95 per milestone over the trials that reached it, and the ratio ' +
      'to Route 53 on citizens served',
    () => {
      const trials: TrialResult[] = Array.from({ length: 20 }, (_, index) => ({
        times: {
          incidentOpened: 1_000 * (index + 1),
          alertPublished: 1_000 * (index + 1) + 100,
          recordSwitched: 1_000 * (index + 1) + 200,
          citizensOnBackup: 600 * (index + 1),
        },
      }));
      const summary = summarizeSetting(setting, trials);
      expect(summary).toEqual({
        setting,
        trials: 20,
        failedTrials: 0,
        disturbedTrials: 0,
        route53Seconds: 15,
        milestones: [
          { milestone: 'incidentOpened', reached: 20, p50Ms: 10_000, p95Ms: 19_000 },
          { milestone: 'alertPublished', reached: 20, p50Ms: 10_100, p95Ms: 19_100 },
          { milestone: 'recordSwitched', reached: 20, p50Ms: 10_200, p95Ms: 19_200 },
          { milestone: 'citizensOnBackup', reached: 20, p50Ms: 6_000, p95Ms: 11_400 },
        ],
        ratioP50: 6 / 15,
        ratioP95: 11.4 / 15,
      });
    },
  );

  it('counts failed and disturbed trials apart, and leaves out milestones nobody reached', () => {
    const summary = summarizeSetting(setting, [
      { times: { incidentOpened: 4_000 } },
      { times: {}, error: 'sandbox did not start' },
      { times: { incidentOpened: 1_000, citizensOnBackup: 2_000 }, disturbed: 'a round started 6.0 s after its slot' },
    ]);
    expect(summary.trials).toBe(1);
    expect(summary.failedTrials).toBe(1);
    expect(summary.disturbedTrials).toBe(1);
    expect(summary.milestones[0]).toEqual({ milestone: 'incidentOpened', reached: 1, p50Ms: 4_000, p95Ms: 4_000 });
    expect(summary.milestones[3]).toEqual({ milestone: 'citizensOnBackup', reached: 0 });
    expect(summary.ratioP50).toBeUndefined();
  });
});
