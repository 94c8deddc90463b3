// Transmission sequence numbers in the hcguard table (item pk `SEQ#<stream>`, sk `COUNTER`),
// so loss detection spans rounds and Lambda invocations. `commit` is one conditional update
// that only ever moves the counter forward: a retry or an overlapping round cannot move it back.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { SequenceSource, StreamPosition } from '../../ports.ts';
import { TABLE_DESIGN } from './table-design.ts';

export const sequenceKey = (stream: string) => ({
  [TABLE_DESIGN.partitionKey]: { S: `SEQ#${stream}` },
  [TABLE_DESIGN.sortKey]: { S: 'COUNTER' },
});

export interface DynamoSequenceSourceDeps {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

export const createDynamoSequenceSource = (deps: DynamoSequenceSourceDeps): SequenceSource => {
  const position = async (stream: string, signal?: AbortSignal): Promise<StreamPosition> => {
    const { Item } = await deps.dynamodb.send(
      // Strongly consistent: an eventually consistent read could hand out a number already used.
      new GetItemCommand({
        TableName: deps.tableName,
        Key: sequenceKey(stream),
        ConsistentRead: true,
        ProjectionExpression: '#last, #epoch',
        ExpressionAttributeNames: { '#last': 'lastSequence', '#epoch': 'streamEpoch' },
      }),
      { abortSignal: signal },
    );
    const last = Item?.lastSequence?.N;
    const epoch = Item?.streamEpoch?.S;
    return { next: (last === undefined ? 0 : Number(last)) + 1, ...(epoch === undefined ? {} : { epoch }) };
  };
  return {
    position,
    peek: async (stream, signal) => (await position(stream, signal)).next,
    commit: async (stream, sequence, signal, epoch) => {
      try {
        await deps.dynamodb.send(
          new UpdateItemCommand({
            TableName: deps.tableName,
            Key: sequenceKey(stream),
            UpdateExpression: epoch === undefined ? 'SET #last = :sequence' : 'SET #last = :sequence, #epoch = :epoch',
            // Forward only: a commit of a number at or below the stored one is a late duplicate.
            ConditionExpression: 'attribute_not_exists(#last) OR #last < :sequence',
            ExpressionAttributeNames: {
              '#last': 'lastSequence',
              ...(epoch === undefined ? {} : { '#epoch': 'streamEpoch' }),
            },
            ExpressionAttributeValues: {
              ':sequence': { N: String(sequence) },
              ...(epoch === undefined ? {} : { ':epoch': { S: epoch } }),
            },
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return;
        throw error;
      }
    },
  };
};
