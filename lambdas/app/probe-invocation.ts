// One invocation of the scheduled probe Lambda: the rounds the schedule asks for (several, spaced
// by the interval, when the interval is under a minute), each reported as it ends, and none
// started that could not finish before the deadline.
import { roundSkipped, type InvocationPlan } from '../core/schedule.ts';
import { sleep as abortableSleep } from '../sleep.ts';
import type { RoundOptions, RoundSummary } from './round/types.ts';

/** Where a finished round is told: logs and metrics in the Lambda (adapters/aws/round-reporter.ts). */
export interface RoundReporter {
  round(round: number, summary: RoundSummary): void;
  stopped(reason: string, fields: { readonly roundsRun: number; readonly roundsPlanned: number }): void;
}

export interface ProbeInvocationResult {
  readonly rounds: readonly {
    readonly startedAt: string;
    readonly results: number;
    readonly failing: readonly string[];
    readonly incidents: readonly string[];
    readonly alertsSent: number;
    readonly problems: number;
  }[];
  /** Why the invocation ran fewer rounds than planned, if it did. */
  readonly stopped?: string;
}

export interface ProbeInvocationDeps {
  readonly plan: InvocationPlan;
  readonly runRound: (options: RoundOptions) => Promise<RoundSummary>;
  readonly reporter: RoundReporter;
  /** Milliseconds since the epoch; the spacing of rounds is measured with it. */
  readonly now?: () => number;
  /** Waits between rounds; rejects when the signal aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const runProbeInvocation = async (
  deps: ProbeInvocationDeps,
  invocation: { readonly usableMs: () => number; readonly signal: AbortSignal },
): Promise<ProbeInvocationResult> => {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const { plan } = deps;
  const { signal } = invocation;
  const start = now();
  const done: ProbeInvocationResult['rounds'][number][] = [];
  let stopped: string | undefined;
  for (let round = 1; round <= plan.rounds && !stopped; round++) {
    const slot = start + (round - 1) * plan.intervalMs;
    try {
      if (slot > now()) await sleep(slot - now(), signal);
    } catch {
      stopped = 'the deadline came while waiting for the next round';
      break;
    }
    stopped = roundSkipped(plan, round, invocation.usableMs());
    if (stopped) break;
    const summary = await deps.runRound({ signal });
    deps.reporter.round(round, summary);
    done.push({
      startedAt: summary.startedAt,
      results: summary.results.length,
      failing: summary.targets
        .filter((target) => target.health === 'failing')
        .map((target) => `${target.site}/${target.stage}`),
      incidents: summary.incidents.map((incident) => `${incident.id} ${incident.change}`),
      alertsSent: summary.alerts.sent.length,
      problems: summary.problems.length,
    });
    if (signal.aborted) stopped = 'the deadline came during a round';
  }
  if (stopped) deps.reporter.stopped(stopped, { roundsRun: done.length, roundsPlanned: plan.rounds });
  return { rounds: done, ...(stopped ? { stopped } : {}) };
};
