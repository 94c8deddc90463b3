// Creates, on an AWS emulator, the resources the stack defines (lib/hcguard-stack.ts), derived
// from the same config and the same code: the table from TABLE_DESIGN, one topic per severity
// named by topicNameFor with the config's subscribers, the alert audit queue subscribed to every
// topic, the hosted zones by the config's zone names, and the managed records written with the
// primary's value by the same UPSERT the failover controller sends. Idempotent: whatever
// already exists is reused, and a record that exists keeps its value (traffic may be on the
// backup from an earlier run).
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListHostedZonesByNameCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Route53Router, upsertInput } from '../lambdas/adapters/aws/route53-router.ts';
import { createTableInput, TABLE_DESIGN } from '../lambdas/adapters/aws/table-design.ts';
import { resolveManagedRecords } from '../lambdas/app/records.ts';
import type { HcguardConfig } from '../lambdas/core/config/schema.ts';
import type { Subscription } from '../lambdas/core/config/sections.ts';
import { SEVERITIES, type Severity } from '../lambdas/core/model/vocabulary.ts';
import type { ManagedRecord } from '../lambdas/core/model/routing.ts';
import { topicNameFor, type DeployedResources } from '../lambdas/contract/resources.ts';

export interface ProvisionClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly route53: Route53Client;
}

export interface ProvisionInput {
  readonly config: HcguardConfig;
  readonly clients: ProvisionClients;
  readonly signal?: AbortSignal;
}

export interface ProvisionReport {
  readonly resources: DeployedResources;
  /** One line per resource: what was created. */
  readonly created: readonly string[];
  /** One line per resource that already existed and was kept as it is. */
  readonly reused: readonly string[];
  /** Config items the emulator cannot honour, with why. */
  readonly skipped: readonly string[];
}

/** The local table's name: the stack lets CloudFormation name it; locally the config's name does. */
export const localTableName = (config: Pick<HcguardConfig, 'name'>): string => `${config.name}-state`;
export const localAuditQueueName = (config: Pick<HcguardConfig, 'name'>): string => `${config.name}-alert-audit`;

export const provisionLocalResources = async (input: ProvisionInput): Promise<ProvisionReport> => {
  const log = { created: [] as string[], reused: [] as string[], skipped: [] as string[] };
  const tableName = await ensureTable(input, log);
  const auditQueue = await ensureAuditQueue(input, log);
  const topicArns = {} as Record<Severity, string>;
  for (const severity of SEVERITIES) {
    topicArns[severity] = await ensureTopic(input, severity, auditQueue.arn, log);
  }
  const hostedZoneIds = await ensureZones(input, log);
  const resources: DeployedResources = { tableName, topicArns, hostedZoneIds, auditQueueUrl: auditQueue.url };
  await ensureRecords(input, resolveManagedRecords(input.config, resources), log);
  return { resources, ...log };
};

type Log = { created: string[]; reused: string[]; skipped: string[] };

const ensureTable = async ({ config, clients, signal }: ProvisionInput, log: Log): Promise<string> => {
  const tableName = localTableName(config);
  try {
    await clients.dynamodb.send(new CreateTableCommand(createTableInput(tableName)), { abortSignal: signal });
    log.created.push(`table ${tableName}`);
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
    await checkTableShape(clients.dynamodb, tableName, signal);
    log.reused.push(`table ${tableName}`);
  }
  const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }), {
    abortSignal: signal,
  });
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_DESIGN.ttlAttribute, Enabled: true },
      }),
      { abortSignal: signal },
    );
  }
  return tableName;
};

/** A table of the same name but another shape would fail later in confusing ways: say so now. */
const checkTableShape = async (dynamodb: DynamoDBClient, tableName: string, signal?: AbortSignal): Promise<void> => {
  const { Table: table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), {
    abortSignal: signal,
  });
  const keyOf = (type: 'HASH' | 'RANGE') => table?.KeySchema?.find((key) => key.KeyType === type)?.AttributeName;
  const [index] = TABLE_DESIGN.indexes;
  const hasIndex = (table?.GlobalSecondaryIndexes ?? []).some((candidate) => candidate.IndexName === index.name);
  if (keyOf('HASH') !== TABLE_DESIGN.partitionKey || keyOf('RANGE') !== TABLE_DESIGN.sortKey || !hasIndex) {
    throw new Error(
      `table ${tableName} already exists on the emulator with another key design: ` +
        `delete it or change the config's name`,
    );
  }
};

const ensureAuditQueue = async (
  { config, clients, signal }: ProvisionInput,
  log: Log,
): Promise<{ url: string; arn: string }> => {
  const queueName = localAuditQueueName(config);
  // CreateQueue returns the existing queue when the name and attributes match.
  const { QueueUrl: url } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: { MessageRetentionPeriod: String(24 * 60 * 60) } }),
    { abortSignal: signal },
  );
  if (!url) throw new Error(`the emulator created queue ${queueName} but returned no URL`);
  const { Attributes: attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'Policy'] }),
    { abortSignal: signal },
  );
  const arn = attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueName} has no ARN`);
  if (attributes?.Policy) {
    log.reused.push(`queue ${queueName}`);
  } else {
    // As in the stack: the alert topics may send to the queue, nothing else may.
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: arn,
          Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:*:${config.name}-sev*` } },
        },
      ],
    };
    await clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }),
      { abortSignal: signal },
    );
    log.created.push(`queue ${queueName}`);
  }
  return { url, arn };
};

