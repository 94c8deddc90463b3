import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../lambdas/adapters/aws/sns-notifier.ts';
import { deliveredAlertOf, SqsAlertAudit, topicSeverity } from '../../../lambdas/adapters/aws/sqs-alert-audit.ts';
import { testAlertMessage } from '../../../lambdas/core/drill/test-alert.ts';
import { SEVERITIES, type Severity } from '../../../lambdas/core/model/vocabulary.ts';
import { motoClients, uniqueName } from '../../support/aws.ts';

const presentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  siteLabels: { primary: 'DC-1', backup: 'DC-2' },
};

const testAlert = (drillId: string, severity: Severity, at = new Date()) => ({
  id: `test-${drillId}-${severity.toLowerCase()}`,
  kind: 'update' as const,
  topic: severity,
  message: testAlertMessage({
    drillId,
    alertId: `test-${drillId}-${severity.toLowerCase()}`,
    severity,
    at,
    presentation,
  }),
  createdAt: at.toISOString(),
  drillId,
  attempts: 0,
});

describe('SqsAlertAudit against SNS and SQS on moto', () => {
  const { sns, sqs } = motoClients();
  let topicArns: Record<Severity, string>;
  let queueUrl: string;

  beforeAll(async () => {
    const base = uniqueName('audit');
    ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: `${base}-alert-audit` }))) as {
      QueueUrl: string;
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    topicArns = {} as Record<Severity, string>;
    for (const severity of SEVERITIES) {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${base}-${severity.toLowerCase()}` }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
      topicArns[severity] = TopicArn as string;
    }
  });

  it('reads back what the notifier published on every topic, once, with its topic and delivery instant', async () => {
    const notifier = new SnsNotifier({ client: sns, topicArns });
    const audit = new SqsAlertAudit({ client: sqs, queueUrl });
    const before = Date.now();
    for (const severity of SEVERITIES) await notifier.publish(testAlert('drill-x', severity));
    const received = await audit.receive();
    expect(
      received
        .map((alert) => [alert.alertId, alert.topic, alert.severity, alert.drillId, alert.drill, alert.kind])
        .sort(),
    ).toEqual(
      SEVERITIES.map((severity) => [
        `test-drill-x-${severity.toLowerCase()}`,
        severity,
        severity,
        'drill-x',
        true,
        'update',
      ]),
    );
    for (const alert of received) {
      expect(Date.parse(alert.deliveredAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(alert.subject).toMatch(/^\[DRILL\] SEV[1-4] test alert from hcguard hcguard-test$/);
    }
    // Consumed: a second read finds nothing.
    expect(await audit.receive()).toEqual([]);
  });

  it('consumes messages that are not hcguard alerts without returning them', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ Type: 'Notification', Message: '{"schema":"other"}' }),
      }),
    );
    const audit = new SqsAlertAudit({ client: sqs, queueUrl });
    expect(await audit.receive()).toEqual([]);
    expect(await audit.receive()).toEqual([]);
  });

  it('says the queue is readable without consuming anything', async () => {
    const audit = new SqsAlertAudit({ client: sqs, queueUrl });
    await expect(audit.check()).resolves.toMatch(
      /^audit queue audit-[0-9a-f]{8}-alert-audit is readable \(\d+ message\(s\) waiting\)$/,
    );
  });
});

describe('reading messages', () => {
  it.each([
    ['arn:aws:sns:us-east-1:123456789012:hcguard-sev1', 'SEV1'],
    ['arn:aws:sns:us-east-1:123456789012:hcguard-SEV4', 'SEV4'],
    ['arn:aws:sns:us-east-1:123456789012:other', undefined],
  ])('topic %s is %s', (arn, severity) => {
    expect(topicSeverity(arn)).toBe(severity);
  });

  it('reads a raw-delivery message (the document itself) too', () => {
    const document = testAlertMessage({
      drillId: 'd9',
      alertId: 'a-1',
      severity: 'SEV2',
      at: new Date('2026-11-20T02:00:00Z'),
      presentation,
    }).document;
    expect(
      deliveredAlertOf({
        Body: JSON.stringify(document),
        Attributes: { SentTimestamp: String(Date.parse('2026-11-20T02:00:01Z')) },
      }),
    ).toEqual({
      alertId: 'a-1',
      kind: 'update',
      severity: 'SEV2',
      drillId: 'd9',
      drill: true,
      deliveredAt: '2026-11-20T02:00:01.000Z',
    });
  });
});

describe('SqsAlertAudit requests (aws-sdk-client-mock)', () => {
  let sqsMock: AwsClientStub<SQSClient>;
  // Mocked per test and restored after: the moto tests above use the real client.
  beforeEach(() => {
    sqsMock = mockClient(SQSClient);
  });
  afterEach(() => sqsMock.restore());

  it('short-polls, asks for the delivery instant, deletes what it read, and passes the abort signal', async () => {
    const body = JSON.stringify({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:1:x-sev1',
      Message: JSON.stringify(
        testAlertMessage({ drillId: 'd', alertId: 'a', severity: 'SEV1', at: new Date(), presentation }).document,
      ),
    });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ Body: body, ReceiptHandle: 'r-1', Attributes: { SentTimestamp: '1' } }] })
      .resolves({ Messages: [] });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });
    const signal = new AbortController().signal;
    const audit = new SqsAlertAudit({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs/q' });
    expect(await audit.receive(signal)).toHaveLength(1);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: 'https://sqs/q',
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['SentTimestamp'],
    });
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      QueueUrl: 'https://sqs/q',
      Entries: [{ Id: '0', ReceiptHandle: 'r-1' }],
    });
    expect((sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
      abortSignal: signal,
    });
  });

  it('fails loudly when nothing it read can be deleted (the next read would see it again)', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [{ Body: '{}', ReceiptHandle: 'r-1' }] });
    sqsMock
      .on(DeleteMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'AccessDenied', SenderFault: true, Message: 'not allowed' }] });
    const audit = new SqsAlertAudit({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs/q' });
    await expect(audit.receive()).rejects.toThrow('cannot delete messages from the audit queue: not allowed');
  });
});
