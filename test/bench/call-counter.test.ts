import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  attributeSize,
  CallCounter,
  itemSize,
  itemsOf,
  readUnitsOf,
  summarize,
  writeUnitsOf,
  type CallRecord,
} from '../../bench/lib/call-counter.ts';
import { motoClients, uniqueName } from '../support/aws.ts';

const tally = (calls: number, itemsWritten = 0, keysRead = 0, writeUnits = 0, readUnits = 0) => ({
  calls,
  itemsWritten,
  keysRead,
  writeUnits,
  readUnits,
});

describe('itemsOf', () => {
  it.each([
    ['PutItem', {}, 1, 0],
    ['UpdateItem', {}, 1, 0],
    ['DeleteItem', {}, 1, 0],
    ['BatchWriteItem', { RequestItems: { a: [{}, {}], b: [{}] } }, 3, 0],
    ['TransactWriteItems', { TransactItems: [{}, {}, {}, {}] }, 4, 0],
    ['GetItem', {}, 0, 1],
    ['BatchGetItem', { RequestItems: { a: { Keys: [{}, {}] }, b: { Keys: [{}] } } }, 0, 3],
    ['TransactGetItems', { TransactItems: [{}, {}] }, 0, 2],
    ['Query', {}, 0, 0],
    ['Scan', {}, 0, 0],
    ['BatchWriteItem', undefined, 0, 0],
  ])('%s with %j writes %i item(s) and reads %i key(s)', (command, input, written, read) => {
    expect(itemsOf(command, input)).toEqual({ itemsWritten: written, keysRead: read });
  });
});

describe('DynamoDB capacity estimates', () => {
  it.each([
    [{ S: 'abc' }, 3],
    [{ S: '体温' }, 6],
    [{ N: '7' }, 2],
    [{ N: '123' }, 3],
    [{ N: '-1200.50' }, 4],
    [{ N: '0.001' }, 2],
    [{ BOOL: true }, 1],
    [{ NULL: true }, 1],
    [{ L: [{ S: 'ab' }, { N: '1' }] }, 3 + (1 + 2) + (1 + 2)],
    [{ M: { a: { S: 'xy' }, bb: { BOOL: false } } }, 3 + (1 + 1 + 2) + (1 + 2 + 1)],
    [{ SS: ['a', 'bc'] }, 3],
  ])('%j takes %i bytes', (value, bytes) => {
    expect(attributeSize(value)).toBe(bytes);
  });

  it('sizes an item as names plus values', () => {
    expect(itemSize({ pk: { S: 'TARGET' }, version: { N: '12' } })).toBe(2 + 6 + 7 + 2);
  });

  const big = { pk: { S: 'x' }, body: { S: 'y'.repeat(1500) } };
  it.each([
    ['PutItem', { Item: { pk: { S: 'x' } } }, 1],
    ['PutItem', { Item: big }, 2],
    ['UpdateItem', {}, 1],
    ['DeleteItem', {}, 1],
    [
      'BatchWriteItem',
      {
        RequestItems: {
          t: [
            { PutRequest: { Item: big } },
            { PutRequest: { Item: { pk: { S: 'a' } } } },
            { DeleteRequest: { Key: {} } },
          ],
        },
      },
      4,
    ],
    [
      'TransactWriteItems',
      { TransactItems: [{ Put: { Item: big } }, { Update: {} }, { ConditionCheck: {} }] },
      2 * (2 + 1 + 1),
    ],
    ['Query', {}, 0],
  ])('%s with %j costs %d write unit(s)', (command, input, units) => {
    expect(writeUnitsOf(command, input)).toBe(units);
  });

  const items = (count: number, bytes: number) =>
    Array.from({ length: count }, () => ({ b: { S: 'z'.repeat(bytes - 1) } }));
  it.each([
    ['GetItem', {}, { Item: { b: { S: 'z' } } }, 0.5],
    ['GetItem', { ConsistentRead: true }, {}, 1],
    ['GetItem', {}, { Item: items(1, 5000)[0] }, 1],
    ['Query', {}, { Items: items(3, 2000) }, 1],
    ['Query', { ConsistentRead: true }, { Items: items(3, 2000) }, 2],
    ['Query', {}, { Items: [] }, 0.5],
    ['BatchGetItem', { RequestItems: { t: { ConsistentRead: true } } }, { Responses: { t: items(2, 100) } }, 2],
    ['TransactGetItems', {}, { Responses: [{ Item: items(1, 100)[0] }] }, 2],
    ['PutItem', {}, {}, 0],
  ])('%s with %j returning %j costs %d read unit(s)', (command, input, output, units) => {
    expect(readUnitsOf(command, input, output)).toBe(units);
  });
});

