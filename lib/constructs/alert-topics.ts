import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Subscription } from '../../lambdas/core/config/sections.ts';
import { SEVERITIES, type Severity } from '../../lambdas/core/model/vocabulary.ts';
import { topicNameFor } from '../../lambdas/contract/resources.ts';

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

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.auditQueue = new sqs.Queue(this, 'AuditQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(1),
    });
    Validations.of(this.auditQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'The alert audit queue is a read-back channel for drills; an alert it fails to ' +
        'hold is already delivered to the real subscribers, so a DLQ would only collect ' +
        'copies.',
    });
    const topics = {} as Record<Severity, sns.Topic>;
    for (const severity of SEVERITIES) {
      const topic = new sns.Topic(this, severity, {
        topicName: topicNameFor(props.namePrefix, severity),
        displayName: `hcguard ${severity}`,
        masterKey: props.encryptionKey,
        enforceSSL: true,
      });
      for (const subscription of props.subscriptions[severity]) topic.addSubscription(toSubscription(subscription));
      topic.addSubscription(new subscriptions.SqsSubscription(this.auditQueue));
      topics[severity] = topic;
    }
    this.topics = topics;
  }
}

const toSubscription = (subscription: Subscription): sns.ITopicSubscription => {
  switch (subscription.protocol) {
    case 'email':
      return new subscriptions.EmailSubscription(subscription.endpoint);
    case 'sms':
      return new subscriptions.SmsSubscription(subscription.endpoint);
    case 'https':
      return new subscriptions.UrlSubscription(subscription.endpoint, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        rawMessageDelivery: subscription.rawMessageDelivery,
      });
  }
};
