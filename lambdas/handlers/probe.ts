// The scheduled probe Lambda: EventBridge invokes it once a minute; it runs the rounds the
// config asks for (several, spaced by the interval, when the interval is under a minute) and
// stops before the deadline. Thin on purpose: the round (lambdas/app/round.ts) does the work.
//
// Environment is read once per container: the config baked into the bundle (HCGUARD_BAKED_CONFIG,
// see core/config/baked.ts: used as baked when it has the parsed shape) and the stack's resources
// (HCGUARD_RESOURCES). Adapters are built at module scope and reused by every invocation; SDK
// clients a round may not need (SNS, Route 53) are built on first use (aws-clients.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RoundOptions, RoundProblem, RoundStep, RoundSummary } from '../app/round/types.ts';
import { roundsPerInvocation, type HcguardConfig } from '../core/config.ts';
import { SITES, STAGES } from '../core/model/vocabulary.ts';
import {
  HEARTBEAT_METRIC,
  METRICS_NAMESPACE,
  PROBE_LATENCY_METRIC,
  PROBE_SUCCESS_METRIC,
  type RoundErrorMetric,
} from '../contract/metrics.ts';
import { deployedHandler } from '../app/deployment.ts';
import { sleep as abortableSleep } from '../sleep.ts';

/** Error metrics, by the part of the round that failed: an alarm per kind tells what to look at. */
export const ERROR_METRICS: Record<RoundStep, RoundErrorMetric> = {
  'active-drill': 'StateStoreErrors',
  'load-targets': 'StateStoreErrors',
  'save-targets': 'StateStoreErrors',
  'record-results': 'StateStoreErrors',
  'load-incidents': 'StateStoreErrors',
  'load-announcements': 'StateStoreErrors',
  incident: 'StateStoreErrors',
  'queue-alert': 'StateStoreErrors',
  'pending-alerts': 'StateStoreErrors',
  'mark-sent': 'StateStoreErrors',
  publish: 'AlertPublishErrors',
  reconcile: 'FailoverErrors',
  probe: 'ProbeRunErrors',
};

/** Time a round needs besides its probes: DynamoDB, the controller, SNS. */
const ROUND_OVERHEAD_MS = 5_000;
/** Middy aborts the handler's signal this long before the Lambda deadline. */
export const TIMEOUT_EARLY_MS = 3_000;

/** The longest a round can take: the slowest probe's step timeouts, plus the round's own I/O. */
export const roundBudgetMs = (config: Pick<HcguardConfig, 'probes'>): number =>
  Math.max(0, ...config.probes.map((probe) => probe.steps.reduce((sum, step) => sum + step.timeoutMs, 0))) +
  ROUND_OVERHEAD_MS;

