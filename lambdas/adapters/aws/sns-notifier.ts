// Notifier on SNS: one topic per severity. Each alert is published once per call, with a
// message per protocol (MessageStructure json): plain text for e-mail, one line for SMS, the
// JSON document for SQS, Lambda and HTTP(S) subscribers; and String message attributes
// (severity, kind, incidentId, dedupKey, site, stage, drill, …) for subscription filter
// policies. https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html
import { PublishCommand, SNSServiceException, type SNSClient } from '@aws-sdk/client-sns';
import type { Severity } from '../../core/model/vocabulary.ts';
import type { Notifier } from '../../ports.ts';
import type { OutboxAlert } from '../../core/model/incidents.ts';
import { sleep } from '../../sleep.ts';

export interface SnsNotifierOptions {
  readonly client: SNSClient;
  readonly topicArns: Readonly<Record<Severity, string>>;
  /** Publishes retried after a throttle or a server error, beyond the SDK's own retries. */
  readonly retries?: number;
  readonly retryBaseMs?: number;
}

/** Errors a later attempt may not repeat; anything else (bad parameter, no permission) will. */
const isRetryable = (error: unknown): boolean => {
  if (error instanceof Error && error.name === 'AbortError') return false;
  if (error instanceof SNSServiceException) {
    return (
      error.$fault === 'server' ||
      error.$retryable !== undefined ||
      [
        'ThrottledException',
        'ThrottlingException',
        'Throttling',
        'InternalErrorException',
        'KMSThrottlingException',
      ].includes(error.name)
    );
  }
  // Network errors (reset, timeout before an answer) carry no service fault.
  return error instanceof Error && !(error instanceof SNSServiceException);
};

/** The Publish request for an alert: exported so tests and operators can see exactly what goes out. */
export const publishInput = (alert: OutboxAlert, topicArn: string) => {
  const { message } = alert;
  const json = JSON.stringify(message.document);
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: message.body,
      email: message.body,
      sms: message.sms,
      'email-json': json,
      sqs: json,
      lambda: json,
      http: json,
      https: json,
    }),
    MessageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
};

export class SnsNotifier implements Notifier {
  private readonly retries: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: SnsNotifierOptions) {
    this.retries = options.retries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 200;
  }

  async publish(alert: OutboxAlert, signal?: AbortSignal): Promise<{ readonly messageId: string }> {
    const topicArn = this.options.topicArns[alert.topic];
    if (!topicArn) throw new Error(`no SNS topic for ${alert.topic}: check HCGUARD_RESOURCES.topicArns`);
    const input = publishInput(alert, topicArn);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.options.client.send(new PublishCommand(input), { abortSignal: signal });
        if (!response.MessageId) throw new Error(`SNS accepted alert ${alert.id} without a message id`);
        return { messageId: response.MessageId };
      } catch (error) {
        if (attempt >= this.retries || !isRetryable(error) || signal?.aborted) throw error;
        // Full jitter: overlapping rounds retrying together do not retry in step.
        await sleep(this.retryBaseMs * 2 ** attempt * Math.random(), signal);
      }
    }
  }
}
