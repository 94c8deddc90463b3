import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { createDynamoSequenceSource } from '../../../lambdas/adapters/aws/dynamo-sequence-source.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { sequenceSourceContract } from '../../contracts/sequence-source.contract.ts';

sequenceSourceContract('DynamoDB on moto', async () => {
  const { dynamodb } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'seq');
  return {
    source: createDynamoSequenceSource({ dynamodb, tableName }),
    reopen: () => createDynamoSequenceSource({ dynamodb: motoClients().dynamodb, tableName }),
  };
});

describe('DynamoDB sequence source requests', () => {
  const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
  const mock = mockClient(dynamodb);
  const source = createDynamoSequenceSource({ dynamodb, tableName: 'hcguard-table' });

  it('reads the counter strongly consistently and passes the abort signal', async () => {
    mock.reset();
    mock.on(GetItemCommand).resolves({ Item: { lastSequence: { N: '7' } } });
    const signal = new AbortController().signal;
    expect(await source.peek('s', signal)).toBe(8);
    expect(mock).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'hcguard-table',
      Key: { pk: { S: 'SEQ#s' }, sk: { S: 'COUNTER' } },
      ConsistentRead: true,
      ProjectionExpression: '#last, #epoch',
      ExpressionAttributeNames: { '#last': 'lastSequence', '#epoch': 'streamEpoch' },
    });
    // The SDK's send(command, options) is typed with one argument here; the options ride along all the same.
    expect((mock.commandCalls(GetItemCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({ abortSignal: signal });
  });

  it('commits with a forward-only conditional update', async () => {
    mock.reset();
    mock.on(UpdateItemCommand).resolves({});
    await source.commit('s', 8);
    expect(mock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'hcguard-table',
      Key: { pk: { S: 'SEQ#s' }, sk: { S: 'COUNTER' } },
      UpdateExpression: 'SET #last = :sequence',
      ConditionExpression: 'attribute_not_exists(#last) OR #last < :sequence',
      ExpressionAttributeNames: { '#last': 'lastSequence' },
      ExpressionAttributeValues: { ':sequence': { N: '8' } },
    });
  });

  it('treats a failed condition as already committed, and lets other errors through', async () => {
    mock.reset();
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(source.commit('s', 3)).resolves.toBeUndefined();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    mock.on(UpdateItemCommand).rejects(throttled);
    await expect(source.commit('s', 4)).rejects.toThrow('Rate exceeded');
  });
});
