import {
  InternalErrorException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishInput, SnsNotifier } from '../../../lambdas/adapters/aws/sns-notifier.ts';
import type { Severity } from '../../../lambdas/core/model/vocabulary.ts';
import type { OutboxAlert } from '../../../lambdas/core/model/incidents.ts';
import { createAlertTopics, type AlertTopics } from '../../support/alert-topics.ts';
import { motoClients } from '../../support/aws.ts';
import { testConfig } from '../../fakes/config.ts';
import { openingAlert } from '../../fakes/alerts.ts';

const NOW = new Date('2026-11-26T18:14:05.000Z');
const config = testConfig();

const alertFor = (site: 'primary' | 'backup', drillId?: string): OutboxAlert =>
  openingAlert({
    site,
    now: NOW,
    presentation: {
      stackName: config.name,
      timeZone: 'UTC',
      locale: 'en' as const,
      siteLabels: { primary: 'Shanghai DC-1', backup: 'Hangzhou DC-2' },
    },
    ...(drillId ? { drillId } : {}),
  });

describe('SnsNotifier against SNS on moto, read back through SQS subscriptions', () => {
  let topics: AlertTopics;
  let notifier: SnsNotifier;

  beforeAll(async () => {
    const { sns, sqs } = motoClients();
    topics = await createAlertTopics(sns, sqs, 'notifier');
    notifier = new SnsNotifier({ client: sns, topicArns: topics.topicArns });
  });

  it('publishes to the topic of the alert severity, with the subject, the JSON form and the attributes', async () => {
    const sev1 = alertFor('primary');
    const sev2 = alertFor('backup');
    expect([sev1.topic, sev2.topic]).toEqual(['SEV1', 'SEV2']);
    const { messageId } = await notifier.publish(sev1);
    expect(messageId).toMatch(/\S+/);
    await notifier.publish(sev2);

    const received: Record<Severity, unknown[]> = {
      SEV1: await topics.receive('SEV1'),
      SEV2: await topics.receive('SEV2'),
      SEV3: await topics.receive('SEV3'),
      SEV4: await topics.receive('SEV4'),
    };
    expect(received.SEV3).toEqual([]);
    expect(received.SEV4).toEqual([]);
    expect(received.SEV1).toEqual([
      { subject: sev1.message.subject, document: sev1.message.document, attributes: sev1.message.attributes },
    ]);
    expect(received.SEV2).toEqual([
      { subject: sev2.message.subject, document: sev2.message.document, attributes: sev2.message.attributes },
    ]);
    expect((received.SEV1[0] as { attributes: Record<string, string> }).attributes).toMatchObject({
      severity: 'SEV1',
      stage: 'verification',
      site: 'primary',
      incidentId: sev1.incidentId,
      dedupKey: 'probe/primary/verification/timeout',
      drill: 'false',
      kind: 'open',
    });
  });

  it('tags drill alerts so a subscriber can tell and filter them', async () => {
    const drill = alertFor('primary', 'DRILL-42');
    await notifier.publish(drill);
    const [received] = await topics.receive('SEV1');
    expect(received?.subject).toMatch(/^\[DRILL\] \[SEV1\] OPEN /);
    expect(received?.attributes.drill).toBe('true');
    expect(received?.document).toMatchObject({ drill: true, drillId: 'DRILL-42' });
  });
});

describe('SnsNotifier error paths (aws-sdk-client-mock)', () => {
  // Created here, not at module level: mocking SNSClient mocks every instance, moto's included.
  let sns: AwsClientStub<SNSClient>;
  const topicArns = { SEV1: 'arn:aws:sns:us-east-1:123456789012:hc-SEV1', SEV2: 'arn:2', SEV3: 'arn:3', SEV4: 'arn:4' };
  const alert = alertFor('primary');

  beforeAll(() => {
    sns = mockClient(SNSClient);
  });
  afterAll(() => sns.restore());
  beforeEach(() => sns.reset());

  it('sends exactly this Publish request', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsNotifier({ client: new SNSClient({}), topicArns }).publish(alert);
    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, publishInput(alert, topicArns.SEV1));
    const message = JSON.parse(publishInput(alert, topicArns.SEV1).Message) as Record<string, string>;
    expect(Object.keys(message)).toEqual(['default', 'email', 'sms', 'email-json', 'sqs', 'lambda', 'http', 'https']);
    expect(message.default).toBe(alert.message.body);
    expect(JSON.parse(message.sqs as string)).toEqual(alert.message.document);
  });

  it('retries throttling and server errors with backoff, then succeeds', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }))
      .rejectsOnce(new InternalErrorException({ message: 'internal', $metadata: {} }))
      .resolves({ MessageId: 'm-3' });
    const notifier = new SnsNotifier({ client: new SNSClient({}), topicArns, retries: 2, retryBaseMs: 1 });
    await expect(notifier.publish(alert)).resolves.toEqual({ messageId: 'm-3' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
  });

  it('gives up after its retries and reports the last error', async () => {
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
    const notifier = new SnsNotifier({ client: new SNSClient({}), topicArns, retries: 2, retryBaseMs: 1 });
    await expect(notifier.publish(alert)).rejects.toThrow('Rate exceeded');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
  });

  it('does not retry what cannot succeed (a bad parameter)', async () => {
    sns
      .on(PublishCommand)
      .rejects(new InvalidParameterException({ message: 'Invalid parameter: Subject', $metadata: {} }));
    const notifier = new SnsNotifier({ client: new SNSClient({}), topicArns, retryBaseMs: 1 });
    await expect(notifier.publish(alert)).rejects.toThrow('Invalid parameter: Subject');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('passes the abort signal to the SDK and stops retrying once it fires', async () => {
    const controller = new AbortController();
    sns.on(PublishCommand).callsFake(() => {
      controller.abort(new Error('Lambda deadline'));
      throw new ThrottledException({ message: 'Rate exceeded', $metadata: {} });
    });
    const notifier = new SnsNotifier({ client: new SNSClient({}), topicArns, retryBaseMs: 1 });
    await expect(notifier.publish(alert, controller.signal)).rejects.toThrow('Rate exceeded');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});