describe('CallCounter on moto', () => {
  it(
    'counts each command where it leaves the client, document-client commands under ' + 'their DynamoDB names',
    async () => {
      const clients = motoClients();
      const tableName = uniqueName('calls');
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: uniqueName('calls') }));
      const zone = await clients.route53.send(
        new CreateHostedZoneCommand({ Name: 'calls.internal', CallerReference: uniqueName('calls') }),
      );
      const zoneId = zone.HostedZone?.Id;

      const counter = new CallCounter().attach(clients.dynamodb, clients.sns, clients.route53);
      const documents = DynamoDBDocumentClient.from(clients.dynamodb);
      const records = await counter.measure(async () => {
        await documents.send(new PutCommand({ TableName: tableName, Item: { pk: 'A', sk: '1' } }));
        await documents.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: ['2', '3', '4'].map((sk) => ({ PutRequest: { Item: { pk: 'A', sk } } })) },
          }),
        );
        await documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: { pk: 'B', sk: '1' } } },
              { Put: { TableName: tableName, Item: { pk: 'B', sk: '2' } } },
            ],
          }),
        );
        await documents.send(new GetCommand({ TableName: tableName, Key: { pk: 'A', sk: '1' } }));
        await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'A' },
          }),
        );
        await clients.dynamodb.send(new ScanCommand({ TableName: tableName }));
        await clients.sns.send(new PublishCommand({ TopicArn, Message: 'counted' }));
        await clients.route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: {
              Changes: [
                {
                  Action: 'UPSERT',
                  ResourceRecordSet: {
                    Name: 'a.calls.internal',
                    Type: 'A',
                    TTL: 5,
                    ResourceRecords: [{ Value: '127.0.0.1' }],
                  },
                },
              ],
            },
          }),
        );
        await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      });

      expect(records).toEqual<CallRecord[]>([
        { service: 'DynamoDB', command: 'BatchWriteItem', tally: tally(1, 3, 0, 3) },
        { service: 'DynamoDB', command: 'GetItem', tally: tally(1, 0, 1, 0, 0.5) },
        { service: 'DynamoDB', command: 'PutItem', tally: tally(1, 1, 0, 1) },
        { service: 'DynamoDB', command: 'Query', tally: tally(1, 0, 0, 0, 0.5) },
        { service: 'DynamoDB', command: 'Scan', tally: tally(1, 0, 0, 0, 0.5) },
        { service: 'DynamoDB', command: 'TransactWriteItems', tally: tally(1, 2, 0, 4) },
        { service: 'Route53', command: 'ChangeResourceRecordSets', tally: tally(1) },
        { service: 'Route53', command: 'ListResourceRecordSets', tally: tally(1) },
        { service: 'SNS', command: 'Publish', tally: tally(1) },
      ]);
      expect(summarize(records)).toEqual({
        dynamodbWriteCalls: 3,
        dynamodbItemsWritten: 6,
        dynamodbReadCalls: 3,
        writeUnits: 8,
        readUnits: 1.5,
        scans: 1,
        snsPublishes: 1,
        route53Calls: 2,
        route53Changes: 1,
        total: 9,
      });
    },
  );

  it('starts from zero for each measurement and counts a client once however often it is attached', async () => {
    const clients = motoClients();
    const counter = new CallCounter().attach(clients.sns).attach(clients.sns);
    const first = await counter.measure(() => clients.sns.send(new CreateTopicCommand({ Name: uniqueName('once') })));
    const second = await counter.measure(async () => undefined);
    expect(first).toEqual([{ service: 'SNS', command: 'CreateTopic', tally: tally(1) }]);
    expect(second).toEqual([]);
  });
});
