import type { Route53Client } from '@aws-sdk/client-route-53';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { publishInput } from '../../lambdas/adapters/aws/sns-notifier.ts';
import { createAwsClients, type AwsClients } from '../../lambdas/app/aws-clients.ts';
import { lazyAlertAudit } from '../../lambdas/app/compose-drills.ts';
import { composeServices, lazyRoute53Router } from '../../lambdas/app/compose.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import type { AlertMessage } from '../../lambdas/core/alert-message.ts';
import { SEVERITIES } from '../../lambdas/core/model/vocabulary.ts';
import type { OutboxAlert } from '../../lambdas/core/model/incidents.ts';
import type { DeployedResources } from '../../lambdas/contract/resources.ts';
import { testConfig } from '../fakes/config.ts';

const resources: DeployedResources = {
  tableName: 'hcguard-compose',
  topicArns: Object.fromEntries(
    SEVERITIES.map((severity) => [severity, `arn:aws:sns:us-east-1:123456789012:hcguard-${severity.toLowerCase()}`]),
  ) as DeployedResources['topicArns'],
  hostedZoneIds: { 'verify.hc.example.com': 'Z0HCGUARDTEST' },
};

/** Clients whose SNS and Route 53 getters count how often they are asked for; SNS records what it is sent. */
const countingClients = () => {
  const built = { sns: 0, route53: 0 };
  const sent: unknown[] = [];
  const sns = { send: async (command: unknown) => (sent.push(command), { MessageId: `message-${sent.length}` }) };
  const route53 = {
    send: () => Promise.reject(Object.assign(new Error('Route 53 says no'), { name: 'AccessDenied' })),
  };
  const real = createAwsClients({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const clients: AwsClients = {
    dynamodb: real.dynamodb,
    get sns() {
      built.sns++;
      return sns as unknown as SNSClient;
    },
    get route53() {
      built.route53++;
      return route53 as unknown as Route53Client;
    },
  };
  return { clients, built, sent };
};

const alert: OutboxAlert = {
  id: 'INC-20261127-0001/open',
  incidentId: 'INC-20261127-0001',
  kind: 'open',
  topic: 'SEV1',
  message: {
    subject: 'SEV1 OPEN verification failing on primary',
    body: 'body',
    sms: 'sms',
    document: {} as AlertMessage['document'],
    attributes: { severity: 'SEV1' },
  },
  createdAt: '2026-11-27T01:00:00.000Z',
  attempts: 0,
};

describe('createAwsClients', () => {
  it('builds each client on first use and hands out that one ever after', () => {
    const clients = createAwsClients({ region: 'cn-north-1' });
    expect(clients.sns).toBe(clients.sns);
    expect(clients.dynamodb).toBe(clients.dynamodb);
    expect(clients.route53).toBe(clients.route53);
  });

  it('signs Route 53 in its partition’s control-plane region, the others in the given region', async () => {
    expect(await createAwsClients({ region: 'cn-north-1' }).route53.config.region()).toBe('cn-northwest-1');
    expect(await createAwsClients({ region: 'eu-west-1' }).route53.config.region()).toBe('us-east-1');
    expect(await createAwsClients({ region: 'eu-west-1' }).sns.config.region()).toBe('eu-west-1');
    expect(await createAwsClients({ region: 'eu-west-1' }).dynamodb.config.region()).toBe('eu-west-1');
  });
});

describe('composeServices', () => {
  it('asks for the SNS client when the first alert goes out, not before, and reuses it', async () => {
    const { clients, built, sent } = countingClients();
    const services = composeServices({ config: testConfig(), resources, clients });
    expect(built).toEqual({ sns: 0, route53: 0 });

    expect(await services.notifier.publish(alert)).toEqual({ messageId: 'message-1' });
    expect(await services.notifier.publish(alert)).toEqual({ messageId: 'message-2' });
    expect(built).toEqual({ sns: 1, route53: 0 });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBeInstanceOf(PublishCommand);
    expect((sent[0] as PublishCommand).input).toEqual(publishInput(alert, resources.topicArns.SEV1));
  });
});

describe('lazyRoute53Router', () => {
  it('asks for the Route 53 client on the first read, once', async () => {
    const { clients, built } = countingClients();
    const router = lazyRoute53Router(clients);
    const [record] = resolveManagedRecords(testConfig(), resources);
    expect(built.route53).toBe(0);
    await expect(router.read(record!)).rejects.toThrow('Route 53 says no');
    await expect(router.read(record!)).rejects.toThrow('Route 53 says no');
    expect(built.route53).toBe(1);
  });
});

describe('lazyAlertAudit', () => {
  it('builds the SQS client on the first read of the audit queue, once', async () => {
    let built = 0;
    const sqs = { send: () => Promise.reject(new Error('queue unreachable')) } as unknown as SQSClient;
    const audit = lazyAlertAudit(() => (built++, sqs), 'http://127.0.0.1:9/123456789012/hcguard-audit');
    expect(built).toBe(0);
    await expect(audit.check()).rejects.toThrow('queue unreachable');
    await expect(audit.receive()).rejects.toThrow('queue unreachable');
    expect(built).toBe(1);
  });
});
