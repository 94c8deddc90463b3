// Section: detection and switch latency, p50/p95 per setting next to Route 53 health checks.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMotoServer, type MotoServer } from '../../local/moto.ts';
import { LATE_ROUND_MS } from '../latency.ts';
import {
  counts,
  MILESTONE_LABELS,
  MILESTONES,
  summarizeSetting,
  type LatencySetting,
  type SettingSummary,
  type TrialResult,
} from '../lib/latency-model.ts';
import { markdownTable, type BenchMode, type BenchSection } from '../lib/report.ts';
import { seconds } from '../lib/stats.ts';

export const LATENCY_SETTINGS: readonly LatencySetting[] = [
  { intervalSeconds: 5, failureThreshold: 2, ttlSeconds: 5 },
  { intervalSeconds: 5, failureThreshold: 3, ttlSeconds: 5 },
  { intervalSeconds: 10, failureThreshold: 2, ttlSeconds: 5 },
  { intervalSeconds: 10, failureThreshold: 3, ttlSeconds: 5 },
];

export interface LatencyPlan {
  readonly trialsPerSetting: number;
  /** Child processes, each with its own moto server. */
  readonly workers: number;
  /** Trials at once in each worker. */
  readonly concurrency: number;
  readonly citizensPerSecond: number;
}

export const LATENCY_PLAN: Readonly<Record<BenchMode, LatencyPlan>> = {
  quick: { trialsPerSetting: 2, workers: 2, concurrency: 4, citizensPerSecond: 4 },
  full: { trialsPerSetting: 20, workers: 2, concurrency: 8, citizensPerSecond: 4 },
};

const WORKER = fileURLToPath(new URL('../latency-worker.ts', import.meta.url));
/** Every trial's times, notes and round timeline, for a closer look than the table gives. */
export const TRIALS_FILE = fileURLToPath(
  new URL('../../node_modules/.cache/hcguard-bench/latency-trials.json', import.meta.url),
);

interface PlannedTrial {
  readonly setting: LatencySetting;
  readonly citizensPerSecond: number;
}

/** Passes after the first that replace trials which stopped short or were disturbed. */
const MAX_REFILLS = 2;

/** Runs the trials spread over one worker per moto server; results in the trials' order. */
const runSpread = async (
  motos: readonly MotoServer[],
  trials: readonly PlannedTrial[],
  concurrency: number,
): Promise<TrialResult[]> => {
  const results = new Array<TrialResult>(trials.length);
  let done = 0;
  await Promise.all(
    motos.map((moto, worker) => {
      const share = trials.flatMap((trial, index) => (index % motos.length === worker ? [{ trial, index }] : []));
      if (share.length === 0) return undefined;
      return runWorker(
        moto,
        share.map(({ trial }) => trial),
        concurrency,
        (local, result) => {
          const index = share[local]?.index ?? -1;
          results[index] = result;
          done += 1;
          const why = result.error ?? result.disturbed;
          process.stderr.write(`bench: latency trial ${done}/${trials.length}${why ? ` (${why})` : ''}\n`);
        },
      );
    }),
  );
  return results;
};

/**
 * Runs trials in a child process against one moto server; resolves with each trial's result by its
 * index in `trials`.
 */
const runWorker = (
  moto: MotoServer,
  trials: readonly PlannedTrial[],
  concurrency: number,
  onResult: (index: number, result: TrialResult) => void,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, JSON.stringify({ endpoint: moto.endpoint, concurrency, trials })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      const { index, result } = JSON.parse(line) as { index: number; result: TrialResult };
      onResult(index, result);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`latency worker exited with code ${code}`)),
    );
  });

const p50p95 = (p50?: number, p95?: number): string =>
  p50 === undefined || p95 === undefined ? 'not reached' : `${seconds(p50)} / ${seconds(p95)}`;

