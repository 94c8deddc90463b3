// Detection and switch latency, measured end to end on the local runtime's pieces: a sandbox
// platform (both sites), moto as AWS, the real probe Lambda handler invoked once a minute as
// EventBridge does (it runs the minute's rounds itself, `interval` apart), and simulated
// citizens resolving the record through a TTL-respecting cache. After a warm-up, a verification
// fault (`error`) is injected on the primary at t0, at a random phase of the round schedule;
// each milestone is timed from t0:
// - incident opened: the incident's `openedAt` (the round's decision time), read from the store;
// - SEV1 alert published: the SNS timestamp of the alert, read back from the SQS queue
//   subscribed to the alert topics;
// - record switched: when Route 53 (moto) accepted the ChangeResourceRecordSets UPSERT;
// - citizens served by backup: the end of the citizens' outage window (the first of three
//   successes in a row; every success after t0 is on the backup, the primary being broken).
import { errorText } from '../lambdas/core/errors.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { RoundOptions, RoundSummary } from '../lambdas/app/round/types.ts';
import { createProbeHandler } from '../lambdas/app/probe-handler.ts';
import { probeFunctionTimeoutSeconds } from '../lambdas/core/schedule.ts';
import { CitizenSimulator } from '../local/citizens.ts';
import { lambdaContext, scheduledEvent } from '../local/runtime/lambda-invoke.ts';
import { topicNameFor } from '../lambdas/contract/resources.ts';
import type { LatencySetting, TrialResult, TrialTimes } from './lib/latency-model.ts';
import { startTestbed, type Testbed } from './lib/testbed.ts';
import { sleep as abortableSleep } from '../lambdas/sleep.ts';

/** EventBridge invokes the probe Lambda once a minute. */
const SCHEDULE_MS = 60_000;
/**
 * A round that starts later than this after its slot ran late (the one before it overran, on a busy machine); the
 * handler then runs it, and catches up, closer than the interval: such a trial is set aside as disturbed.
 */
export const LATE_ROUND_MS = 500;

export interface TrialOptions {
  readonly endpoint: string;
  readonly setting: LatencySetting;
  /** Simulated citizens' verification requests per second. */
  readonly citizensPerSecond: number;
  readonly label: string;
  /** Give up on the milestones this long after t0. */
  readonly timeoutMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Sleeps like the handler's own, but also ends when the trial stops. */
const sleepUntilStopped =
  (stop: AbortSignal) =>
  (ms: number, signal: AbortSignal): Promise<void> =>
    abortableSleep(ms, AbortSignal.any([signal, stop]));

let quietTelemetry: { logger: Logger; metrics: Metrics } | undefined;
/** The handler's logger and metrics, silenced: a bench prints figures, not EMF lines. */
const telemetry = () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  quietTelemetry ??= {
    logger: new Logger({ serviceName: 'hcguard-bench', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'hcguard-bench' }),
  };
  return quietTelemetry;
};

/** Timestamps the moment Route 53 accepts each ChangeResourceRecordSets. */
const watchRecordChanges = (testbed: Testbed): number[] => {
  const accepted: number[] = [];
  testbed.clients.route53.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ChangeResourceRecordSetsCommand') accepted.push(Date.now());
      return result;
    },
    { step: 'initialize', name: 'hcguardBenchSwitchWatch' },
  );
  return accepted;
};

interface SnsEnvelope {
  readonly TopicArn?: string;
  readonly Timestamp?: string;
}

/** SNS timestamps of the SEV1 alerts the audit queue received. */
const sev1PublishTimes = async (testbed: Testbed): Promise<number[]> => {
  const queueUrl = testbed.resources.auditQueueUrl;
  if (!queueUrl) throw new Error('the testbed has no alert audit queue');
  const sev1Topic = `:${topicNameFor(testbed.config.name, 'SEV1')}`;
  const times: number[] = [];
  for (let page = 0; page < 20; page++) {
    const { Messages: messages = [] } = await testbed.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (messages.length === 0) break;
    for (const message of messages) {
      const envelope = JSON.parse(message.Body ?? '{}') as SnsEnvelope;
      if (envelope.TopicArn?.endsWith(sev1Topic) && envelope.Timestamp) times.push(Date.parse(envelope.Timestamp));
    }
    await testbed.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
    );
  }
  return times;
};

