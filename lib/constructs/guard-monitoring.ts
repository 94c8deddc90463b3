import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SITES, STAGES } from '../../lambdas/core/model/vocabulary.ts';
import {
  HEARTBEAT_METRIC,
  METRICS_NAMESPACE,
  PROBE_LATENCY_METRIC,
  PROBE_SUCCESS_METRIC,
  ROUND_ERROR_METRICS,
} from '../../lambdas/contract/metrics.ts';

export interface GuardMonitoringProps {
  readonly serviceName: string;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Where a missing prober heartbeat is announced (config `severity.fixed.heartbeatMissing`). */
  readonly heartbeatTopic: sns.ITopic;
  /** Where Lambda errors are announced. */
  readonly errorsTopic: sns.ITopic;
  /** Where throttles are announced; they mean a run was skipped, not lost. */
  readonly throttlesTopic: sns.ITopic;
  /** How often the prober runs; the heartbeat period. */
  readonly scheduleRate: Duration;
  /** Missed periods in a row before the heartbeat alarm fires. @default 3 */
  readonly missedHeartbeats?: number;
  /** Queues that hold what could not be delivered or run; any message in one alarms. */
  readonly deadLetters?: readonly {
    readonly name: string;
    readonly queue: sqs.IQueue;
    readonly topic: sns.ITopic;
    readonly description: string;
  }[];
}

/**
 * Watches the watcher: a dead man's switch on the prober's own heartbeat (missing data is
 * breaching, so a prober that never runs alarms too), alarms on every function's errors and
 * throttles, and a dashboard of per-stage success rate and latency on each site.
 */
export class GuardMonitoring extends Construct {
  readonly heartbeatAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GuardMonitoringProps) {
    super(scope, id);
    const service = { service: props.serviceName };
    this.heartbeatAlarm = new cloudwatch.Alarm(this, 'HeartbeatAlarm', {
      alarmDescription:
        `hcguard prober (${props.serviceName}) has not completed a probe round for ` +
        `${props.missedHeartbeats ?? 3} periods: nothing is watching the health-code ` +
        `platform.`,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: HEARTBEAT_METRIC,
        dimensionsMap: service,
        statistic: cloudwatch.Stats.SUM,
        period: props.scheduleRate,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.missedHeartbeats ?? 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.heartbeatAlarm.addAlarmAction(new actions.SnsAction(props.heartbeatTopic));
    this.heartbeatAlarm.addOkAction(new actions.SnsAction(props.heartbeatTopic));

    /** Alarms at the first occurrence in a period: every one of these is worth a look. */
    const onAny = (id: string, description: string, metric: cloudwatch.IMetric, topic: sns.ITopic) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new actions.SnsAction(topic));
    const sum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };

    for (const letters of props.deadLetters ?? []) {
      onAny(
        `${letters.name}Alarm`,
        `hcguard: ${letters.description}; read the messages in the queue.`,
        letters.queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        letters.topic,
      );
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      onAny(
        `${name}Errors`,
        `hcguard ${name} function failed: check its log group.`,
        fn.metricErrors(sum),
        props.errorsTopic,
      );
      onAny(
        `${name}Throttles`,
        `hcguard ${name} function was throttled (reserved concurrency 1): a run overlapped the previous one.`,
        fn.metricThrottles(sum),
        props.throttlesTopic,
      );
    }

    // A round keeps going when one part fails (DynamoDB, SNS, Route 53, a probe the prober cannot
    // run); these say which part needs a look before it costs an alert or a switch.
    for (const metricName of ROUND_ERROR_METRICS) {
      onAny(
        metricName,
        `hcguard rounds report ${metricName}: see the probe function's log lines with step and error.`,
        new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: service, ...sum }),
        props.errorsTopic,
      );
    }

    const probeMetric = (metricName: string, site: string, stage: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { ...service, site, stage },
        statistic,
        period: Duration.minutes(1),
        label: site,
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# hcguard — ${props.serviceName}\nSuccess rate (%) and p95 latency of each ` +
          `stage's probes on each site. Alarms: prober heartbeat, function errors and ` +
          `throttles.`,
        width: 24,
        height: 2,
      }),
    );
    for (const stage of STAGES) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${stage}: success rate (%)`,
          width: 12,
          left: SITES.map(
            (site) =>
              new cloudwatch.MathExpression({
                expression: `${site} * 100`,
                usingMetrics: { [site]: probeMetric(PROBE_SUCCESS_METRIC, site, stage, cloudwatch.Stats.AVERAGE) },
                label: site,
                period: Duration.minutes(1),
              }),
          ),
          leftYAxis: { min: 0, max: 100 },
        }),
        new cloudwatch.GraphWidget({
          title: `${stage}: latency p95 (ms)`,
          width: 12,
          left: SITES.map((site) => probeMetric(PROBE_LATENCY_METRIC, site, stage, cloudwatch.Stats.p(95))),
        }),
      );
    }
  }
}
