// Tells CloudWatch about each round, through Powertools: one log line per round and per problem,
// the heartbeat the stack's alarm watches, an error metric per failed part, and the dashboard's
// success and latency per result.
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RoundReporter } from '../../app/probe-invocation.ts';
import type { RoundProblem, RoundSummary } from '../../app/round/types.ts';
import {
  ERROR_METRICS,
  HEARTBEAT_METRIC,
  METRICS_NAMESPACE,
  PROBE_LATENCY_METRIC,
  PROBE_SUCCESS_METRIC,
} from '../../contract/metrics.ts';
import { SITES, STAGES } from '../../core/model/vocabulary.ts';

const problemFields = (problem: RoundProblem) => ({
  step: problem.step,
  error: problem.message,
  ...(problem.incidentId ? { incidentId: problem.incidentId } : {}),
  ...(problem.alertId ? { alertId: problem.alertId } : {}),
  ...(problem.record ? { record: problem.record } : {}),
});

const roundFields = (round: number, summary: RoundSummary) => ({
  round,
  startedAt: summary.startedAt,
  finishedAt: summary.finishedAt,
  ...(summary.drillId ? { drillId: summary.drillId } : {}),
  results: summary.results.length,
  targets: summary.targets.map(
    (target) => `${target.site}/${target.stage}=${target.health}${target.flapping ? ' (flapping)' : ''}`,
  ),
  transitions: summary.transitions.map(
    (change) => `${change.site}/${change.stage} ${change.from}→${change.to}: ${change.reason}`,
  ),
  switches: summary.switches.map((change) => `${change.record} ${change.from}→${change.to}`),
  incidents: summary.incidents.map(
    (incident) => `${incident.id} ${incident.change} ${incident.severity} ${incident.outcome}`,
  ),
  alertsSent: summary.alerts.sent.map((alert) => alert.id),
  alertsPending: summary.alerts.pending,
  problems: summary.problems.length,
});

export class PowertoolsRoundReporter implements RoundReporter {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly serviceName: string,
  ) {}

  round(round: number, summary: RoundSummary): void {
    // The heartbeat says "the prober ran a round": the stack's alarm pages when it goes missing.
    if (summary.probed) this.metrics.addMetric(HEARTBEAT_METRIC, MetricUnit.Count, 1);
    const errors = new Map<string, number>();
    for (const problem of summary.problems) {
      const metric = ERROR_METRICS[problem.step];
      errors.set(metric, (errors.get(metric) ?? 0) + 1);
      this.logger.error(`round ${round}: ${problem.step} failed`, problemFields(problem));
    }
    for (const [metric, count] of errors) this.metrics.addMetric(metric, MetricUnit.Count, count);
    this.metrics.addMetric('AlertsSent', MetricUnit.Count, summary.alerts.sent.length);
    this.metrics.publishStoredMetrics();
    this.publishProbeMetrics(summary);
    this.logger.info(`round ${round} done`, roundFields(round, summary));
  }

  stopped(reason: string, fields: { readonly roundsRun: number; readonly roundsPlanned: number }): void {
    this.logger.warn(reason, fields);
  }

  /**
   * The dashboard's per-stage graphs: success (1 ok or degraded, 0 failed) and latency of every
   * result, with dimensions service/site/stage; one EMF blob per target. Aborted results say
   * nothing about the platform and are left out.
   */
  private publishProbeMetrics(summary: RoundSummary): void {
    for (const site of SITES) {
      for (const stage of STAGES) {
        const results = summary.results.filter(
          (result) => result.site === site && result.stage === stage && result.failureClass !== 'aborted',
        );
        if (results.length === 0) continue;
        const target = new Metrics({
          namespace: METRICS_NAMESPACE,
          serviceName: this.serviceName,
          defaultDimensions: { site, stage },
        });
        for (const result of results) {
          target.addMetric(PROBE_SUCCESS_METRIC, MetricUnit.Count, result.outcome === 'failed' ? 0 : 1);
          target.addMetric(PROBE_LATENCY_METRIC, MetricUnit.Milliseconds, result.durationMs);
        }
        target.publishStoredMetrics();
      }
    }
  }
}
