import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  FUNCTION_MEMORY_MB,
  OPERATOR_FUNCTION_TIMEOUT_SECONDS,
  probeFunctionTimeoutSeconds,
  scheduleRateMinutes,
} from '../lambdas/core/schedule.ts';
import type { HcguardConfig } from '../lambdas/core/config/schema.ts';
import { SEVERITIES } from '../lambdas/core/model/vocabulary.ts';
import { WRITTEN_PARTITIONS } from '../lambdas/adapters/aws/table-design.ts';
import { RESOURCES_OUTPUT, type DeployedResources } from '../lambdas/contract/resources.ts';
import { AlertTopics } from './constructs/alert-topics.ts';
import { RobotSubscribers } from './constructs/robot-subscribers.ts';
import { GuardKeys } from './constructs/encryption.ts';
import {
  grantAuditQueueRead,
  grantGuardAccess,
  grantTableAccess,
  GuardFunction,
} from './constructs/guard-functions.ts';
import { GuardMonitoring } from './constructs/guard-monitoring.ts';
import { ManagedRecords } from './constructs/managed-records.ts';
import { acknowledge } from './constructs/nag.ts';
import { StateTable } from './constructs/state-table.ts';

export interface HcguardStackProps extends StackProps {
  /** The parsed config; the same object `hcguard config check` prints. */
  readonly config: HcguardConfig;
}

export const logRetentionFor = (days: number): logs.RetentionDays => days as logs.RetentionDays;

/** Principals of this account may assume the operator role only once tagged as operators. */
export const OPERATOR_PRINCIPAL_TAG = 'hcguard-operator';

/**
 * Who may assume the operator role: the configured principals, or else only principals of this
 * account that carry the operator tag; with `requireMfa`, only from an MFA-signed session.
 */
const operatorTrust = (operators: HcguardConfig['deployment']['operators']): iam.IPrincipal => {
  const conditions = {
    ...(operators.principals.length === 0
      ? { StringEquals: { [`aws:PrincipalTag/${OPERATOR_PRINCIPAL_TAG}`]: 'true' } }
      : {}),
    ...(operators.requireMfa ? { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } : {}),
  };
  const principals =
    operators.principals.length > 0
      ? operators.principals.map((arn) => new iam.ArnPrincipal(arn))
      : [new iam.AccountRootPrincipal()];
  return new iam.CompositePrincipal(...principals.map((principal) => principal.withConditions(conditions)));
};

/**
 * Everything hcguard runs on in one account: the state table, one alert topic per severity,
 * the scheduled probe Lambda, the operator Lambda (drills and routing commands, invoked by the
 * operator role), the managed records, and the
 * alarms that watch hcguard itself.
 */
export class HcguardStack extends Stack {
  constructor(scope: Construct, id: string, props: HcguardStackProps) {
    super(scope, id, props);
    const { config } = props;
    const keys = new GuardKeys(this, 'Keys', { retainOnDelete: config.deployment.deletionProtection });
    const state = new StateTable(this, 'State', {
      encryptionKey: keys.dataKey,
      deletionProtection: config.deployment.deletionProtection,
      ...(config.deployment.backup.enabled ? { backupRetentionDays: config.deployment.backup.retentionDays } : {}),
    });
    const alertSubscriptions = Object.fromEntries(
      SEVERITIES.map((severity) => [severity, config.alerts[severity].subscriptions]),
    ) as Record<(typeof SEVERITIES)[number], HcguardConfig['alerts']['SEV1']['subscriptions']>;
    const alerts = new AlertTopics(this, 'Alerts', {
      encryptionKey: keys.alertsKey,
      namePrefix: config.name,
      subscriptions: alertSubscriptions,
    });
    const records = new ManagedRecords(this, 'Records', { records: config.records });

    const resources = (operatorFunctionName?: string): DeployedResources => ({
      tableName: state.table.tableName,
      topicArns: Object.fromEntries(
        SEVERITIES.map((severity) => [severity, alerts.topics[severity].topicArn]),
      ) as DeployedResources['topicArns'],
      hostedZoneIds: Object.fromEntries(records.records.map((record) => [record.name, record.zone.hostedZoneId])),
      auditQueueUrl: alerts.auditQueue.queueUrl,
      ...(operatorFunctionName ? { operatorFunctionName } : {}),
    });
    // Failed invocations of either function and schedule events EventBridge could not deliver.
    const failures = new sqs.Queue(this, 'InvocationFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: keys.alertsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      failures,
      ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
      "This queue is the functions' on-failure destination and the schedule's dead-letter queue: nothing follows it.",
    );
    const common = {
      logRetention: logRetentionFor(config.deployment.logRetentionDays),
      logsKey: keys.logsKey,
      failures,
      resolvedConfig: config,
      serviceName: config.name,
    };
    const probe = new GuardFunction(this, 'Probe', {
      ...common,
      handlerFile: 'probe.ts',
      description: 'hcguard prober: probes every stage on both sites, evaluates, alerts, fails over',
      memorySize: FUNCTION_MEMORY_MB.probe,
      timeout: Duration.seconds(probeFunctionTimeoutSeconds(config)),
      resourcesJson: this.toJsonString(resources()),
    });
    const operator = new GuardFunction(this, 'Operator', {
      ...common,
      handlerFile: 'operator.ts',
      description: 'hcguard drills and operator routing commands (invoked by the operator role only)',
      memorySize: FUNCTION_MEMORY_MB.operator,
      timeout: Duration.seconds(OPERATOR_FUNCTION_TIMEOUT_SECONDS),
      resourcesJson: this.toJsonString(resources()),
    });
    const robots = new RobotSubscribers(this, 'Robots', {
      alerts: config.alerts,
      topics: alerts.topics,
      deadLetters: alerts.deadLetters,
      functionProps: { ...common, resourcesJson: this.toJsonString(resources()) },
    });
    const access = {
      table: state.table,
      dataKey: keys.dataKey,
      topics: alerts.topics,
      alertsKey: keys.alertsKey,
      records: records.records,
      secrets: Object.values(config.secrets),
    };
    grantGuardAccess(probe.role, { ...access, writes: WRITTEN_PARTITIONS.probe });
    grantGuardAccess(operator.role, { ...access, writes: WRITTEN_PARTITIONS.operator });
    grantAuditQueueRead(operator.role, alerts.auditQueue);

    for (const [name, secret] of Object.entries(config.secrets)) {
      if ('env' in secret) {
        Annotations.of(probe.function).addWarningV2(
          'hcguard:secret-from-environment',
          `secrets.${name} comes from the environment variable ${secret.env}, which the ` +
            `deployed functions do not have: store it in SSM Parameter Store and use { ` +
            `ssmParameter: "/…" }.`,
        );
      }
    }

    const rate = Duration.minutes(scheduleRateMinutes(config));
    new events.Rule(this, 'ProbeSchedule', {
      description: `hcguard probe rounds every ${config.schedule.intervalSeconds}s`,
      schedule: events.Schedule.rate(rate),
      targets: [
        new targets.LambdaFunction(probe.function, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
          deadLetterQueue: failures,
        }),
      ],
    });

