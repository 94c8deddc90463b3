import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RoundOptions, RoundSummary } from '../../lambdas/app/round/types.ts';
import { createProbeInvocations, invocationPeriodMs, probeTimeoutMs } from '../../local/runtime/probe-invocations.ts';
import { testConfig } from '../fakes/config.ts';
import { quietRoundSummary } from '../fakes/round.ts';

const summary = (at: Date, problems: RoundSummary['problems'] = []): RoundSummary =>
  quietRoundSummary(at.toISOString(), { finishedAt: new Date(at.getTime() + 40).toISOString(), problems });

describe('the probe Lambda as the local runtime invokes it', () => {
  it('times invocations like EventBridge and the stack: once a minute, with the deployed timeout', () => {
    expect(invocationPeriodMs(testConfig({ schedule: { intervalSeconds: 5 } }))).toBe(60_000);
    expect(invocationPeriodMs(testConfig({ schedule: { intervalSeconds: 300 } }))).toBe(300_000);
    expect(probeTimeoutMs(testConfig({ schedule: { intervalSeconds: 5 } }))).toBe(150_000);
    expect(
      probeTimeoutMs(testConfig({ schedule: { intervalSeconds: 600 }, failover: { insyncTimeoutSeconds: 60 } })),
    ).toBe(600_000);
  });

  it(
    "runs the handler's rounds one at a time, counts them, logs to its file, and " +
      'stops at once when the runtime stops',
    async () => {
      const folder = mkdtempSync(join(tmpdir(), 'hcguard-probe-log-'));
      const stopping = new AbortController();
      const calls: RoundOptions[] = [];
      const stats: number[] = [];
      const warnings: string[] = [];
      let running = 0;
      let overlapped = false;
      const invocations = createProbeInvocations({
        config: testConfig({ schedule: { intervalSeconds: 5 } }),
        clock: { now: () => new Date() },
        stopping: stopping.signal,
        logFile: join(folder, 'probe.log'),
        runRound: async (options = {}) => {
          calls.push(options);
          running++;
          overlapped ||= running > 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          return summary(new Date(), calls.length === 2 ? [{ step: 'publish', message: 'Throttling' }] : []);
        },
        onRound: (current) => stats.push(current.count),
        onWarning: (message) => warnings.push(message),
      });

      const invocation = invocations.invoke();
      await expect.poll(() => calls.length, { timeout: 15_000, interval: 50 }).toBe(2);
      await expect.poll(() => stats.length, { timeout: 5_000, interval: 20 }).toBe(2);
      expect(invocations.stats.lastError).toBe('1 problem(s), first: publish: Throttling');
      stopping.abort();
      await invocation;
      expect(calls).toHaveLength(2);
      expect(overlapped).toBe(false);
      expect(stats).toEqual([1, 2]);
      expect(calls.every((options) => options.signal instanceof AbortSignal && options.signal.aborted)).toBe(true);
      expect(warnings).toEqual(['round 2: publish failed']);
      const log = readFileSync(join(folder, 'probe.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; message: string });
      expect(log.map((line) => `${line.level} ${line.message}`)).toEqual([
        'INFO round 1 done',
        'ERROR round 2: publish failed',
        'INFO round 2 done',
        'WARN the deadline came while waiting for the next round',
      ]);
    },
  );
});
