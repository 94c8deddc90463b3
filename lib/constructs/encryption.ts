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
    const key = (id: string, description: string) =>
      new kms.Key(this, id, { description, enableKeyRotation: true, pendingWindow: Duration.days(30), removalPolicy });
    this.dataKey = key('DataKey', 'hcguard state table (probe results, targets, incidents, routing, audit)');
    this.alertsKey = key('AlertsKey', 'hcguard alert topics, the alert audit queue and the dead-letter queues');
    this.logsKey = key('LogsKey', "hcguard functions' log groups");
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
    // A service that writes to the topics or their queues on this account's behalf uses the key.
    const allowService = (sid: string, service: string) =>
      this.alertsKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    // CloudWatch alarms publish to the encrypted topics (prober heartbeat, Lambda errors);
    // without this grant their notifications are dropped silently.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encryption
    allowService('AllowCloudWatchAlarmsToPublishToEncryptedTopics', 'cloudwatch.amazonaws.com');
    // EventBridge puts an undeliverable schedule event on the encrypted failure queue.
    allowService('AllowEventBridgeToDeadLetterToEncryptedQueue', 'events.amazonaws.com');
    // SNS must encrypt messages it delivers to the KMS-encrypted audit and dead-letter queues.
    allowService('AllowSnsToDeliverToEncryptedQueue', 'sns.amazonaws.com');
  }
}