    const operatorRole = new iam.Role(this, 'OperatorRole', {
      description: 'hcguard operators: read status, run drills and operator commands through the operator Lambda',
      assumedBy: operatorTrust(config.deployment.operators),
      maxSessionDuration: Duration.hours(4),
    });
    acknowledge(
      operatorRole,
      ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
      "The operator role's policy names this stack's table, key and operator function: it belongs " +
        'to this one role and must not be attachable elsewhere, which an inline policy ensures.',
    );
    // The unqualified function only: no versions or aliases exist to invoke.
    operatorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [operator.function.functionArn] }),
    );
    // Reads only: every change an operator makes goes through the operator Lambda.
    grantTableAccess(operatorRole, state.table, keys.dataKey, []);
    operatorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [this.stackId] }),
    );

    new GuardMonitoring(this, 'Monitoring', {
      serviceName: config.name,
      functions: {
        Probe: probe.function,
        Operator: operator.function,
        ...Object.fromEntries(Object.entries(robots.functions).map(([name, robot]) => [name, robot.function])),
      },
      heartbeatTopic: alerts.topics[config.severity.fixed.heartbeatMissing],
      errorsTopic: alerts.topics.SEV2,
      throttlesTopic: alerts.topics.SEV3,
      scheduleRate: rate,
      // A page SNS could not deliver, or a failed invocation: SEV2, and SEV1 for SEV2's own letters.
      deadLetters: [
        ...SEVERITIES.map((severity) => ({
          name: `${severity}DeadLetters`,
          queue: alerts.deadLetters[severity],
          topic: alerts.topics[severity === 'SEV2' ? 'SEV1' : 'SEV2'],
          description: `SNS could not deliver a ${severity} alert to a subscriber`,
        })),
        {
          name: 'InvocationFailures',
          queue: failures,
          topic: alerts.topics.SEV2,
          description: 'a scheduled probe run or an asynchronous invocation failed',
        },
      ],
    });

    new CfnOutput(this, RESOURCES_OUTPUT, {
      description: 'What the hcguard CLI needs to find this stack (JSON)',
      value: this.toJsonString(resources(operator.function.functionName)),
    });
    new CfnOutput(this, 'OperatorRoleArn', {
      description: 'Assume this role to run hcguard commands',
      value: operatorRole.roleArn,
    });
    new CfnOutput(this, 'OperatorFunctionName', { value: operator.function.functionName });
    new CfnOutput(this, 'TableName', { value: state.table.tableName });
    for (const severity of SEVERITIES) {
      new CfnOutput(this, `${severity}TopicArn`, {
        description: `Subscribe here for ${severity} alerts`,
        value: alerts.topics[severity].topicArn,
      });
    }
  }
}
