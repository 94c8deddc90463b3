import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Subscription } from '../../lambdas/core/config/sections.ts';
import { SEVERITIES, type Severity } from '../../lambdas/core/model/vocabulary.ts';
import { topicNameFor } from '../../lambdas/contract/resources.ts';
import { acknowledge } from './nag.ts';

export interface AlertTopicsProps {
  readonly encryptionKey: kms.IKey;
  /** Who is told at each severity: e-mail, SMS or HTTPS endpoints from config. */
  readonly subscriptions: Readonly<Record<Severity, readonly Subscription[]>>;
  readonly namePrefix: string;
}

/**
 * One topic per severity, so subscribers choose their level (SEV1 pages, SEV4 is a digest),
 * plus an audit queue subscribed to every topic: drills read it back to confirm that an alert
 * was really delivered, not only published.
 */
export class AlertTopics extends Construct {
  readonly topics: Readonly<Record<Severity, sns.Topic>>;
  readonly auditQueue: sqs.Queue;
  /** Per severity, what SNS could not deliver to a subscriber after its retries. */
  readonly deadLetters: Readonly<Record<Severity, sqs.Queue>>;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.auditQueue = new sqs.Queue(this, 'AuditQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(1),
    });
    acknowledge(
      this.auditQueue,
      ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
      'The alert audit queue is a read-back channel for drills; an alert it fails to ' +
        'hold is already delivered to the real subscribers, so a DLQ would only collect ' +
        'copies.',
    );
    const topics = {} as Record<Severity, sns.Topic>;
    const deadLetters = {} as Record<Severity, sqs.Queue>;
    for (const severity of SEVERITIES) {
      // A page SNS gave up on lands here, so the failed delivery is visible (and alarmed on).
      const deadLetterQueue = new sqs.Queue(this, `${severity}DeadLetters`, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.encryptionKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        deadLetterQueue,
        ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
        'This queue is the dead-letter queue of the severity topic subscriptions: nothing follows it.',
      );
      deadLetters[severity] = deadLetterQueue;
      const topic = new sns.Topic(this, severity, {
        topicName: topicNameFor(props.namePrefix, severity),
        displayName: `hcguard ${severity}`,
        masterKey: props.encryptionKey,
        enforceSSL: true,
      });
      // Chat robots are posted to by their own subscriber Lambda (robot-subscribers.ts).
      for (const subscription of props.subscriptions[severity]) {
        if (subscription.protocol === 'robot') continue;
        const subscribed = topic.addSubscription(toSubscription(subscription, deadLetterQueue));
        if (subscription.protocol === 'sms')
          acknowledge(
            subscribed,
            ['Serverless-SNSRedrivePolicy'],
            'SNS takes no redrive policy for SMS subscriptions; the same alert also reaches the audit ' +
              'queue, whose subscription has a dead-letter queue, and the drill checks delivery there.',
          );
      }
      topic.addSubscription(new subscriptions.SqsSubscription(this.auditQueue, { deadLetterQueue }));
      topics[severity] = topic;
    }
    this.topics = topics;
    this.deadLetters = deadLetters;
  }
}

const toSubscription = (
  subscription: Exclude<Subscription, { protocol: 'robot' }>,
  deadLetterQueue: sqs.IQueue,
): sns.ITopicSubscription => {
  switch (subscription.protocol) {
    case 'email':
      return new subscriptions.EmailSubscription(subscription.endpoint, { deadLetterQueue });
    case 'sms':
      return new subscriptions.SmsSubscription(subscription.endpoint);
    case 'https':
      return new subscriptions.UrlSubscription(subscription.endpoint, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        rawMessageDelivery: subscription.rawMessageDelivery,
        deadLetterQueue,
      });
  }
};
