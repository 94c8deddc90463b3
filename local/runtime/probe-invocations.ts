// The probe Lambda as the local runtime runs it: the real handler (createProbeHandler from
// lambdas/app/probe-handler.ts, with middy, rounds per invocation and the deadline logic) invoked
// the way EventBridge invokes it, once per schedule period with the stack's timeout. For a
// sub-minute interval the handler itself runs the rounds, spaced by the interval, one at a time.
// Its logs go to a file next to the runtime file, so they do not scribble over the status table.
import { errorText } from '../../lambdas/core/errors.ts';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RoundOptions, RoundSummary } from '../../lambdas/app/round/types.ts';
import { probeFunctionTimeoutSeconds, scheduleRateMinutes } from '../../lambdas/core/schedule.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { createProbeHandler } from '../../lambdas/app/probe-handler.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { METRICS_NAMESPACE } from '../../lambdas/contract/metrics.ts';
import { lambdaContext, scheduledEvent } from './lambda-invoke.ts';
import { sleep } from '../../lambdas/sleep.ts';

/** What the console and the dashboard show about rounds. */
export interface RoundStats {
  count: number;
  lastStartedAt?: string;
  lastDurationMs?: number;
  /** The last round's problems in one line, or its error; cleared by a clean round. */
  lastError?: string;
}

/** Powertools' Logger, printing JSON lines to a file instead of stdout. */
class FileLogger extends Logger {
  constructor(
    private readonly path: string,
    private readonly onWarning: (message: string) => void,
  ) {
    super({ serviceName: 'hcguard-probe', logLevel: 'INFO' });
    mkdirSync(dirname(path), { recursive: true });
    // One run, one log: the file starts empty each time the runtime starts.
    writeFileSync(path, '');
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const attributes = log.getAttributes();
    appendFileSync(this.path, `${JSON.stringify(attributes)}\n`);
    // WARN and above (Powertools' thresholds: WARN 16, ERROR 20): worth a line on the console.
    if (logLevel >= 16) this.onWarning(String(attributes.message ?? ''));
  }
}

/**
 * Powertools' Metrics without the EMF lines: locally no CloudWatch reads them, and on stdout they
 * would scribble over the status table. The handler still adds every metric as deployed.
 */
class LocalMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}

/** The stack's probe Lambda timeout, in milliseconds. */
export const probeTimeoutMs = (config: Pick<HcguardConfig, 'schedule' | 'failover'>): number =>
  probeFunctionTimeoutSeconds(config) * 1000;

/** EventBridge's period: once a minute, or every N minutes for longer intervals. */
export const invocationPeriodMs = (config: Pick<HcguardConfig, 'schedule'>): number =>
  scheduleRateMinutes(config) * 60_000;

export interface ProbeInvocationsOptions {
  readonly config: HcguardConfig;
  readonly runRound: (options?: RoundOptions) => Promise<RoundSummary>;
  readonly clock: Clock;
  /** Aborts the invocation in flight (its waits and its round) when the runtime stops. */
  readonly stopping: AbortSignal;
  readonly logFile: string;
  readonly onRound: (stats: RoundStats) => void;
  readonly onWarning: (message: string) => void;
}

export const createProbeInvocations = (options: ProbeInvocationsOptions) => {
  const stats: RoundStats = { count: 0 };
  const { stopping } = options;

  const runRound = async (roundOptions: RoundOptions = {}): Promise<RoundSummary> => {
    const signal = roundOptions.signal ? AbortSignal.any([roundOptions.signal, stopping]) : stopping;
    const startedAt = options.clock.now();
    try {
      const summary = await options.runRound({ ...roundOptions, signal });
      stats.count++;
      stats.lastStartedAt = summary.startedAt;
      stats.lastDurationMs = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
      const [first] = summary.problems;
      if (first) stats.lastError = `${summary.problems.length} problem(s), first: ${first.step}: ${first.message}`;
      else delete stats.lastError;
      return summary;
    } catch (error) {
      stats.count++;
      stats.lastStartedAt = startedAt.toISOString();
      stats.lastDurationMs = options.clock.now().getTime() - startedAt.getTime();
      stats.lastError = errorText(error);
      throw error;
    } finally {
      if (!stopping.aborted) options.onRound({ ...stats });
    }
  };

  const handler = createProbeHandler({
    config: options.config,
    runRound,
    // What goes wrong while the runtime stops is the stop itself, not news.
    logger: new FileLogger(options.logFile, (message) => stopping.aborted || options.onWarning(message)),
    metrics: new LocalMetrics({ namespace: METRICS_NAMESPACE, serviceName: options.config.name }),
    // The wait between rounds ends at once when the runtime stops, as at a Lambda deadline.
    sleep: (ms, signal) => sleep(ms, AbortSignal.any([signal, stopping])),
  });

  const functionName = `${options.config.name}-probe`;
  /** One scheduled invocation, with the deployed function's timeout as its deadline. */
  const invoke = async (): Promise<void> => {
    await handler(
      scheduledEvent(options.clock.now()),
      lambdaContext(functionName, Date.now() + probeTimeoutMs(options.config)),
    );
  };

  return { invoke, stats, periodMs: invocationPeriodMs(options.config), timeoutMs: probeTimeoutMs(options.config) };
};