export interface ProbeHandlerDeps {
  readonly config: Pick<HcguardConfig, 'name' | 'schedule' | 'probes'>;
  readonly runRound: (options: RoundOptions) => Promise<RoundSummary>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Milliseconds since the epoch; the spacing of rounds is measured with it. */
  readonly now?: () => number;
  /** Waits between rounds; rejects when the signal aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly timeoutEarlyMs?: number;
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

const reportRound = (deps: ProbeHandlerDeps, round: number, summary: RoundSummary): void => {
  const { logger, metrics } = deps;
  // The heartbeat says "the prober ran a round": the stack's alarm pages when it goes missing.
  if (summary.probed) metrics.addMetric(HEARTBEAT_METRIC, MetricUnit.Count, 1);
  const errors = new Map<string, number>();
  for (const problem of summary.problems) {
    const metric = ERROR_METRICS[problem.step];
    errors.set(metric, (errors.get(metric) ?? 0) + 1);
    logger.error(`round ${round}: ${problem.step} failed`, problemFields(problem));
  }
  for (const [metric, count] of errors) metrics.addMetric(metric, MetricUnit.Count, count);
  metrics.addMetric('AlertsSent', MetricUnit.Count, summary.alerts.sent.length);
  metrics.publishStoredMetrics();
  publishProbeMetrics(deps.config.name, summary);
  logger.info(`round ${round} done`, {
    round,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    ...(summary.drillId ? { drillId: summary.drillId } : {}),
    results: summary.results.length,
    targets: summary.targets.map(
      (target) => `${target.site}/${target.stage}=${target.health}${target.flapping ? ' (flapping)' : ''}`,
    ),
    transitions: summary.transitions.map(
      (transition) =>
        `${transition.site}/${transition.stage} ${transition.from}→${transition.to}: ${transition.reason}`,
    ),
    switches: summary.switches.map((change) => `${change.record} ${change.from}→${change.to}`),
    incidents: summary.incidents.map(
      (incident) => `${incident.id} ${incident.change} ${incident.severity} ${incident.outcome}`,
    ),
    alertsSent: summary.alerts.sent.map((alert) => alert.id),
    alertsPending: summary.alerts.pending,
    problems: summary.problems.length,
  });
};

/**
 * The dashboard's per-stage graphs: success (1 ok or degraded, 0 failed) and latency of every
 * result, with dimensions service/site/stage; one EMF blob per target. Aborted results say
 * nothing about the platform and are left out.
 */
const publishProbeMetrics = (serviceName: string, summary: RoundSummary): void => {
  for (const site of SITES) {
    for (const stage of STAGES) {
      const results = summary.results.filter(
        (result) => result.site === site && result.stage === stage && result.failureClass !== 'aborted',
      );
      if (results.length === 0) continue;
      const target = new Metrics({ namespace: METRICS_NAMESPACE, serviceName, defaultDimensions: { site, stage } });
      for (const result of results) {
        target.addMetric(PROBE_SUCCESS_METRIC, MetricUnit.Count, result.outcome === 'failed' ? 0 : 1);
        target.addMetric(PROBE_LATENCY_METRIC, MetricUnit.Milliseconds, result.durationMs);
      }
      target.publishStoredMetrics();
    }
  }
};

const problemFields = (problem: RoundProblem) => ({
  step: problem.step,
  error: problem.message,
  ...(problem.incidentId ? { incidentId: problem.incidentId } : {}),
  ...(problem.alertId ? { alertId: problem.alertId } : {}),
  ...(problem.record ? { record: problem.record } : {}),
});

export const createHandler = (deps: ProbeHandlerDeps) => {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const timeoutEarlyMs = deps.timeoutEarlyMs ?? TIMEOUT_EARLY_MS;
  const rounds = roundsPerInvocation(deps.config);
  const intervalMs = deps.config.schedule.intervalSeconds * 1000;
  const budgetMs = roundBudgetMs(deps.config);

  const probe = async (
    _event: unknown,
    context: Context,
    { signal }: { signal: AbortSignal },
  ): Promise<ProbeInvocationResult> => {
    const start = now();
    const done: ProbeInvocationResult['rounds'][number][] = [];
    let stopped: string | undefined;
    for (let round = 1; round <= rounds; round++) {
      const slot = start + (round - 1) * intervalMs;
      try {
        if (slot > now()) await sleep(slot - now(), signal);
      } catch {
        stopped = 'the deadline came while waiting for the next round';
        break;
      }
      const usable = context.getRemainingTimeInMillis() - timeoutEarlyMs;
      if (usable < budgetMs) {
        stopped = `round ${round} of ${rounds} skipped: ${usable} ms left, a round may take ${budgetMs} ms`;
        break;
      }
      const summary = await deps.runRound({ signal });
      reportRound(deps, round, summary);
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
      if (signal.aborted) {
        stopped = 'the deadline came during a round';
        break;
      }
    }
    if (stopped) deps.logger.warn(stopped, { roundsRun: done.length, roundsPlanned: rounds });
    return { rounds: done, ...(stopped ? { stopped } : {}) };
  };

  return middy(probe, {
    timeoutEarlyInMillis: timeoutEarlyMs,
    // Answer instead of failing: a failed scheduled invocation would only be retried late.
    timeoutEarlyResponse: () => {
      deps.logger.warn('the Lambda deadline is near: the running round was aborted');
      return { rounds: [], stopped: 'aborted at the deadline' } satisfies ProbeInvocationResult;
    },
  });
};

// ---------------------------------------------------------------- the deployed function

// The stack sets POWERTOOLS_SERVICE_NAME to the config's name, as the metrics' service dimension.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hcguard-probe' });

export const handler = deployedHandler('probe', logger, ({ config, services }) =>
  createHandler({
    config,
    runRound: services.runRound,
    logger,
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.name }),
  }),
);
