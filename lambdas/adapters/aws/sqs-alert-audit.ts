// AlertAudit on the SQS queue subscribed to every alert topic (the stack's AlertTopics and the
// local provisioner create it). A drill confirms that an alert was delivered — not only
// published — by reading it back here. The queue is the drills' read-back channel: every message
// read is deleted (real subscribers got their own copy from SNS), so a message is seen once and
// the queue never fills up with alerts nobody reads.
//
// Messages arrive as SNS envelopes (`{ Type: 'Notification', Message, Timestamp, TopicArn,
// MessageAttributes }`) whose Message is hcguard's JSON alert document (the notifier's `sqs`
// form), or as the document itself when raw message delivery is on.
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveredAlert } from '../../core/drill/model.ts';
import type { AlertAudit } from '../../ports.ts';

export interface SqsAlertAuditOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Receive calls per `receive` (10 messages each) before returning what was read. Default 5. */
  readonly maxBatches?: number;
}

interface Envelope {
  readonly Type?: string;
  readonly Message?: string;
  readonly Subject?: string;
  readonly Timestamp?: string;
  readonly TopicArn?: string;
}

const parseJson = (text: string | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** SEV1…SEV4 from a topic named by `topicNameFor` (`<service>-sev1`). */
export const topicSeverity = (topicArn: string | undefined): string | undefined => {
  const match = /-(sev[1-4])$/i.exec(topicArn ?? '');
  return match?.[1]?.toUpperCase();
};

/** The alert a queue message carries, or undefined for anything that is not an hcguard alert. */
export const deliveredAlertOf = (message: Pick<Message, 'Body' | 'Attributes'>): DeliveredAlert | undefined => {
  const body = parseJson(message.Body) as (Envelope & Record<string, unknown>) | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const envelope = body.Type === 'Notification' && typeof body.Message === 'string' ? body : undefined;
  const document = (envelope ? parseJson(envelope.Message) : body) as Record<string, unknown> | undefined;
  if (!document || document.schema !== 'hcguard.alert/1') return undefined;
  const alertId = text(document.alertId);
  if (!alertId) return undefined;
  const sent = Number(message.Attributes?.SentTimestamp);
  const publishedAt = text(envelope?.Timestamp);
  const incident = document.incident as Record<string, unknown> | undefined;
  const topic = topicSeverity(envelope?.TopicArn);
  const drillId = text(document.drillId);
  const subject = text(envelope?.Subject);
  return {
    alertId,
    kind: text(document.kind) ?? 'unknown',
    severity: text(document.severity) ?? 'unknown',
    ...(topic ? { topic } : {}),
    ...(text(incident?.id) ? { incidentId: text(incident?.id) } : {}),
    ...(drillId ? { drillId } : {}),
    drill: document.drill === true,
    ...(publishedAt ? { publishedAt } : {}),
    // SentTimestamp is when SNS handed the message to the queue: the delivery instant.
    deliveredAt:
      Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : (publishedAt ?? new Date(0).toISOString()),
    ...(subject ? { subject } : {}),
  };
};

export class SqsAlertAudit implements AlertAudit {
  private readonly maxBatches: number;

  constructor(private readonly options: SqsAlertAuditOptions) {
    this.maxBatches = options.maxBatches ?? 5;
  }

  async receive(signal?: AbortSignal): Promise<DeliveredAlert[]> {
    const { client, queueUrl } = this.options;
    const alerts: DeliveredAlert[] = [];
    for (let batch = 0; batch < this.maxBatches; batch++) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          // Short polls: the drill runner polls on its own pace and must not sit in a long poll.
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
        { abortSignal: signal },
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const alert = deliveredAlertOf(message);
        if (alert) alerts.push(alert);
      }
      const entries = Messages.flatMap((message, index) =>
        message.ReceiptHandle ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : [],
      );
      if (entries.length > 0) {
        const { Failed = [] } = await client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          { abortSignal: signal },
        );
        // An undeleted message comes back after its visibility timeout and is read (and deduplicated by id) again.
        if (Failed.length === entries.length)
          throw new Error(
            `cannot delete messages from the audit queue: ${Failed[0]?.Message ?? Failed[0]?.Code ?? 'unknown error'}`,
          );
      }
      if (Messages.length < 10) break;
    }
    return alerts;
  }

  async check(signal?: AbortSignal): Promise<string> {
    const { Attributes = {} } = await this.options.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
      }),
      { abortSignal: signal },
    );
    const name = (Attributes.QueueArn ?? this.options.queueUrl).split(/[:/]/).at(-1);
    return `audit queue ${name} is readable (${Attributes.ApproximateNumberOfMessages ?? '?'} message(s) waiting)`;
  }
}
