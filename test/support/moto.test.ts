import { ListTablesCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { motoClients } from './aws.ts';
import { createHcguardTable } from './hcguard-table.ts';

describe("the test run's moto server", () => {
  it('answers DynamoDB on loopback', async () => {
    const { dynamodb } = motoClients();
    const tables = await dynamodb.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
    expect(dynamodb.config.endpoint).toBeDefined();
  });

  // DynamoDB applies a conditional write atomically; moto's threaded server did not (two racing
  // creates could both succeed), so local/moto.ts makes its DynamoDB backend atomic. These check it.
  const ROUNDS = 10;
  const RACERS = 12;
  const settle = async (attempts: Promise<unknown>[]) =>
    (await Promise.allSettled(attempts)).filter((outcome) => outcome.status === 'fulfilled').length;

  it('lets exactly one of many racing conditional creates of one item win, every time', async () => {
    const { dynamodb } = motoClients();
    const tableName = await createHcguardTable(dynamodb, 'race');
    for (let round = 0; round < ROUNDS; round++) {
      const key = { pk: { S: `RACE#${round}` }, sk: { S: 'ONE' } };
      const winners = await settle(
        Array.from({ length: RACERS }, (_, racer) =>
          dynamodb.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...key, racer: { N: String(racer) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        ),
      );
      expect(winners).toBe(1);
    }
  });

  it('lets exactly one of many racing transactions that create the same item commit, every time', async () => {
    const { dynamodb } = motoClients();
    const tableName = await createHcguardTable(dynamodb, 'race');
    for (let round = 0; round < ROUNDS; round++) {
      const winners = await settle(
        Array.from({ length: RACERS }, (_, racer) =>
          dynamodb.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { pk: { S: `TX#${round}` }, sk: { S: `entry-${racer}` } },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { pk: { S: `TX#${round}` }, sk: { S: 'LINK' }, racer: { N: String(racer) } },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          ),
        ),
      );
      expect(winners).toBe(1);
    }
  });
});
