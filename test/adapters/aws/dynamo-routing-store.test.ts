import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRoutingStore } from '../../../lambdas/adapters/aws/dynamo-routing-store.ts';
import { NotFoundError, VersionConflictError } from '../../../lambdas/core/errors.ts';
import type { RoutingState } from '../../../lambdas/core/model/routing.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { initial, routingStoreContract } from '../../contracts/routing-store.contract.ts';

const withIntent = (state: RoutingState): RoutingState => ({
  ...state,
  pending: {
    toSite: 'backup',
    requestedAt: '2026-11-20T08:05:00.000Z',
    reason: 'primary verification failing (timeout)',
    actor: 'controller',
    leaseUntil: '2026-11-20T08:07:00.000Z',
    incidentId: 'INC-7QX',
  },
  version: state.version + 1,
});

routingStoreContract('DynamoDB on moto', async () => {
  const { dynamodb } = motoClients();
  return new DynamoRoutingStore(await createHcguardTable(dynamodb, 'routing'), dynamodb);
});

describe('DynamoRoutingStore requests and error paths (aws-sdk-client-mock)', () => {
  // Mocked per test and restored after, so the moto tests above talk to the real emulator.
  let documents: AwsClientStub<DynamoDBDocumentClient>;
  const store = new DynamoRoutingStore('hcguard-table', new DynamoDBClient({ region: 'us-east-1' }));
  beforeEach(() => {
    documents = mockClient(DynamoDBDocumentClient);
  });
  afterEach(() => documents.restore());

  it('writes an intent with a PutItem conditional on the version it read, passing the abort signal', async () => {
    documents.on(PutCommand).resolves({});
    const signal = new AbortController().signal;
    const intent = withIntent(initial('verify.hc.example.com'));
    await store.put(intent, 1, signal);
    expect(documents).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(documents.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: 'hcguard-table',
      Item: { pk: 'ROUTING', sk: 'RECORD#verify.hc.example.com', ...intent },
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': 1 },
    });
    expect((documents.commandCalls(PutCommand)[0]!.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });

  it('creates the first item only if absent', async () => {
    documents.on(PutCommand).resolves({});
    await store.put(initial('verify.hc.example.com'), 0);
    expect(documents).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('turns ConditionalCheckFailedException into VersionConflictError and passes other errors through', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    documents
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))
      .rejectsOnce(throttled);
    await expect(store.put(withIntent(initial('r.hc.example.com')), 1)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.put(withIntent(initial('r.hc.example.com')), 1)).rejects.toBe(throttled);
  });

  it('unlocks with a conditional delete and reports a missing lock as NotFoundError', async () => {
    documents
      .on(DeleteCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(store.clearLock()).rejects.toBeInstanceOf(NotFoundError);
    expect(documents).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: 'hcguard-table',
      Key: { pk: 'ROUTING', sk: 'LOCK' },
      ConditionExpression: 'attribute_exists(pk)',
      ReturnValues: 'ALL_OLD',
    });
  });
});
