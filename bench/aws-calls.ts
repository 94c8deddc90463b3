// AWS calls per round, counted where they leave the SDK clients, against moto: a quiet round,
// the round that opens an incident (a collection fault on the primary: alert, no switch) and
// the round that switches (a verification fault on the primary: SEV1 incident and the Route 53
// change), for 3, 30 and 300 probe definitions (each run on both sites).
import { setMaxListeners } from 'node:events';
import type { HcguardConfigInput } from '../lambdas/core/config/schema.ts';
import { builtinProbes } from '../lambdas/core/probe/builtin.ts';
import type { ProbeDefinitionInput } from '../lambdas/core/probe/schema.ts';
import type { RoundSummary } from '../lambdas/app/round/types.ts';
import { CallCounter, summarize, type CallRecord, type CallSummary } from './lib/call-counter.ts';
import { startTestbed, type Testbed } from './lib/testbed.ts';

export const ROUND_KINDS = ['quiet', 'opens an incident', 'switches'] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];

export interface MeasuredRound {
  readonly kind: RoundKind;
  readonly records: readonly CallRecord[];
  readonly summary: CallSummary;
  /** Probe results this round recorded. */
  readonly results: number;
  /** What the round reported it could not do (should be empty). */
  readonly problems: readonly string[];
}

export interface ProbeCountResult {
  readonly probes: number;
  readonly rounds: readonly MeasuredRound[];
}

/**
 * `count` probe definitions: copies of the built-in three, each copy with its own id and its own
 * transmission stream (copies sharing a stream would race for sequence numbers).
 */
export const replicatedProbes = (count: number): ProbeDefinitionInput[] => {
  const base = builtinProbes();
  if (!Number.isInteger(count) || count < base.length || count % base.length !== 0) {
    throw new RangeError(`probe count must be a multiple of ${base.length} (got ${count})`);
  }
  const copies = count / base.length;
  if (copies === 1) return base;
  return Array.from({ length: copies }, (_, index) =>
    base.map((probe) => ({
      ...probe,
      id: `${probe.id}-${index + 1}`,
      ...(probe.sequence ? { sequence: { ...probe.sequence, stream: `${probe.sequence.stream}-${index + 1}` } } : {}),
    })),
  ).flat();
};

const MAX_ROUNDS_PER_PHASE = 8;

const describeProblems = (summary: RoundSummary): string[] =>
  summary.problems.map((problem) => `${problem.step}: ${problem.message}`);

/** Runs rounds (uncounted) until `done` holds for one, then returns that round measured. */
const roundUntil = async (
  testbed: Testbed,
  counter: CallCounter,
  kind: RoundKind,
  done: (summary: RoundSummary) => boolean,
): Promise<MeasuredRound> => {
  for (let round = 1; round <= MAX_ROUNDS_PER_PHASE; round++) {
    counter.reset();
    const signal = AbortSignal.timeout(120_000);
    // Every probe of the round listens to it: hundreds, by design.
    setMaxListeners(0, signal);
    const summary = await testbed.services.runRound({ signal });
    if (done(summary)) {
      const records = counter.records();
      return {
        kind,
        records,
        summary: summarize(records),
        results: summary.results.length,
        problems: describeProblems(summary),
      };
    }
  }
  throw new Error(`no "${kind}" round within ${MAX_ROUNDS_PER_PHASE} rounds`);
};

export const measureProbeCount = async (endpoint: string, probes: number): Promise<ProbeCountResult> => {
  const testbed = await startTestbed({
    endpoint,
    label: `calls-${probes}`,
    intervalSeconds: 30,
    // Thresholds of 1: one round opens the incident and one switches. What those rounds send does not depend on the
    // thresholds (every round saves the targets; the deciding round adds the incident, its alert and the switch).
    // Hundreds of probes on a busy machine run slower than the built-in 1.5 s degraded bound; a degraded backup would
    // (rightly) refuse the switch, so the bound is raised here. Neither changes a call.
    change: (input: HcguardConfigInput) => ({
      ...input,
      probes: replicatedProbes(probes).map((probe) => ({
        ...probe,
        latencyMs: { degradedMs: 4_000, failedMs: 5_000 },
      })),
      detection: { ...input.detection, failureThreshold: 1, successThreshold: 1 },
    }),
  });
  try {
    const counter = new CallCounter().attachAll(testbed.clients);
    const healthy = (summary: RoundSummary) =>
      summary.targets.length === 6 && summary.targets.every((target) => target.health === 'healthy');
    // Warm up until every target is healthy: the next round is a quiet one.
    await roundUntil(testbed, counter, 'quiet', healthy);
    const quiet = await roundUntil(testbed, counter, 'quiet', healthy);
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'error' });
    const opens = await roundUntil(testbed, counter, 'opens an incident', (summary) =>
      summary.incidents.some((incident) => incident.change === 'open'),
    );
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });
    const switches = await roundUntil(testbed, counter, 'switches', (summary) => summary.switches.length > 0);
    return { probes, rounds: [quiet, opens, switches] };
  } finally {
    await testbed.stop();
  }
};

/** Counts do not depend on timing: the probe counts run side by side, each on its own testbed. */
export const benchAwsCalls = (endpoint: string, probeCounts: readonly number[]): Promise<ProbeCountResult[]> =>
  Promise.all(probeCounts.map((probes) => measureProbeCount(endpoint, probes)));
