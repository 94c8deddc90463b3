// The robot subscriber's delivery against fake DingTalk, WeCom and Feishu robots on loopback that
// check signatures the way the services document them.
import type { SNSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverToRobot, RobotDeliveryError, type RobotTarget } from '../../lambdas/app/robot-delivery.ts';
import { openingAlert } from '../fakes/alerts.ts';
import { startFakeRobot, type FakeChannel, type FakeRobot } from '../support/fake-robots.ts';

const NOW = new Date('2026-11-26T18:14:05.000Z');
const presentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale: 'en' as const,
  siteLabels: { primary: 'Shanghai DC-1', backup: 'Hangzhou DC-2' },
};
const alert = openingAlert({ site: 'primary', now: NOW, presentation });

const snsEvent = (message = JSON.stringify(alert.message.document), subject = alert.message.subject): SNSEvent => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:cn-north-1:123456789012:hcguard-SEV1:sub',
      Sns: {
        Type: 'Notification',
        MessageId: 'm-1',
        TopicArn: 'arn:aws:sns:cn-north-1:123456789012:hcguard-SEV1',
        Subject: subject,
        Message: message,
        Timestamp: NOW.toISOString(),
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    },
  ],
});

const TOKEN = 'tok3n-that-is-a-credential';
const robots: FakeRobot[] = [];
afterEach(async () => {
  await Promise.all(robots.splice(0).map((robot) => robot.close()));
});

const setUp = async (channel: FakeChannel, secrets: { robot?: string; ours?: string } = {}) => {
  const robot = await startFakeRobot(channel, { token: TOKEN, ...(secrets.robot ? { secret: secrets.robot } : {}) });
  robots.push(robot);
  const parameters = new Map<string, string>([['/robots/webhook', robot.url]]);
  if (secrets.ours) parameters.set('/robots/secret', secrets.ours);
  const target: RobotTarget = {
    channel,
    webhookParameter: '/robots/webhook',
    ...(secrets.ours ? { secretParameter: '/robots/secret' } : {}),
  };
  const logged: string[] = [];
  const deliver = (event = snsEvent()) =>
    deliverToRobot(event, {
      robot: target,
      presentation,
      ssm: async (name) => parameters.get(name),
      retryBaseMs: 1,
      allowLoopbackHttp: true,
      log: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
    });
  return { robot, deliver, logged, parameters };
};

describe('delivering an alert to a chat robot', () => {
  it.each([
    { channel: 'dingtalk' as const, secret: 'SECdingtalk' },
    { channel: 'feishu' as const, secret: 'feishu-secret' },
    { channel: 'wecom' as const, secret: undefined },
  ])('$channel accepts the signed card, which names the incident and the ack command', async ({ channel, secret }) => {
    const { robot, deliver } = await setUp(channel, secret ? { robot: secret, ours: secret } : {});
    await deliver();
    expect(robot.answers).toEqual(['ok']);
    const text = JSON.stringify(robot.accepted[0]);
    expect(text).toContain(alert.message.document.incident?.title as string);
    expect(text).toContain(`hcguard ack ${alert.message.document.incident?.id}`);
  });

  it('a wrong secret is refused once and fails the delivery, naming the code but never the URL or token', async () => {
    const { robot, deliver, logged } = await setUp('dingtalk', { robot: 'SECright', ours: 'SECwrong' });
    const failure = await deliver().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RobotDeliveryError);
    expect((failure as Error).message).toBe(
      `alert ${alert.id} not delivered after 1 attempt(s): the dingtalk robot refused it (code 310000: sign not match)`,
    );
    expect(robot.answers).toEqual(['bad signature']);
    for (const text of [(failure as Error).message, ...logged]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('127.0.0.1');
    }
  });

  it('retries a rate limit and a bad gateway, then delivers', async () => {
    const { robot, deliver } = await setUp('wecom');
    robot.failNext(1);
    await deliver();
    expect(robot.answers).toEqual(['http 502', 'ok']);
    robot.rateLimitNext(2);
    await deliver();
    expect(robot.answers.slice(2)).toEqual(['rate limited', 'rate limited', 'ok']);
  });

  it('gives up after three attempts and throws, so Lambda retries and then records the event', async () => {
    const { robot, deliver } = await setUp('feishu');
    robot.failNext(5);
    await expect(deliver()).rejects.toThrow(
      `alert ${alert.id} not delivered after 3 attempt(s): HTTP 502 from the feishu robot`,
    );
    expect(robot.answers).toEqual(['http 502', 'http 502', 'http 502']);
  });

  it('an unreachable robot is retried and reported by kind, not by address', async () => {
    const { robot, deliver, parameters } = await setUp('dingtalk');
    await robot.close();
    robots.splice(robots.indexOf(robot), 1);
    const failure = (await deliver().catch((error: unknown) => error)) as Error;
    expect(failure.message).toMatch(
      /not delivered after 3 attempt\(s\): the dingtalk robot could not be reached \(\w+\)$/,
    );
    expect(failure.message).not.toContain(parameters.get('/robots/webhook') as string);
  });

  it('shows a message that is not an hcguard alert as text rather than dropping it', async () => {
    const { robot, deliver } = await setUp('dingtalk');
    await deliver(snsEvent('hello from the SNS console', 'console test'));
    expect(JSON.stringify(robot.accepted[0])).toContain('hello from the SNS console');
    expect(JSON.stringify(robot.accepted[0])).toContain('published to the topic by something other than hcguard');
  });

  it('names the SSM parameter that is missing, and refuses a webhook that is not https://', async () => {
    const { deliver, parameters } = await setUp('feishu', { robot: 's', ours: 's' });
    parameters.delete('/robots/secret');
    await expect(deliver()).rejects.toThrow("SSM parameter /robots/secret (the robot's signing secret) has no value");
    parameters.set('/robots/webhook', 'http://robots.example.com/hook');
    await expect(deliver()).rejects.toThrow('SSM parameter /robots/webhook does not hold an https:// webhook URL');
  });
});
