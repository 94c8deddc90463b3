import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDrillStore, drillKeys } from '../../../lambdas/adapters/aws/dynamo-drill-store.ts';
import { VersionConflictError } from '../../../lambdas/core/errors.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { drillAt, advanced, drillStoreContract } from '../../contracts/drill-store.contract.ts';
import { forbiddenWrites, recordWrites } from '../../support/recorded-writes.ts';

drillStoreContract('DynamoDB on moto', async () => {
  const { dynamodb } = motoClients();
  return new DynamoDrillStore({ client: dynamodb, tableName: await createHcguardTable(dynamodb, 'drills') });
});

describe('the drill store on moto, as the operator Lambda', () => {
  it('writes only to the partitions the operator Lambda may write', async () => {
    const { dynamodb } = motoClients();
    const tableName = await createHcguardTable(dynamodb, 'drills');
    const { writes } = recordWrites(dynamodb, 'operator');
    const store = new DynamoDrillStore({ client: dynamodb, tableName });
    const drill = drillAt('drill-iam', '2026-11-20T08:00:00.000Z');
    await store.create(drill, { claimActive: true });
    const next = advanced(drill, '2026-11-20T08:00:05.000Z');
    await store.save(next, drill);
    await store.setSimulatedFaults(drill.id, [{ site: 'primary', stage: 'verification', mode: 'error' }]);
    await store.requestAbort(drill.id, { at: '2026-11-20T08:00:06.000Z', by: 'operator:alice@host', reason: 'x' });
    await store.release(drill.id);
    expect(new Set(writes.map((write) => write.pk))).toEqual(new Set(['DRILL#drill-iam', 'DRILL']));
    expect(forbiddenWrites(writes)).toEqual([]);
    expect(forbiddenWrites([{ writer: 'probe', action: 'dynamodb:PutItem', pk: 'DRILL#drill-iam' }])).toHaveLength(1);
  });
});

describe('DynamoDrillStore requests and error paths (aws-sdk-client-mock)', () => {
  let documents: AwsClientStub<DynamoDBDocumentClient>;
  const store = new DynamoDrillStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: 'hcguard' });
  // Mocked per test and restored after: the moto tests above use the real client.
  beforeEach(() => {
    documents = mockClient(DynamoDBDocumentClient);
  });
  afterEach(() => documents.restore());

  it('creates the running-drill item and the drill in one conditional transaction', async () => {
    documents.on(TransactWriteCommand).resolves({});
    const drill = drillAt('drill-t', '2026-11-20T06:00:00.000Z');
    await store.create(drill, { claimActive: true });
    const { phases, ...meta } = drill;
    expect(documents).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: 'hcguard',
            Item: {
              pk: 'DRILL',
              sk: 'ACTIVE',
              drillId: 'drill-t',
              startedAt: drill.startedAt,
              scenario: 'verification-outage',
              targets: ['primary#verification'],
              simulatedFaults: [],
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: 'hcguard',
            Item: {
              pk: 'DRILL#drill-t',
              sk: 'META',
              gsi1pk: 'DRILLS',
              gsi1sk: `${drill.startedAt}#drill-t`,
              ...meta,
              // The listing's line, so listing drills reads no phase items.
              listingDetail: `preflight: ${phases[0]?.detail}`,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: 'hcguard', Item: { ...drillKeys.phase('drill-t', 0), ...phases[0] } } },
      ],
    });
  });

  it('turns a lost race on save into VersionConflictError', async () => {
    documents
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const drill = drillAt('drill-r', '2026-11-20T07:00:00.000Z');
    await expect(store.save({ ...drill, refusals: ['x'], version: 2 }, drill)).rejects.toThrow(
      new VersionConflictError('drill drill-r', 1),
    );
    expect(documents).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': 1 },
    });
  });

  it('a phase write cancelled for another reason is not mistaken for a race', async () => {
    documents.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
      }),
    );
    const drill = drillAt('drill-q', '2026-11-20T07:30:00.000Z');
    await expect(store.save(advanced(drill, '2026-11-20T07:30:01.000Z'), drill)).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
  });

  it('reports a malformed running-drill item instead of guessing', async () => {
    documents.on(GetCommand).resolves({ Item: { pk: 'DRILL', sk: 'ACTIVE' } });
    await expect(store.active()).rejects.toThrow('the running-drill item is malformed: no drillId');
  });

  it('passes the abort signal to every request', async () => {
    documents.on(GetCommand).resolves({});
    const controller = new AbortController();
    await store.active(controller.signal);
    expect((documents.commandCalls(GetCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
      abortSignal: controller.signal,
    });
  });
});
