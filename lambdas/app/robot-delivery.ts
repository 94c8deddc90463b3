// The robot subscriber Lambda's work: one SNS record in, one card posted to one chat robot. The
// webhook URL (its token is a credential) and the signing secret come from SSM; a rate limit or a
// server error is retried a few times with jittered backoff, and a delivery that still fails
// throws, so Lambda retries the event and then records it on the failure queue (alarmed on).
// Nothing about the URL reaches a log or an error: only the channel and the robot's answer.
import type { SNSEvent } from 'aws-lambda';
import type { AlertDocument } from '../core/alert-message.ts';
import { robotAnswer, robotCard, robotRequest, type RobotChannel, type RobotPresentation } from '../core/robots.ts';
import { errorText } from '../core/errors.ts';
import type { SsmParameterReader } from '../adapters/secrets.ts';
import { sleep } from '../sleep.ts';

export interface RobotTarget {
  readonly channel: RobotChannel;
  readonly webhookParameter: string;
  readonly secretParameter?: string;
}

export interface RobotDeliveryDeps {
  readonly robot: RobotTarget;
  readonly presentation: RobotPresentation;
  readonly ssm: SsmParameterReader;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Posts per record, the first included. */
  readonly attempts?: number;
  readonly retryBaseMs?: number;
  readonly timeoutMs?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** Tests post to fake robots on loopback over plain HTTP; deployed, only https:// is accepted. */
  readonly allowLoopbackHttp?: boolean;
}

export class RobotDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RobotDeliveryError';
  }
}

const isAlertDocument = (value: unknown): value is AlertDocument =>
  typeof value === 'object' &&
  value !== null &&
  (value as { schema?: unknown }).schema === 'hcguard.alert/1' &&
  typeof (value as { alertId?: unknown }).alertId === 'string';

/** A message that is not an hcguard alert (a test publish from the console) is still shown, as text. */
const foreignDocument = (message: string, at: string): AlertDocument => ({
  schema: 'hcguard.alert/1',
  stack: 'unknown',
  alertId: 'not an hcguard alert',
  kind: 'update',
  severity: 'unknown',
  at,
  drill: false,
  dedupKey: '',
  reason: message.length > 1500 ? `${message.slice(0, 1500)}…` : message,
  doing: 'nothing: this message was published to the topic by something other than hcguard',
  routing: [],
});

const parseDocument = (message: string, at: string): AlertDocument => {
  try {
    const value: unknown = JSON.parse(message);
    return isAlertDocument(value) ? value : foreignDocument(message, at);
  } catch {
    return foreignDocument(message, at);
  }
};

const required = async (ssm: SsmParameterReader, name: string, what: string): Promise<string> => {
  let value: string | undefined;
  try {
    value = await ssm(name);
  } catch (error) {
    throw new RobotDeliveryError(`cannot read the robot's ${what} from SSM parameter ${name}: ${errorText(error)}`);
  }
  if (!value) throw new RobotDeliveryError(`SSM parameter ${name} (the robot's ${what}) has no value`);
  return value;
};

/** Delivers every record of the event (SNS sends one) to the robot; throws when one could not be. */
export const deliverToRobot = async (event: SNSEvent, deps: RobotDeliveryDeps): Promise<void> => {
  const { robot } = deps;
  const post = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const attempts = deps.attempts ?? 3;
  const retryBaseMs = deps.retryBaseMs ?? 1000;
  const log = deps.log ?? (() => undefined);
  const webhookUrl = await required(deps.ssm, robot.webhookParameter, 'webhook URL');
  const loopback = deps.allowLoopbackHttp === true && /^http:\/\/127\.\d+\.\d+\.\d+[:/]/.test(webhookUrl);
  if (!/^https:\/\//.test(webhookUrl) && !loopback)
    throw new RobotDeliveryError(`SSM parameter ${robot.webhookParameter} does not hold an https:// webhook URL`);
  const secret = robot.secretParameter ? await required(deps.ssm, robot.secretParameter, 'signing secret') : undefined;
  for (const record of event.Records) {
    const alert = parseDocument(record.Sns.Message, record.Sns.Timestamp);
    const card = robotCard(record.Sns.Subject ?? `[${alert.severity}] hcguard alert`, alert, deps.presentation);
    const fields = { channel: robot.channel, alertId: alert.alertId, messageId: record.Sns.MessageId };
    for (let attempt = 1; ; attempt++) {
      // Signed afresh each time: DingTalk and Feishu refuse a signature over an hour old.
      const request = robotRequest(robot.channel, card, { webhookUrl, ...(secret ? { secret } : {}) }, now());
      let answer: ReturnType<typeof robotAnswer>;
      try {
        const response = await post(request.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: request.body,
          redirect: 'error',
          signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
        });
        answer = robotAnswer(robot.channel, response.status, (await response.text()).slice(0, 10_000));
      } catch (error) {
        // The error of a failed fetch may quote the URL: only its kind is kept.
        const kind = error instanceof Error ? error.name : 'error';
        answer = { ok: false, retry: true, detail: `the ${robot.channel} robot could not be reached (${kind})` };
      }
      if (answer.ok) {
        log('delivered to the chat robot', { ...fields, attempt });
        break;
      }
      log('chat robot delivery failed', { ...fields, attempt, detail: answer.detail, retry: answer.retry });
      if (!answer.retry || attempt >= attempts)
        throw new RobotDeliveryError(
          `alert ${alert.alertId} not delivered after ${attempt} attempt(s): ${answer.detail}`,
        );
      await sleep(retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    }
  }
};
