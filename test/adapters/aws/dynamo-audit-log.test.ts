import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../../lambdas/adapters/aws/dynamo-audit-log.ts';
import { AlreadyExistsError } from '../../../lambdas/core/errors.ts';
import type { AuditEntry } from '../../../lambdas/core/model/audit.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';

const entry = (at: string, action: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at,
  actor: 'controller',
  action,
  subject: 'verify.hc.example.com',
  detail: { from: 'primary', to: 'backup', dwellMinutes: 5, forced: false },
  ...extra,
});

describe('DynamoAuditLog against DynamoDB on moto', () => {
  let log: DynamoAuditLog;
  let dynamodb: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    ({ dynamodb } = motoClients());
    tableName = await createHcguardTable(dynamodb, 'audit');
    log = new DynamoAuditLog({
      client: dynamodb,
      tableName,
      clock: { now: () => new Date('2026-11-22T12:00:00.000Z') },
      nonce: (() => {
        let n = 0;
        return () => `n${++n}`;
      })(),
    });
  });

  it('appends entries and lists them in time order across days', async () => {
    const entries = [
      entry('2026-11-20T23:59:59.000Z', 'switch'),
      entry('2026-11-21T00:00:01.000Z', 'lock', { actor: 'operator:li', subject: 'routing' }),
      entry('2026-11-22T08:00:00.000Z', 'unlock', { actor: 'operator:li', subject: 'routing' }),
    ];
    for (const item of [entries[2], entries[0], entries[1]]) await log.append(item as AuditEntry);
    expect(await log.list({ since: '2026-11-20T00:00:00.000Z' })).toEqual(entries);
    expect(await log.list({ since: '2026-11-21T00:00:00.000Z' })).toEqual(entries.slice(1));
    expect(await log.list({ since: '2026-11-20T00:00:00.000Z', limit: 2 })).toEqual(entries.slice(0, 2));
    // Without since: the last 7 days.
    expect(await log.list({})).toEqual(entries);
  });

  it('keeps entries in a day partition, and a drill’s entries findable by drill id', async () => {
    const drillEntry = entry('2026-11-22T09:00:00.000Z', 'drill.phase', { actor: 'drill:DRILL-9', drillId: 'DRILL-9' });
    await log.append(drillEntry);
    await log.append(
      entry('2026-11-22T09:00:01.000Z', 'drill.phase', { actor: 'drill:DRILL-10', drillId: 'DRILL-10' }),
    );
    expect(await log.list({ drillId: 'DRILL-9' })).toEqual([drillEntry]);
    const raw = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'AUDIT#2026-11-22' }, sk: { S: '2026-11-22T09:00:00.000Z#n4' } },
      }),
    );
    expect(raw.Item?.gsi1pk).toEqual({ S: 'AUDIT#DRILL#DRILL-9' });
  });

  it('refuses an entry without a valid instant', async () => {
    await expect(log.append(entry('yesterday', 'switch'))).rejects.toThrow(/no valid instant/);
  });
});

describe('DynamoAuditLog error paths (aws-sdk-client-mock)', () => {
  let documents: AwsClientStub<DynamoDBDocumentClient>;
  const log = () =>
    new DynamoAuditLog({ client: new DynamoDBClient({}), tableName: 'hcguard-state', nonce: () => 'abcd1234' });

  beforeAll(() => {
    documents = mockClient(DynamoDBDocumentClient);
  });
  afterAll(() => documents.restore());
  beforeEach(() => documents.reset());

  it('appends with a conditional create, never overwriting', async () => {
    documents.on(PutCommand).resolves({});
    const signal = new AbortController().signal;
    await log().append(entry('2026-11-22T09:00:00.000Z', 'switch', { drillId: 'DRILL-1' }), signal);
    expect(documents).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      TableName: 'hcguard-state',
      Item: {
        pk: 'AUDIT#2026-11-22',
        sk: '2026-11-22T09:00:00.000Z#abcd1234',
        gsi1pk: 'AUDIT#DRILL#DRILL-1',
        gsi1sk: '2026-11-22T09:00:00.000Z',
        at: '2026-11-22T09:00:00.000Z',
        actor: 'controller',
        action: 'switch',
        subject: 'verify.hc.example.com',
        detail: { from: 'primary', to: 'backup', dwellMinutes: 5, forced: false },
        drillId: 'DRILL-1',
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect((documents.commandCalls(PutCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
      abortSignal: signal,
    });
  });

  it('turns a conditional-check failure into AlreadyExistsError and passes throttling on', async () => {
    documents
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }))
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(log().append(entry('2026-11-22T09:00:00.000Z', 'switch'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(log().append(entry('2026-11-22T09:00:00.000Z', 'switch'))).rejects.toThrow('slow down');
  });
});
