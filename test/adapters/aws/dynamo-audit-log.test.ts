import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditKeys, DynamoAuditLog } from '../../../lambdas/adapters/aws/dynamo-audit-log.ts';
import { auditHash, GENESIS_HASH } from '../../../lambdas/core/audit-chain.ts';
import { AlreadyExistsError, VersionConflictError } from '../../../lambdas/core/errors.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { entry, auditLogContract } from '../../contracts/audit-log.contract.ts';

auditLogContract('DynamoDB on moto', async (clock) => {
  const { dynamodb } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'audit');
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const log = new DynamoAuditLog({ client: dynamodb, tableName, clock });
  return {
    log,
    overwrite: async (copy, entry) => {
      let keys: Record<string, unknown> = auditKeys.link(entry.subject, entry.chain.seq);
      if (copy === 'day') {
        const listed = await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :day',
            ExpressionAttributeValues: { ':day': auditKeys.day(entry.at) },
          }),
        );
        const stored = listed.Items?.find(
          (item) => item.subject === entry.subject && item.chain?.seq === entry.chain.seq,
        );
        keys = { pk: stored?.pk, sk: stored?.sk, gsi1pk: stored?.gsi1pk, gsi1sk: stored?.gsi1sk };
      }
      await documents.send(new PutCommand({ TableName: tableName, Item: { ...entry, ...keys } }));
    },
    removeLink: async (subject, seq) => {
      await documents.send(new DeleteCommand({ TableName: tableName, Key: auditKeys.link(subject, seq) }));
    },
  };
});

describe('DynamoAuditLog keys on DynamoDB on moto', () => {
  it('keeps an entry in its day partition, its link in its subject’s chain, a drill’s entries in gsi1', async () => {
    const { dynamodb } = motoClients();
    const tableName = await createHcguardTable(dynamodb, 'audit-keys');
    const log = new DynamoAuditLog({ client: dynamodb, tableName, nonce: () => 'n4' });
    const chained = await log.append(
      entry('2026-11-22T09:00:00.000Z', 'drill.phase', {
        actor: 'drill:DRILL-9',
        drillId: 'DRILL-9',
        subject: 'DRILL-9',
      }),
    );
    const get = (pk: string, sk: string) =>
      dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } } }));
    const day = await get('AUDIT#2026-11-22', '2026-11-22T09:00:00.000Z#n4');
    expect(day.Item?.gsi1pk).toEqual({ S: 'AUDIT#DRILL#DRILL-9' });
    expect(day.Item?.chain?.M?.hash).toEqual({ S: chained.chain.hash });
    expect((await get('AUDIT#CHAIN#DRILL-9', 'SEQ#000000000001')).Item?.gsi1pk).toBeUndefined();
    expect((await get('AUDIT#SUBJECTS', 'DRILL-9')).Item?.since).toEqual({ S: '2026-11-22T09:00:00.000Z' });
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

  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('appends the day entry, the first link and the subject in one transaction of conditional creates', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(TransactWriteCommand).resolves({});
    const signal = new AbortController().signal;
    const written = entry('2026-11-22T09:00:00.000Z', 'switch', { drillId: 'DRILL-1' });
    const chained = await log().append(written, signal);
    expect(chained.chain).toEqual({ seq: 1, prev: GENESIS_HASH, hash: auditHash(written, 1, GENESIS_HASH) });
    expect(documents).toHaveReceivedCommandExactlyOnceWith(QueryCommand, {
      TableName: 'hcguard-state',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'AUDIT#CHAIN#verify.hc.example.com' },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: 1,
    });
    const create = (Item: Record<string, unknown>) => ({
      Put: { TableName: 'hcguard-state', Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    expect(documents).toHaveReceivedCommandExactlyOnceWith(TransactWriteCommand, {
      TransactItems: [
        create({
          pk: 'AUDIT#2026-11-22',
          sk: '2026-11-22T09:00:00.000Z#abcd1234',
          gsi1pk: 'AUDIT#DRILL#DRILL-1',
          gsi1sk: '2026-11-22T09:00:00.000Z',
          ...chained,
        }),
        create({ pk: 'AUDIT#CHAIN#verify.hc.example.com', sk: 'SEQ#000000000001', ...chained }),
        create({ pk: 'AUDIT#SUBJECTS', sk: 'verify.hc.example.com', since: '2026-11-22T09:00:00.000Z' }),
      ],
    });
    expect((documents.commandCalls(TransactWriteCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
      abortSignal: signal,
    });
  });

  it('links after the head it read, and after a lost race reads the new head and links after that', async () => {
    const head = { ...entry('2026-11-22T08:00:00.000Z', 'switch'), chain: { seq: 4, prev: 'p3', hash: 'h4' } };
    const newHead = { ...head, chain: { seq: 5, prev: 'h4', hash: 'h5' } };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: 'AUDIT#CHAIN#verify.hc.example.com', sk: 'SEQ#000000000004', ...head }] })
      .resolves({ Items: [{ pk: 'AUDIT#CHAIN#verify.hc.example.com', sk: 'SEQ#000000000005', ...newHead }] });
    documents.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).resolves({});
    const chained = await log().append(entry('2026-11-22T09:00:00.000Z', 'switch'));
    expect(chained.chain).toMatchObject({ seq: 6, prev: 'h5' });
    const attempts = documents.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems);
    expect(attempts.map((items) => items?.length)).toEqual([2, 2]);
    expect(attempts.map((items) => items?.[1]?.Put?.Item?.sk)).toEqual(['SEQ#000000000005', 'SEQ#000000000006']);
  });

  it('gives up after 16 lost races with VersionConflictError', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'));
    await expect(log().append(entry('2026-11-22T09:00:00.000Z', 'switch'))).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(documents).toHaveReceivedCommandTimes(TransactWriteCommand, 16);
  });

  it('reports an existing day entry as AlreadyExistsError without retrying, and passes throttling on', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'))
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(log().append(entry('2026-11-22T09:00:00.000Z', 'switch'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(log().append(entry('2026-11-22T09:00:00.000Z', 'switch'))).rejects.toThrow('slow down');
    expect(documents).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });
});