export const runTrial = async (options: TrialOptions): Promise<TrialResult> => {
  const { setting } = options;
  const timeoutMs =
    options.timeoutMs ?? setting.intervalSeconds * setting.failureThreshold * 1000 + setting.ttlSeconds * 1000 + 60_000;
  const testbed = await startTestbed({
    endpoint: options.endpoint,
    label: options.label,
    intervalSeconds: setting.intervalSeconds,
    failureThreshold: setting.failureThreshold,
    ttlSeconds: setting.ttlSeconds,
    change: (input) => ({
      ...input,
      local: { ...input.local, citizens: { ...input.local?.citizens, requestsPerSecond: options.citizensPerSecond } },
    }),
  });
  const stop = new AbortController();
  /**
   * Each round with when it finished and how late it started against its slot in the invocation
   * (handler: `interval` apart).
   */
  const summaries: { at: number; lateMs: number; summary: RoundSummary }[] = [];
  const intervalMs = setting.intervalSeconds * 1000;
  let invocation = { at: 0, rounds: 0 };
  const changesAccepted = watchRecordChanges(testbed);
  const [record] = testbed.records;
  if (!record) throw new Error('the testbed has no managed record');
  const citizens = new CitizenSimulator({ config: testbed.config, record, route53: testbed.clients.route53 });
  const handler = createProbeHandler({
    config: testbed.config,
    runRound: async (roundOptions: RoundOptions) => {
      const slot = invocation.at + invocation.rounds * intervalMs;
      invocation.rounds += 1;
      const lateMs = Date.now() - slot;
      const signal = AbortSignal.any([roundOptions.signal ?? stop.signal, stop.signal]);
      // Every probe of the round listens to it.
      setMaxListeners(0, signal);
      const summary = await testbed.services.runRound({ ...roundOptions, signal });
      summaries.push({ at: Date.now(), lateMs, summary });
      return summary;
    },
    ...telemetry(),
    sleep: sleepUntilStopped(stop.signal),
  });
  const functionName = `${testbed.config.name}-probe`;
  // EventBridge: one invocation a minute; with reserved concurrency 1 a tick that finds the previous
  // still running is throttled.
  let running: Promise<unknown> | undefined;
  const invoke = () => {
    if (running || stop.signal.aborted) return;
    const context: Context = lambdaContext(
      functionName,
      Date.now() + probeFunctionTimeoutSeconds(testbed.config) * 1000,
    );
    invocation = { at: Date.now(), rounds: 0 };
    running = handler(scheduledEvent(new Date()), context)
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
  };
  const schedule = (async () => {
    while (!stop.signal.aborted) {
      invoke();
      await sleep(SCHEDULE_MS, stop.signal);
    }
  })();

  const times: { -readonly [K in keyof TrialTimes]: TrialTimes[K] } = {};
  const trialNotes: string[] = [];
  const timeline: string[] = [];
  let error: string | undefined;
  let disturbed: string | undefined;
  try {
    // The citizens' resolver cache refreshes every TTL from its first lookup: start it at a random phase of the round
    // schedule, as a real resolver's would be, or every trial would see the same refresh offset from the switch.
    const citizensStarted = sleep(Math.random() * setting.ttlSeconds * 1000).then(() => citizens.start());
    const healthy = () => summaries.at(-1)?.summary.targets.every((target) => target.health === 'healthy') === true;
    // When early rounds ran slow (cold clients, a busy machine), the handler runs the missed slots
    // back to back to catch up; a fault injected then would be found by rounds closer than the
    // interval. Wait until rounds keep the schedule.
    const onSchedule = () =>
      summaries.length >= 2 && summaries.slice(-2).every((entry) => entry.lateMs <= LATE_ROUND_MS);
    const warmUpDeadline = Date.now() + 10 * intervalMs + 30_000;
    while (!(healthy() && onSchedule())) {
      if (Date.now() > warmUpDeadline)
        throw new Error(healthy() ? 'the rounds never kept the schedule' : 'the targets never became healthy');
      await sleep(200);
    }
    await citizensStarted;
    // A random phase: faults do not wait for the next round.
    await sleep(Math.random() * setting.intervalSeconds * 1000);
    const t0 = Date.now();
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });

    // A request sent just before t0 can fail on the fault: its outage starts (at the request's start) slightly earlier.
    const inFlightBefore = testbed.config.local.citizens.timeoutMs;
    const recovered = () =>
      citizens
        .snapshot()
        .outages.find(
          (outage) =>
            outage.end !== undefined && Date.parse(outage.end) > t0 && Date.parse(outage.start) >= t0 - inFlightBefore,
        );
    const switched = () => changesAccepted.find((at) => at >= t0);
    // The round that switched has finished: its incident and alert are written and sent (or reported failed).
    const switchRoundDone = () => summaries.some(({ at, summary }) => at >= t0 && summary.switches.length > 0);
    while (!(recovered() && switched() && switchRoundDone())) {
      if (Date.now() - t0 > timeoutMs) {
        error = `stopped ${Math.round(timeoutMs / 1000)} s after the fault`;
        break;
      }
      await sleep(100);
    }
    const outage = recovered();
    if (outage?.end) times.citizensOnBackup = Date.parse(outage.end) - t0;
    const switchedAt = switched();
    if (switchedAt !== undefined) times.recordSwitched = switchedAt - t0;
    // Rounds the stop itself aborts are not part of the trial.
    const stoppedAt = Date.now();
    stop.abort();
    await running;
    const notes = new Set<string>();
    for (const { at, summary } of summaries) {
      if (at < t0 || at >= stoppedAt) continue;
      for (const state of summary.routing)
        if (state.refusal) notes.add(`switch refused: ${state.refusal.codes.join(', ')}`);
      for (const problem of summary.problems)
        notes.add(`${problem.step}: ${problem.message.split('\n')[0]?.slice(0, 120)}`);
      for (const target of summary.targets)
        if (target.site === 'backup' && target.health !== 'healthy')
          notes.add(
            `backup ${target.stage} ${target.health}${target.lastFailureClass ? ` (${target.lastFailureClass})` : ''}`,
          );
    }
    // The rounds that found the fault: from the one in flight at t0 to the one that switched.
    const decidedAt = summaries.find(({ at, summary }) => at >= t0 && summary.switches.length > 0)?.at ?? stoppedAt;
    const deciding = summaries.filter(
      ({ at, summary }) => at >= t0 && at <= decidedAt && Date.parse(summary.startedAt) >= t0 - intervalMs,
    );
    const lateMs = Math.max(0, ...deciding.map((entry) => entry.lateMs));
    if (lateMs > LATE_ROUND_MS) disturbed = `a round started ${(lateMs / 1000).toFixed(1)} s after its slot`;
    if (notes.size) trialNotes.push(...notes);
    for (const { at, lateMs, summary } of summaries) {
      if (at < t0) continue;
      timeline.push(
        `+${((Date.parse(summary.startedAt) - t0) / 1000).toFixed(1)}s…+${((at - t0) / 1000).toFixed(1)}s` +
          ` (${(lateMs / 1000).toFixed(1)}s late)` +
          ` failing [${summary.targets
            .filter((target) => target.health !== 'healthy')
            .map((target) => `${target.site}/${target.stage}=${target.health}`)
            .join(' ')}]` +
          ` switches ${summary.switches.length} incidents ` +
          `[${summary.incidents.map((each) => `${each.severity} ${each.change} ${each.outcome}`).join(', ')}]` +
          ` alerts ${summary.alerts.sent.length} problems ` +
          `[${summary.problems.map((problem) => problem.step).join(' ')}]`,
      );
    }
    const incidents = await testbed.services.store.listIncidents(
      { since: new Date(t0 - 1_000).toISOString() },
      AbortSignal.timeout(30_000),
    );
    const incident = incidents.find(
      (candidate) =>
        candidate.site === 'primary' && candidate.stage === 'verification' && candidate.severity === 'SEV1',
    );
    if (incident) times.incidentOpened = Date.parse(incident.openedAt) - t0;
    const published = (await sev1PublishTimes(testbed)).filter((at) => at >= t0 - 1_000).sort((a, b) => a - b)[0];
    if (published !== undefined) times.alertPublished = published - t0;
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    stop.abort();
    await schedule;
    await running;
    await citizens.stop();
    await testbed.stop();
  }
  return {
    times,
    ...(error ? { error } : {}),
    ...(disturbed ? { disturbed } : {}),
    ...(trialNotes.length ? { notes: trialNotes } : {}),
    ...(timeline.length ? { timeline } : {}),
  };
};

/** Runs trials with at most `concurrency` at once, each on its own sandbox and resources. */
export const runTrials = async (
  trials: readonly Omit<TrialOptions, 'label'>[],
  concurrency: number,
  onDone?: (index: number, result: TrialResult) => void,
): Promise<TrialResult[]> => {
  const results = new Array<TrialResult>(trials.length);
  const queue = trials.entries();
  const worker = async (): Promise<void> => {
    for (const [index, trial] of queue) {
      const { intervalSeconds: interval, failureThreshold: threshold } = trial.setting;
      try {
        results[index] = await runTrial({
          ...trial,
          label: `lat-${interval}s-t${threshold}-${index}-${randomUUID().slice(0, 4)}`,
        });
      } catch (error) {
        results[index] = { times: {}, error: errorText(error) };
      }
      onDone?.(index, results[index] as TrialResult);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, trials.length)) }, worker));
  return results;
};
