import { describe, expect, it } from 'vitest';
import {
  CostInputError,
  DEFAULT_FOOTPRINT,
  estimateCosts,
  probeSchedule,
  type CostOptionId,
  type CostScenario,
} from '../../lambdas/core/cost.ts';
import { HOURS_PER_MONTH, PRICES, PRICES_AS_OF } from '../../lambdas/core/prices.ts';

const scenario = (change: Partial<CostScenario> = {}): CostScenario => ({
  endpoints: 6,
  intervalSeconds: 5,
  regions: 1,
  endpointType: 'non-aws',
  ...change,
});

const optionOf = (id: CostOptionId, input: CostScenario) => {
  const found = estimateCosts(input).options.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no option ${id}`);
  return found;
};

const lineOf = (id: CostOptionId, input: CostScenario, item: string) => {
  const found = optionOf(id, input).lines.find((candidate) => candidate.item.startsWith(item));
  if (!found) throw new Error(`no line ${item} in ${id}`);
  return found;
};

describe('probeSchedule', () => {
  it.each([
    // interval, endpoints, rounds per invocation, invocations a month, round s, billed s per invocation
    [5, 6, 12, 43_800, 0.55, 11 * 5 + 0.55],
    [10, 6, 6, 43_800, 0.55, 5 * 10 + 0.55],
    [30, 6, 2, 43_800, 0.55, 30 + 0.55],
    [60, 6, 1, 43_800, 0.55, 0.55],
    [300, 6, 1, 43_800 / 5, 0.55, 0.55],
    [5, 16, 12, 43_800, 0.55, 55.55],
    [5, 17, 12, 43_800, 0.85, 55.85],
    [5, 1_000, 12, 43_800, 63 * 0.3 + 0.25, 55 + 63 * 0.3 + 0.25],
  ])(
    'every %i s with %i endpoints: %i rounds per invocation, %i invocations, %f s a round, %f s billed',
    (interval, endpoints, rounds, invocations, roundSeconds, billed) => {
      const run = probeSchedule(scenario({ intervalSeconds: interval, endpoints }));
      expect(run.roundsPerInvocation).toBe(rounds);
      expect(run.invocationsPerMonth).toBeCloseTo(invocations, 6);
      expect(run.roundsPerMonth).toBeCloseTo(invocations * rounds, 6);
      expect(run.roundSeconds).toBeCloseTo(roundSeconds, 9);
      expect(run.invocationSeconds).toBeCloseTo(billed, 9);
    },
  );
});

describe('estimateCosts: hcguard', () => {
  it('prices the default sandbox setting (6 endpoints every 5 s) line by line', () => {
    const hcguard = optionOf('hcguard', scenario());
    const rounds = 43_800 * 12;
    const expected: Record<string, number> = {
      'probe invocations': (43_800 / 1e6) * 0.2,
      'probe duration': 43_800 * 55.55 * 0.5 * 0.0000133334,
      'schedule events': (43_800 / 1e6) * 1.0,
      writes: ((rounds * (6 * 1.33 + 12)) / 1e6) * 0.625,
      reads: ((rounds * (6 * 0.33 + 6)) / 1e6) * 0.125,
      'alert publishes': (16 / 1e6) * 0.5,
      'e-mail deliveries': (32 / 1e5) * 2.0,
      'custom metrics': 14 * 0.3,
      alarms: 14 * 0.1,
      dashboard: 3.0,
      'log ingestion': ((rounds * 6 * 700 + 43_800 * 1_500) / 1024 ** 3) * 0.5,
      'customer-managed keys': 3 * 1.0,
      traces: (43_800 / 1e6) * 5.0,
    };
    expect(hcguard.lines.map((entry) => entry.item.split(' at ')[0])).toEqual(
      Object.keys(expected).map((item) => expect.stringContaining(item)),
    );
    hcguard.lines.forEach((entry, index) => {
      expect(entry.monthlyUsd).toBeCloseTo(Object.values(expected)[index] as number, 9);
    });
    expect(hcguard.monthlyUsd).toBeCloseTo(
      Object.values(expected).reduce((a, b) => a + b, 0),
      9,
    );
    expect(hcguard.checkEverySeconds).toBe(5);
  });

  it.each(['probe invocations', 'probe duration', 'writes', 'custom metrics', 'dashboard'])(
    'multiplies "%s" by the number of regions',
    (item) => {
      const one = lineOf('hcguard', scenario(), item).monthlyUsd;
      expect(lineOf('hcguard', scenario({ regions: 3 }), item).monthlyUsd).toBeCloseTo(3 * one, 9);
    },
  );

  it('grows writes linearly with endpoints and keeps the fixed costs fixed', () => {
    const small = scenario({ endpoints: 10 });
    const large = scenario({ endpoints: 1_000 });
    const perRound = (endpoints: number, perProbe: number, fixed: number) => endpoints * perProbe + fixed;
    expect(lineOf('hcguard', large, 'writes').quantity / lineOf('hcguard', small, 'writes').quantity).toBeCloseTo(
      perRound(1_000, 1.33, 12) / perRound(10, 1.33, 12),
      9,
    );
    expect(lineOf('hcguard', large, 'reads').quantity / lineOf('hcguard', small, 'reads').quantity).toBeCloseTo(
      perRound(1_000, 0.33, 6) / perRound(10, 0.33, 6),
      9,
    );
    expect(lineOf('hcguard', large, 'alarms').monthlyUsd).toBe(lineOf('hcguard', small, 'alarms').monthlyUsd);
  });

  it.each([
    // endpoints, custom metrics: 2 per (site, stage) probed, at most 6 pairs, plus the heartbeat and AlertsSent
    [1, 4],
    [6, 14],
    [7, 14],
    [1_000, 14],
  ])('with %i endpoints publishes %i custom metrics (dimensions site/stage, not probe)', (endpoints, metrics) => {
    expect(lineOf('hcguard', scenario({ endpoints }), 'custom metrics').quantity).toBe(metrics);
  });

  it('takes another footprint (e.g. measured write units) when given one', () => {
    const measured = estimateCosts(scenario(), {
      ...DEFAULT_FOOTPRINT,
      writeUnitsPerProbe: 1,
      writeUnitsPerRound: 2,
      readUnitsPerProbe: 0.5,
      readUnitsPerRound: 4,
    });
    const writes = measured.options[0]?.lines.find((entry) => entry.item.startsWith('writes'));
    const reads = measured.options[0]?.lines.find((entry) => entry.item.startsWith('reads'));
    expect(writes?.quantity).toBeCloseTo((43_800 * 12 * (6 + 2)) / 1e6, 9);
    expect(reads?.quantity).toBeCloseTo((43_800 * 12 * (6 * 0.5 + 4)) / 1e6, 9);
    expect(measured.assumptions.join('\n')).toContain('1 write unit(s) per probe + 2');
  });
});

describe('estimateCosts: Route 53 health checks', () => {
  it.each([
    // interval, endpoint type, checks every, base price, features per check
    [5, 'non-aws', 10, 0.75, 3],
    [10, 'non-aws', 10, 0.75, 3],
    [29, 'aws', 10, 0.5, 3],
    [30, 'aws', 30, 0.5, 2],
    [60, 'non-aws', 30, 0.75, 2],
  ] as const)(
    'every %i s for %s endpoints: checks every %i s at $%f plus %i options, and an alarm each',
    (interval, endpointType, every, base, features) => {
      const feature = endpointType === 'aws' ? 1 : 2;
      const route53 = optionOf('route53', scenario({ intervalSeconds: interval, endpointType, endpoints: 10 }));
      expect(route53.checkEverySeconds).toBe(every);
      expect(route53.lines.filter((entry) => entry.item.endsWith('option'))).toHaveLength(features);
      expect(route53.monthlyUsd).toBeCloseTo(10 * (base + features * feature) + 10 * 0.1, 9);
    },
  );

  it('prices the basic HTTP check alone, every 30 s', () => {
    const basic = optionOf('route53-basic', scenario({ endpoints: 10, endpointType: 'aws' }));
    expect(basic.checkEverySeconds).toBe(30);
    expect(basic.monthlyUsd).toBeCloseTo(5, 9);
  });

  it('says when it cannot check as often as asked, and only then', () => {
    expect(optionOf('route53', scenario({ intervalSeconds: 5 })).caveats).toContain(
      'cannot check more often than every 10 s',
    );
    expect(optionOf('route53', scenario({ intervalSeconds: 10 })).caveats.join('\n')).not.toContain(
      'cannot check more often',
    );
  });

  it('does not grow with regions: its checkers already span at least 3', () => {
    expect(optionOf('route53', scenario({ regions: 4 })).monthlyUsd).toBe(optionOf('route53', scenario()).monthlyUsd);
  });
});

describe('estimateCosts: Synthetics and ARC', () => {
  it.each([
    // interval, runs per canary a month
    [5, HOURS_PER_MONTH * 60],
    [60, HOURS_PER_MONTH * 60],
    [300, HOURS_PER_MONTH * 12],
  ])('every %i s: %i runs per canary, per region', (interval, runs) => {
    const synthetics = optionOf('synthetics', scenario({ intervalSeconds: interval, endpoints: 6, regions: 2 }));
    expect(
      lineOf('synthetics', scenario({ intervalSeconds: interval, endpoints: 6, regions: 2 }), 'canary runs').quantity,
    ).toBeCloseTo(12 * runs, 6);
    expect(synthetics.monthlyUsd).toBeCloseTo(12 * runs * 0.0012 + 12 * 0.1, 6);
    expect(synthetics.checkEverySeconds).toBe(Math.max(60, interval));
  });

  it('notes that it cannot run every 5 s', () => {
    expect(optionOf('synthetics', scenario()).caveats).toContain('runs at most once a minute, not every 5 s');
  });

  it('prices one ARC cluster for the month whatever the setting', () => {
    expect(optionOf('arc', scenario()).monthlyUsd).toBeCloseTo(730 * 2.5, 9);
    expect(optionOf('arc', scenario({ endpoints: 500, regions: 5 })).monthlyUsd).toBeCloseTo(730 * 2.5, 9);
    expect(optionOf('arc', scenario()).checkEverySeconds).toBeUndefined();
  });
});

describe('estimateCosts: the whole estimate', () => {
  it('lists the options in a fixed order, each total the sum of its lines at the dated prices', () => {
    const estimate = estimateCosts(scenario({ endpoints: 42, intervalSeconds: 20, regions: 2 }));
    expect(estimate.options.map((entry) => entry.id)).toEqual([
      'hcguard',
      'route53-basic',
      'route53',
      'synthetics',
      'arc',
    ]);
    expect(estimate.pricesAsOf).toBe(PRICES_AS_OF);
    for (const entry of estimate.options) {
      for (const costLine of entry.lines)
        expect(costLine.monthlyUsd).toBeCloseTo(costLine.quantity * PRICES[costLine.price].usd, 12);
      expect(entry.monthlyUsd).toBeCloseTo(
        entry.lines.reduce((sum, costLine) => sum + costLine.monthlyUsd, 0),
        12,
      );
    }
  });

  it('states its assumptions in terms of the scenario', () => {
    const text = estimateCosts(scenario({ intervalSeconds: 10 })).assumptions.join('\n');
    expect(text).toContain('one invocation a minute running 6 rounds 10 s apart, billed while it waits (50.5 s)');
    expect(text).toContain(`checked ${PRICES_AS_OF}`);
    expect(estimateCosts(scenario({ intervalSeconds: 120 })).assumptions.join('\n')).toContain(
      'one invocation every 2 min running one round',
    );
  });

  it.each([
    ['endpoints 0', { endpoints: 0 }, /endpoints must be an integer between 1 and 10000 \(got 0\)/],
    ['fractional endpoints', { endpoints: 2.5 }, /endpoints must be an integer/],
    ['interval under 5 s', { intervalSeconds: 4 }, /interval must be an integer between 5 and 3600 \(got 4\)/],
    ['interval NaN', { intervalSeconds: Number.NaN }, /interval must be an integer/],
    ['regions 0', { regions: 0 }, /regions must be an integer between 1 and 30/],
    [
      'an unknown endpoint type',
      { endpointType: 'onprem' as never },
      /endpoint type must be one of: aws, non-aws \(got onprem\)/,
    ],
  ])('refuses %s', (_, change, message) => {
    expect(() => estimateCosts(scenario(change))).toThrow(CostInputError);
    expect(() => estimateCosts(scenario(change))).toThrow(message);
  });
});

describe('prices', () => {
  it.each(Object.entries(PRICES))('%s is dated, sourced on aws.amazon.com and says how it was checked', (_, figure) => {
    expect(figure.usd).toBeGreaterThan(0);
    expect(figure.source).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9-/]+\/$/);
    expect(figure.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (figure.verification !== 'unverified') expect('checkedAgainst' in figure && figure.checkedAgainst).toBeTruthy();
  });
});
