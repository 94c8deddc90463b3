import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoundOptions, RoundSummary } from '../../lambdas/app/round/types.ts';
import { createProbeHandler as createHandler } from '../../lambdas/app/probe-handler.ts';
import { handler } from '../../lambdas/handlers/probe.ts';
import { roundBudgetMs } from '../../lambdas/core/schedule.ts';
import { HEARTBEAT_METRIC, METRICS_NAMESPACE } from '../../lambdas/contract/metrics.ts';
import { testConfig } from '../fakes/config.ts';
import { quietRoundSummary } from '../fakes/round.ts';
import { manualClock } from '../fakes/routing.ts';

type Json = Record<string, unknown>;

/** Everything Powertools wrote (stdout and stderr), as JSON lines: EMF blobs carry `_aws`. */
const captureOutput = () => {
  const lines: Json[] = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Json);
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  return {
    emf: () => lines.filter((line) => '_aws' in line),
    logs: () => lines.filter((line) => !('_aws' in line)),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
};

const summary = quietRoundSummary;

const lambdaContext = (remainingMs: () => number): Context =>
  ({
    functionName: 'hcguard-probe',
    awsRequestId: 'request-1',
    getRemainingTimeInMillis: remainingMs,
  }) as unknown as Context;

describe('the probe handler', () => {
  let stdout: ReturnType<typeof captureOutput>;
  beforeEach(() => {
    stdout = captureOutput();
  });
  afterEach(() => stdout.restore());

  const build = (
    intervalSeconds: number,
    runRound: (options: RoundOptions, clockNow: Date) => Promise<RoundSummary>,
  ) => {
    const config = testConfig({ schedule: { intervalSeconds } });
    const clock = manualClock('2026-11-26T18:00:00.000Z');
    const starts: string[] = [];
    const handle = createHandler({
      config,
      runRound: (options) => {
        starts.push(clock.now().toISOString());
        return runRound(options, clock.now());
      },
      logger: new Logger({ serviceName: 'hcguard-probe' }),
      metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.name }),
      now: () => clock.now().getTime(),
      sleep: async (ms) => clock.advance(ms),
    });
    return { config, clock, starts, handle };
  };

  it(
    'runs twelve rounds 5 s apart in one invocation when the interval is 5 s, with a ' + 'heartbeat per round',
    async () => {
      const { clock, starts, handle, config } = build(5, async (_, now) => summary(now.toISOString()));
      const deadline = clock.now().getTime() + 90_000;
      const result = await handle(
        {},
        lambdaContext(() => deadline - clock.now().getTime()),
      );
      expect(starts).toEqual(
        Array.from({ length: 12 }, (_, round) =>
          new Date(Date.parse('2026-11-26T18:00:00.000Z') + round * 5_000).toISOString(),
        ),
      );
      expect(result.rounds).toHaveLength(12);
      expect(result.stopped).toBeUndefined();
      const heartbeats = stdout.emf().filter((blob) => HEARTBEAT_METRIC in blob);
      expect(heartbeats).toHaveLength(12);
      expect(heartbeats[0]).toMatchObject({
        _aws: {
          CloudWatchMetrics: [
            {
              Namespace: 'hcguard',
              Dimensions: [['service']],
              Metrics: expect.arrayContaining([{ Name: HEARTBEAT_METRIC, Unit: 'Count' }]),
            },
          ],
        },
        service: config.name,
        [HEARTBEAT_METRIC]: 1,
      });
    },
  );

  it('stops before the deadline rather than start a round it cannot finish', async () => {
    const { clock, starts, handle, config } = build(5, async (_, now) => summary(now.toISOString()));
    expect(roundBudgetMs(config)).toBe(7_000);
    const deadline = clock.now().getTime() + 60_000;
    const result = await handle(
      {},
      lambdaContext(() => deadline - clock.now().getTime()),
    );
    // Round 12 would start 55 s in, with 5 s left: under the 3 s early abort plus a 7 s round.
    expect(starts).toHaveLength(11);
    expect(result.stopped).toBe('round 12 of 12 skipped: 2000 ms left, a round may take 7000 ms');
    expect(stdout.logs().some((line) => line.message === result.stopped)).toBe(true);
  });

  it(
    'publishes success and latency per result with site and stage dimensions, ' + 'leaving aborted results out',
    async () => {
      const result = (
        site: 'primary' | 'backup',
        outcome: 'ok' | 'failed',
        durationMs: number,
        failureClass?: 'aborted' | 'status',
      ) => ({
        probeId: 'verification-check',
        site,
        stage: 'verification' as const,
        startedAt: '2026-11-26T18:00:00.000Z',
        durationMs,
        outcome,
        ...(failureClass ? { failureClass } : {}),
        steps: [],
      });
      const { handle, config } = build(60, async (_, now) =>
        summary(now.toISOString(), {
          results: [
            result('primary', 'ok', 120),
            result('primary', 'failed', 2_000, 'status'),
            result('backup', 'failed', 5_000, 'aborted'),
          ],
        }),
      );
      await handle(
        {},
        lambdaContext(() => 120_000),
      );
      const perTarget = stdout.emf().filter((blob) => 'ProbeSuccess' in blob);
      expect(perTarget).toEqual([
        {
          _aws: {
            Timestamp: expect.any(Number),
            CloudWatchMetrics: [
              {
                Namespace: 'hcguard',
                Dimensions: [['service', 'site', 'stage']],
                Metrics: [
                  { Name: 'ProbeSuccess', Unit: 'Count' },
                  { Name: 'ProbeLatency', Unit: 'Milliseconds' },
                ],
              },
            ],
          },
          service: config.name,
          site: 'primary',
          stage: 'verification',
          ProbeSuccess: [1, 0],
          ProbeLatency: [120, 2_000],
        },
      ]);
    },
  );

  it('runs one round per invocation at a one-minute interval', async () => {
    const { clock, starts, handle } = build(60, async (_, now) => summary(now.toISOString()));
    await handle(
      {},
      lambdaContext(() => 120_000),
    );
    expect(starts).toEqual([clock.now().toISOString()]);
  });

  it(
    'logs each problem with its ids, counts error metrics, and sends no heartbeat ' + 'when nothing was probed',
    async () => {
      const { handle } = build(60, async (_, now) =>
        summary(now.toISOString(), {
          probed: false,
          problems: [
            { step: 'probe', message: 'Error: secret transmission-key is missing' },
            {
              step: 'publish',
              message: 'ThrottledException: Rate exceeded',
              incidentId: 'INC-6NQ09E3',
              alertId: 'INC-6NQ09E3/open',
            },
            {
              step: 'incident',
              message: 'ProvisionedThroughputExceededException: slow down',
              incidentId: 'INC-6NQ09E4',
            },
            { step: 'save-targets', message: 'ProvisionedThroughputExceededException: slow down' },
          ],
        }),
      );
      await handle(
        {},
        lambdaContext(() => 120_000),
      );
      const [blob, ...rest] = stdout.emf();
      expect(rest).toEqual([]);
      expect(blob).toMatchObject({ ProbeRunErrors: 1, AlertPublishErrors: 1, StateStoreErrors: 2, AlertsSent: 0 });
      expect(blob).not.toHaveProperty(HEARTBEAT_METRIC);
      const errors = stdout.logs().filter((line) => line.level === 'ERROR');
      expect(errors.map((line) => [line.message, line.step, line.incidentId, line.alertId])).toEqual([
        ['round 1: probe failed', 'probe', undefined, undefined],
        ['round 1: publish failed', 'publish', 'INC-6NQ09E3', 'INC-6NQ09E3/open'],
        ['round 1: incident failed', 'incident', 'INC-6NQ09E4', undefined],
        ['round 1: save-targets failed', 'save-targets', undefined, undefined],
      ]);
      expect(errors[1]?.error).toBe('ThrottledException: Rate exceeded');
    },
  );

  it('aborts the running round through middy’s signal shortly before the Lambda deadline', async () => {
    let seen: AbortSignal | undefined;
    const config = testConfig({ schedule: { intervalSeconds: 60 } });
    // The round starts with time to spare; once it runs, the clock says 300 ms are left (a slow
    // platform ate the rest). Middy reads the remaining time after the handler started.
    let deadline = Date.now() + roundBudgetMs(config) + 1_000;
    const handle = createHandler({
      config,
      runRound: ({ signal }) =>
        new Promise((_, reject) => {
          seen = signal;
          deadline = Date.now() + 300;
          signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      logger: new Logger({ serviceName: 'hcguard-probe' }),
      metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.name }),
      timeoutEarlyMs: 100,
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const result = handle(
        {},
        lambdaContext(() => Math.max(deadline - Date.now(), 0)),
      );
      await vi.advanceTimersByTimeAsync(199);
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toEqual({ rounds: [], stopped: 'aborted at the deadline' });
      expect(seen?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the deployed handler without its environment', () => {
  it('fails every invocation with the reason', async () => {
    await expect(
      handler(
        {},
        lambdaContext(() => 60_000),
      ),
    ).rejects.toThrow('HCGUARD_BAKED_CONFIG is not set: the probe bundle must be built by the hcguard stack');
  });
});