export const latencyTable = (summaries: readonly SettingSummary[]): string =>
  markdownTable(
    [
      'interval',
      'threshold',
      'TTL',
      'trials counted (stopped short, disturbed)',
      ...MILESTONES.map((milestone) => `${MILESTONE_LABELS[milestone]} p50 / p95`),
      'Route 53: interval × threshold + TTL',
      'citizens on backup ÷ Route 53, p50 / p95',
    ],
    summaries.map((summary) => [
      `${summary.setting.intervalSeconds} s`,
      String(summary.setting.failureThreshold),
      `${summary.setting.ttlSeconds} s`,
      `${summary.trials} (${summary.failedTrials}, ${summary.disturbedTrials})`,
      ...summary.milestones.map((milestone) => {
        const text = p50p95(milestone.p50Ms, milestone.p95Ms);
        return milestone.reached < summary.trials && milestone.reached > 0
          ? `${text} (${milestone.reached} reached)`
          : text;
      }),
      `${summary.route53Seconds} s`,
      summary.ratioP50 !== undefined && summary.ratioP95 !== undefined
        ? `${summary.ratioP50.toFixed(2)} / ${summary.ratioP95.toFixed(2)}`
        : '-',
    ]),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

export const latencySection: BenchSection = {
  id: 'latency',
  title: 'Detection and switch latency',
  async run(mode) {
    const plan = LATENCY_PLAN[mode];
    const started = performance.now();
    const planned: { trial: PlannedTrial; result: TrialResult }[] = [];
    const motos: MotoServer[] = [];
    let passes = 0;
    try {
      for (let worker = 0; worker < plan.workers; worker++) motos.push(await startMotoServer());
      // Settings interleaved, so each sees the same mix of load. Trials that stopped short or were disturbed by the
      // machine's load are replaced in up to MAX_REFILLS further passes, so each setting gets its count.
      let pending: PlannedTrial[] = Array.from({ length: plan.trialsPerSetting }, () =>
        LATENCY_SETTINGS.map((setting) => ({ setting, citizensPerSecond: plan.citizensPerSecond })),
      ).flat();
      while (pending.length > 0 && passes <= MAX_REFILLS) {
        passes += 1;
        const results = await runSpread(motos, pending, plan.concurrency);
        planned.push(
          ...pending.map((trial, index) => ({
            trial,
            result: results[index] ?? { times: {}, error: 'no result from its worker' },
          })),
        );
        pending = LATENCY_SETTINGS.flatMap((setting) => {
          const have = planned.filter((entry) => entry.trial.setting === setting && counts(entry.result)).length;
          return Array.from({ length: Math.max(0, plan.trialsPerSetting - have) }, () => ({
            setting,
            citizensPerSecond: plan.citizensPerSecond,
          }));
        });
      }
    } finally {
      await Promise.all(motos.map((moto) => moto.stop()));
    }
    const elapsed = (performance.now() - started) / 1000;
    mkdirSync(dirname(TRIALS_FILE), { recursive: true });
    writeFileSync(
      TRIALS_FILE,
      JSON.stringify(
        planned.map(({ trial, result }) => ({ ...trial.setting, ...result })),
        null,
        1,
      ),
    );
    const results = planned.map((entry) => entry.result);
    const summaries = LATENCY_SETTINGS.map((setting) =>
      summarizeSetting(
        setting,
        planned.filter((entry) => entry.trial.setting === setting).map((entry) => entry.result),
      ),
    );
    const errors = [...new Set(results.flatMap((result) => (result.error ? [result.error] : [])))];
    const disturbed = results.filter((result) => result.error === undefined && result.disturbed !== undefined).length;
    const notes = new Map<string, number>();
    for (const result of results.filter(counts))
      for (const note of new Set(result.notes ?? [])) notes.set(note, (notes.get(note) ?? 0) + 1);
    const topNotes = [...notes.entries()].sort(([, a], [, b]) => b - a).slice(0, 8);
    const served = (summary: SettingSummary) =>
      summary.milestones.find((milestone) => milestone.milestone === 'citizensOnBackup');
    const headlines = summaries.map((summary) => {
      const citizens = served(summary);
      const { intervalSeconds, failureThreshold, ttlSeconds } = summary.setting;
      return (
        `Every ${intervalSeconds} s, threshold ${failureThreshold}, TTL ${ttlSeconds} s: ` +
        `citizens served by the backup ` +
        `${p50p95(citizens?.p50Ms, citizens?.p95Ms)} (p50 / p95) after a verification ` +
        `fault; Route 53 health checks need about ${summary.route53Seconds} s` +
        (summary.ratioP50 !== undefined ? ` (ratio ${summary.ratioP50.toFixed(2)} at p50).` : '.')
      );
    });
    return {
      headlines,
      blocks: [
        'A verification fault (HTTP 500 on every verification request) is injected on ' +
          'the primary at t0, at a random phase of ' +
          'the round schedule, once every target has been healthy; each milestone is timed ' +
          'from t0. Each trial has its own sandbox ' +
          '(both sites), its own table, topics, audit queue, hosted zone and record on one ' +
          'moto server, and runs the real probe ' +
          'Lambda handler (`createHandler`, invoked once a minute as EventBridge does; it ' +
          "runs the minute's rounds `interval` apart), " +
          `with ${plan.citizensPerSecond} simulated citizens' verifications a second ` +
          `resolving the record through a TTL cache started at ` +
          "a random phase of the schedule (as a real resolver's refresh would be). " +
          "Milestones: the incident's `openedAt` (from the table); the SNS timestamp of " +
          'the SEV1 alert (read back from the SQS ' +
          'queue subscribed to the alert topics); the moment Route 53 accepted the UPSERT ' +
          '(moto is INSYNC at once; AWS takes up to ' +
          'a minute to propagate a change to every name server, which neither side of this ' +
          'comparison counts); and the end of the ' +
          "citizens' outage (the first of 3 successes in a row, all on the backup). Route " +
          "53's figure is its typical failover time " +
          'for the same interval, threshold and TTL, a nominal figure rather than a ' +
          'measurement: it leaves out the wait for the first ' +
          'failing check (up to one interval, which the measured figures include) and its ' +
          "checkers' aggregation, and counts a whole " +
          "TTL (the measured figures include whatever part of the TTL the citizens' cache " +
          'had left). Route 53 itself offers only 10 s ' +
          'and 30 s intervals, so the 5 s rows compare with a setting it cannot run. (moto ' +
          "fails a target transaction that overlaps the results' batch write now and then; " +
          'the ' +
          "trials' DynamoDB clients hold writes around a transaction, `bench/lib/moto-write-gate.ts`.)",
        latencyTable(summaries),
        `${results.length} trials in ${passes} pass(es) and ${elapsed.toFixed(0)} s: ` +
          `real intervals, not shortened, with trials run side by side to ` +
          `fit the time (${plan.workers} Node processes, each with its own moto server and ` +
          `at most ${plan.concurrency} trials at once; settings ` +
          'interleaved, so each saw the same load). Side by side, the trials compete for ' +
          'the CPU: a probe or a round takes longer than ' +
          'alone. A round that overran makes the handler start the next one late and then ' +
          'catch up, closer than the interval, which ' +
          `would find the fault sooner than the schedule allows: a trial in which a round ` +
          `from the fault to the switch started over ` +
          `${LATE_ROUND_MS} ms after its slot is "disturbed" (${disturbed} this run) and ` +
          `replaced, as is one that stopped short.`,
        ...(topNotes.length
          ? [
              `What delayed counted trials after the fault (number of ` +
                `trials):\n\n${topNotes.map(([note, count]) => `- ${note} (${count})`).join('\n')}`,
            ]
          : []),
        ...(errors.length ? [`Trials that stopped short: ${errors.map((error) => `"${error}"`).join('; ')}.`] : []),
        "Every trial's rounds after the fault (start, end, lateness, failing targets, " +
          'switches, incidents, alerts, problems) are written to ' +
          '`node_modules/.cache/hcguard-bench/latency-trials.json` by each run.',
      ],
    };
  },
};
