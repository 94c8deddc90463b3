// Topics per severity on the run's moto server, each with an SQS queue subscribed, so tests read
// back exactly what subscribers receive (the SNS envelope with subject and message attributes).
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SEVERITIES, type Severity } from '../../lambdas/core/model/vocabulary.ts';
import { uniqueName } from './aws.ts';

export interface ReceivedAlert {
  readonly subject: string;
  /** The SQS-protocol message: hcguard's JSON document. */
  readonly document: Record<string, unknown>;
  readonly attributes: Record<string, string>;
}

export interface AlertTopics {
  readonly topicArns: Record<Severity, string>;
  /** Everything delivered to a severity's queue since the last call (waits briefly for the first). */
  readonly receive: (severity: Severity) => Promise<ReceivedAlert[]>;
}

export const createAlertTopics = async (sns: SNSClient, sqs: SQSClient, prefix = 'alerts'): Promise<AlertTopics> => {
  const base = uniqueName(prefix);
  const topicArns = {} as Record<Severity, string>;
  const queueUrls = {} as Record<Severity, string>;
  for (const severity of SEVERITIES) {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${base}-${severity}` }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${base}-${severity}` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
    topicArns[severity] = TopicArn as string;
    queueUrls[severity] = QueueUrl as string;
  }
  const receive = async (severity: Severity): Promise<ReceivedAlert[]> => {
    const received: ReceivedAlert[] = [];
    for (let wait = 1; ; wait = 0) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrls[severity], MaxNumberOfMessages: 10, WaitTimeSeconds: wait }),
      );
      if (Messages.length === 0) return received;
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as {
          Subject: string;
          Message: string;
          MessageAttributes?: Record<string, { Type: string; Value: string }>;
        };
        received.push({
          subject: envelope.Subject,
          document: JSON.parse(envelope.Message) as Record<string, unknown>,
          attributes: Object.fromEntries(
            Object.entries(envelope.MessageAttributes ?? {}).map(([name, value]) => [name, value.Value]),
          ),
        });
      }
    }
  };
  return { topicArns, receive };
};
