import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { motoClients } from './aws.ts';

describe("the test run's moto server", () => {
  it('answers DynamoDB on loopback', async () => {
    const { dynamodb } = motoClients();
    const tables = await dynamodb.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
    expect(dynamodb.config.endpoint).toBeDefined();
  });
});
