import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../../../lambdas/adapters/aws/dynamo-state-store.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { stateStoreContract } from '../../contracts/state-store.contract.ts';

stateStoreContract('DynamoDB on moto', async () => {
  const { dynamodb } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'state');
  return {
    store: new DynamoStateStore({ client: dynamodb, tableName, resultRetentionDays: 30 }),
    startDrill: async (drillId) => {
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'DRILL' }, sk: { S: 'ACTIVE' }, drillId: { S: drillId } } }));
    },
  };
});
