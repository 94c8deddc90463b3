// A child process of the latency section: runs its share of the trials (the bench spreads them
// over processes so the trials use both cores), reports each as a JSON line on stdout.
// Input: argv[2] = JSON { endpoint, concurrency, trials: [{ setting, citizensPerSecond }] }.
import { runTrials } from './latency.ts';
import type { LatencySetting } from './lib/latency-model.ts';

interface WorkerInput {
  readonly endpoint: string;
  readonly concurrency: number;
  readonly trials: readonly { readonly setting: LatencySetting; readonly citizensPerSecond: number }[];
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
await runTrials(
  input.trials.map((trial) => ({ ...trial, endpoint: input.endpoint })),
  input.concurrency,
  (index, result) => process.stdout.write(`${JSON.stringify({ index, result })}\n`),
);
