import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../lambdas/adapters/aws/sns-notifier.ts';
import { deliveredAlertOf, SqsAlertAudit, topicSeverity } from '../../../lambdas/adapters/aws/sqs-alert-audit.ts';
import { testAlertMessage } from '../../../lambdas/core/drill/test-alert.ts';
import { SEVERITIES, type Severity } from '../../../lambdas/core/model/vocabulary.ts';
import { motoClients, uniqueName } from '../../support/aws.ts';
import { alertDeliveryContract } from '../../contracts/alert-delivery.contract.ts';

const presentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale: 'en' as const,
  siteLabels: { primary: 'DC-1', backup: 'DC-2' },
};

/** Four topics, each with the audit queue subscribed, as the stack wires them. */
const auditedTopics = async (sns: SNSClient, sqs: SQSClient) => {
  const base = uniqueName('audit');
  const { QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: `${base}-alert-audit` }))) as {
    QueueUrl: string;
  };
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const topicArns = {} as Record<Severity, string>;
  for (const severity of SEVERITIES) {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${base}-${severity.toLowerCase()}` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
    topicArns[severity] = TopicArn as string;
  }
  return { queueUrl, topicArns };
};

alertDeliveryContract('SNS and SQS on moto', async () => {
  const { sns, sqs } = motoClients();
  const { queueUrl, topicArns } = await auditedTopics(sns, sqs);
  return { notifier: new SnsNotifier({ client: sns, topicArns }), audit: new SqsAlertAudit({ client: sqs, queueUrl }) };
});

describe('SqsAlertAudit against SQS on moto', () => {
  it('consumes messages that are not hcguard alerts without returning them', async () => {
    const { sns, sqs } = motoClients();
    const { queueUrl } = await auditedTopics(sns, sqs);
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
