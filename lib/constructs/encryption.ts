import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface GuardKeysProps {
  /** Keep the keys when the stack is deleted, so retained data stays readable. */
  readonly retainOnDelete: boolean;
}

/**
 * Customer-managed keys: one for the state table (health results and incidents are sensitive
 * under PIPL Art. 51), one for the alert topics and the queues beside them (audit, dead letters,
 * failed invocations), one for the functions' log groups.
 */
export class GuardKeys extends Construct {
  readonly dataKey: kms.Key;
  readonly alertsKey: kms.Key;
  readonly logsKey: kms.Key;

  constructor(scope: Construct, id: string, props: GuardKeysProps) {
    super(scope, id);
    const removalPolicy = props.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'hcguard state table (probe results, targets, incidents, routing, audit)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    this.alertsKey = new kms.Key(this, 'AlertsKey', {
      description: 'hcguard alert topics and alert audit queue',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    this.logsKey = new kms.Key(this, 'LogsKey', {
      description: "hcguard functions' log groups",
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    // CloudWatch Logs encrypts each log group's events with this key, for this account's groups only.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    const stack = Stack.of(this);
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted topics (prober heartbeat, Lambda errors);
    // without this grant their notifications are dropped silently.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encryption
    this.alertsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // EventBridge puts an undeliverable schedule event on the encrypted failure queue.
    this.alertsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToDeadLetterToEncryptedQueue',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // SNS must encrypt messages it delivers to the KMS-encrypted audit and dead-letter queues.
    this.alertsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSnsToDeliverToEncryptedQueue',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
