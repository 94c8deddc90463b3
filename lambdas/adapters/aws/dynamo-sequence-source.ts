// Transmission sequence numbers in the hcguard table (item pk `SEQ#<stream>`, sk `COUNTER`),
// so loss detection spans rounds and Lambda invocations. `commit` is one conditional update
// that only ever moves the counter forward: a retry or an overlapping round cannot move it back.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { SequenceSource } from '../../ports.ts';
import { TABLE_DESIGN } from './table-design.ts';

export const sequenceKey = (stream: string) => ({
  [TABLE_DESIGN.partitionKey]: { S: `SEQ#${stream}` },
  [TABLE_DESIGN.sortKey]: { S: 'COUNTER' },
});

export interface DynamoSequenceSourceDeps {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

export const createDynamoSequenceSource = (deps: DynamoSequenceSourceDeps): SequenceSource => ({
  peek: async (stream, signal) => {
    const { Item } = await deps.dynamodb.send(
      // Strongly consistent: an eventually consistent read could hand out a number already used.
      new GetItemCommand({
        TableName: deps.tableName,
        Key: sequenceKey(stream),
        ConsistentRead: true,
        ProjectionExpression: '#last',
        ExpressionAttributeNames: { '#last': 'lastSequence' },
      }),
      { abortSignal: signal },
    );
    const last = Item?.lastSequence?.N;
    return (last === undefined ? 0 : Number(last)) + 1;
  },
  commit: async (stream, sequence, signal) => {
    try {
      await deps.dynamodb.send(
        new UpdateItemCommand({
          TableName: deps.tableName,
          Key: sequenceKey(stream),
          UpdateExpression: 'SET #last = :sequence',
          // Forward only: a commit of a number at or below the stored one is a late duplicate.
          ConditionExpression: 'attribute_not_exists(#last) OR #last < :sequence',
          ExpressionAttributeNames: { '#last': 'lastSequence' },
          ExpressionAttributeValues: { ':sequence': { N: String(sequence) } },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  },
});