const ensureTopic = async (
  { config, clients, signal }: ProvisionInput,
  severity: Severity,
  auditQueueArn: string,
  log: Log,
): Promise<string> => {
  const topicName = topicNameFor(config.name, severity);
  // CreateTopic is idempotent: it returns the existing topic's ARN.
  const { TopicArn: topicArn } = await clients.sns.send(
    new CreateTopicCommand({ Name: topicName, Attributes: { DisplayName: `hcguard ${severity}` } }),
    { abortSignal: signal },
  );
  if (!topicArn) throw new Error(`the emulator created topic ${topicName} but returned no ARN`);
  const existing = await listSubscriptions(clients.sns, topicArn, signal);
  const wanted: { protocol: string; endpoint: string; attributes?: Record<string, string>; what: string }[] = [
    { protocol: 'sqs', endpoint: auditQueueArn, what: 'the alert audit queue' },
  ];
  for (const subscription of config.alerts[severity].subscriptions) {
    if (subscription.protocol === 'robot') {
      log.skipped.push(
        `${severity} subscription robot ${subscription.channel} (${subscription.webhookParameter}): not ` +
          'delivered locally: the robot subscriber Lambda posts to it in AWS, and the emulator invokes no Lambda',
      );
      continue;
    }
    const reason = unsupportedLocally(subscription);
    if (reason) {
      log.skipped.push(`${severity} subscription ${subscription.protocol} ${subscription.endpoint}: ${reason}`);
      continue;
    }
    wanted.push({
      protocol: subscription.protocol,
      endpoint: subscription.endpoint,
      what: `${subscription.protocol} ${subscription.endpoint}`,
    });
  }
  let created = false;
  for (const subscription of wanted) {
    if (existing.some((entry) => entry.Protocol === subscription.protocol && entry.Endpoint === subscription.endpoint))
      continue;
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: subscription.protocol,
        Endpoint: subscription.endpoint,
        ReturnSubscriptionArn: true,
      }),
      { abortSignal: signal },
    );
    created = true;
  }
  (created ? log.created : log.reused).push(`topic ${topicName} (${wanted.map((entry) => entry.what).join(', ')})`);
  return topicArn;
};

/** The emulator is offline: an HTTPS subscriber would be called on the internet. */
const unsupportedLocally = (subscription: Exclude<Subscription, { protocol: 'robot' }>): string | undefined =>
  subscription.protocol === 'https'
    ? 'not subscribed locally: the emulator would call the endpoint on the internet'
    : undefined;

const listSubscriptions = async (sns: SNSClient, topicArn: string, signal?: AbortSignal) => {
  const subscriptions: { Protocol?: string; Endpoint?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }), {
      abortSignal: signal,
    });
    subscriptions.push(...(page.Subscriptions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return subscriptions;
};

const ensureZones = async ({ config, clients, signal }: ProvisionInput, log: Log): Promise<Record<string, string>> => {
  const zoneIds = new Map<string, string>();
  for (const zoneName of new Set(config.records.map((record) => record.zone.name))) {
    const listed = await clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: zoneName, MaxItems: 1 }), {
      abortSignal: signal,
    });
    const found = listed.HostedZones?.find(
      (zone) => zone.Name?.replace(/\.$/, '') === zoneName && !zone.Config?.PrivateZone,
    );
    if (found?.Id) {
      zoneIds.set(zoneName, stripZonePrefix(found.Id));
      log.reused.push(`hosted zone ${zoneName} (${stripZonePrefix(found.Id)})`);
      continue;
    }
    const created = await clients.route53.send(
      new CreateHostedZoneCommand({
        Name: zoneName,
        // Route 53 refuses a reused caller reference; the zone name plus the time is unique.
        CallerReference: `hcguard-local-${zoneName}-${Date.now()}`,
        HostedZoneConfig: { Comment: `hcguard local: ${config.name}` },
      }),
      { abortSignal: signal },
    );
    const id = created.HostedZone?.Id;
    if (!id) throw new Error(`the emulator created hosted zone ${zoneName} but returned no id`);
    zoneIds.set(zoneName, stripZonePrefix(id));
    log.created.push(`hosted zone ${zoneName} (${stripZonePrefix(id)})`);
  }
  return Object.fromEntries(config.records.map((record) => [record.name, zoneIds.get(record.zone.name) as string]));
};

const stripZonePrefix = (id: string): string => id.replace(/^\/hostedzone\//, '');

const ensureRecords = async (
  { clients, signal }: ProvisionInput,
  records: readonly ManagedRecord[],
  log: Log,
): Promise<void> => {
  const router = new Route53Router(clients.route53);
  for (const record of records) {
    const reading = await router.read(record, signal);
    if (reading.exists) {
      const site = reading.site ? ` (${reading.site})` : ' (neither site: the controller will report it)';
      log.reused.push(`record ${record.name} ${reading.description}${site}`);
      continue;
    }
    await clients.route53.send(
      new ChangeResourceRecordSetsCommand(
        upsertInput(record, 'primary', 'created by hcguard up with the primary value'),
      ),
      { abortSignal: signal },
    );
    log.created.push(`record ${record.name} ${record.type} → primary`);
  }
};
