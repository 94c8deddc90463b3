// Creates a uniquely named hcguard table on the run's moto server, shaped by TABLE_DESIGN.
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../lambdas/adapters/aws/table-design.ts';
import { uniqueName } from './aws.ts';

export const createHcguardTable = async (dynamodb: DynamoDBClient, prefix = 'hcguard'): Promise<string> => {
  const tableName = uniqueName(prefix);
  await dynamodb.send(new CreateTableCommand(createTableInput(tableName)));
  return tableName;
};
