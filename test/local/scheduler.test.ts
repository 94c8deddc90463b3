import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoundScheduler, type RoundReport } from '../../local/runtime/scheduler.ts';

// Fake timers: the scheduler's ticks, the rounds' own waits and the budget run on virtual time.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoundScheduler', () => {
  it('runs rounds one at a time even when a round overruns the interval, and reports each', async () => {
    const reports: RoundReport[] = [];
    let calls = 0;
    const scheduler = new RoundScheduler({
      intervalMs: 20,
      runRound: async () => {
        calls++;
        if (calls === 2) throw new Error('table unreachable');
        // Longer than the interval: the next round must wait for this one.
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
      onRound: (report) => reports.push(report),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(200);
    // The round in flight ignores the signal: its own wait has to run out before stop returns.
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(50);
    await stopped;
    expect(scheduler.maxConcurrentRounds).toBe(1);
    expect(reports.map((report) => report.number).slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(reports[1]?.error?.message).toBe('table unreachable');
    expect(reports[0]?.error).toBeUndefined();
    expect(reports[0]?.durationMs).toBe(50);
    for (let index = 1; index < reports.length; index++) {
      const previous = reports[index - 1]!;
      expect(reports[index]!.startedAt.getTime()).toBeGreaterThanOrEqual(
        previous.startedAt.getTime() + previous.durationMs,
      );
    }
  });

  it('aborts the round in flight when stopped and runs no more', async () => {
    let aborted = false;
    let calls = 0;
    const scheduler = new RoundScheduler({
      intervalMs: 10,
      runRound: (signal) =>
        new Promise<void>((resolve) => {
          calls++;
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await scheduler.stop();
    expect(aborted).toBe(true);
    expect(scheduler.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts a round that runs past its budget, and not a moment before', async () => {
    const reports: RoundReport[] = [];
    const scheduler = new RoundScheduler({
      intervalMs: 10,
      roundBudgetMs: 30,
      runRound: (signal) =>
        new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error(`round aborted: ${String(signal.reason)}`))),
        ),
      onRound: (report) => reports.push(report),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(29);
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toHaveLength(1);
    await scheduler.stop();
    expect(reports[0]?.error?.message).toMatch(/^round aborted: TimeoutError/);
    expect(reports[0]?.durationMs).toBe(30);
  });
});
