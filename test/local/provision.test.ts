import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { ListSubscriptionsByTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { Route53Router } from '../../lambdas/adapters/aws/route53-router.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import { SEVERITIES } from '../../lambdas/core/model/vocabulary.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import { provisionLocalResources } from '../../local/provision.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { testConfigInput } from '../fakes/config.ts';

const configFor = () => {
  const name = uniqueName('prov');
  const zone = `${name}.internal`;
  return parseConfig(
    testConfigInput({
      name,
      records: [
        {
          zone: { name: zone },
          name: `verify.${zone}`,
          type: 'A',
          ttl: 5,
          stage: 'verification',
          values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
        },
        {
          zone: { name: zone },
          name: `collect.${zone}`,
          type: 'CNAME',
          ttl: 60,
          stage: 'collection',
          values: { primary: { values: ['primary.example.net'] }, backup: { values: ['backup.example.net'] } },
        },
      ],
      alerts: {
        SEV1: {
          subscriptions: [
            { protocol: 'email', endpoint: 'oncall@example.com' },
            { protocol: 'https', endpoint: 'https://hooks.example.com/hcguard' },
          ],
        },
      },
    }),
  );
};

const recordSets = async (clients: ReturnType<typeof motoClients>, zoneId: string) =>
  (await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets?.filter(
    (set) => set.Type === 'A' || set.Type === 'CNAME',
  );

describe('provisionLocalResources on moto', () => {
  it('creates the table, topics, audit queue, hosted zone and records the stack defines, from the config', async () => {
    const clients = motoClients();
    const config = configFor();
    const zone = config.records[0]!.zone.name;
    const report = await provisionLocalResources({ config, clients });

    const { resources } = report;
    expect(resources.tableName).toBe(`${config.name}-state`);
    expect(Object.keys(resources.topicArns)).toEqual([...SEVERITIES]);
    expect(resources.topicArns.SEV1).toMatch(new RegExp(`:${config.name}-sev1$`));
    expect(resources.hostedZoneIds[`verify.${zone}`]).toBe(resources.hostedZoneIds[`collect.${zone}`]);
    expect(resources.auditQueueUrl).toContain(`${config.name}-alert-audit`);
    expect(report.reused).toEqual([]);
    expect(report.skipped).toEqual([
      'SEV1 subscription https https://hooks.example.com/hcguard: not subscribed ' +
        'locally: the emulator would call the endpoint on the internet',
    ]);

    const { Table: table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: resources.tableName }));
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
    });
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: resources.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });

    const sev1 = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.topicArns.SEV1 }));
    expect(sev1.Subscriptions?.map((entry) => entry.Protocol).sort()).toEqual(['email', 'sqs']);
    const sev3 = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.topicArns.SEV3 }));
    expect(sev3.Subscriptions?.map((entry) => entry.Protocol)).toEqual(['sqs']);

    const zoneId = resources.hostedZoneIds[`verify.${zone}`]!;
    expect(await recordSets(clients, zoneId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Name: `verify.${zone}.`,
          Type: 'A',
          TTL: 5,
          ResourceRecords: [{ Value: '127.0.0.1' }],
        }),
        expect.objectContaining({
          Name: `collect.${zone}.`,
          Type: 'CNAME',
          TTL: 60,
          ResourceRecords: [{ Value: 'primary.example.net' }],
        }),
      ]),
    );
  });

  it('delivers what an alert topic publishes to the audit queue', async () => {
    const clients = motoClients();
    const { resources } = await provisionLocalResources({ config: configFor(), clients });
    await clients.sns.send(
      new PublishCommand({ TopicArn: resources.topicArns.SEV2, Subject: 'audit check', Message: 'hello' }),
    );
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.auditQueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({ TopicArn: resources.topicArns.SEV2, Subject: 'audit check', Message: 'hello' }),
    ]);
  });

  it('is idempotent: a second run reuses everything, and a switched record keeps its value', async () => {
    const clients = motoClients();
    const config = configFor();
    const first = await provisionLocalResources({ config, clients });
    const [verify] = resolveManagedRecords(config, first.resources);
    await new Route53Router(clients.route53).route(verify!, 'backup', {
      comment: 'test switch',
      notAfter: new Date(Date.now() + 30_000),
    });

    const second = await provisionLocalResources({ config, clients });
    expect(second.resources).toEqual(first.resources);
    expect(second.created).toEqual([]);
    expect(second.reused).toEqual([
      `table ${config.name}-state`,
      `queue ${config.name}-alert-audit`,
      ...SEVERITIES.map(
        (severity) =>
          `topic ${config.name}-${severity.toLowerCase()} (the alert audit ` +
          `queue${severity === 'SEV1' ? ', email oncall@example.com' : ''})`,
      ),
      `hosted zone ${config.records[0]!.zone.name} (${first.resources.hostedZoneIds[verify!.name]})`,
      `record ${verify!.name} A 127.0.0.2 (backup)`,
      `record ${config.records[1]!.name} CNAME primary.example.net (primary)`,
    ]);
    const sev1 = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: first.resources.topicArns.SEV1 }),
    );
    expect(sev1.Subscriptions).toHaveLength(2);
    const sets = await recordSets(clients, verify!.hostedZoneId);
    expect(sets?.find((set) => set.Type === 'A')?.ResourceRecords).toEqual([{ Value: '127.0.0.2' }]);
  });

  it('refuses a table of the same name with another key design', async () => {
    const clients = motoClients();
    const config = configFor();
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: `${config.name}-state`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(provisionLocalResources({ config, clients })).rejects.toThrow(
      `table ${config.name}-state already exists on the emulator with another key ` +
        `design: delete it or change the config's name`,
    );
  });
});
