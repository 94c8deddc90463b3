import {
  DynamoDBClient,
  PutItemCommand,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoStateStore, type DynamoStateStoreOptions } from '../../../lambdas/adapters/aws/dynamo-state-store.ts';
import { renderAlert } from '../../../lambdas/core/alert-message.ts';
import { AlreadyExistsError } from '../../../lambdas/core/errors.ts';
import { decideIncidents } from '../../../lambdas/core/incidents/decide.ts';
import type { ProbeResult, TargetState } from '../../../lambdas/core/model/probing.ts';
import type { OutboxAlert } from '../../../lambdas/core/model/incidents.ts';
import { testConfig } from '../../fakes/config.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { stateStoreContract } from '../../contracts/state-store.contract.ts';

stateStoreContract('DynamoDB on moto', async () => {
  const { dynamodb } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'state');
  return {
    store: new DynamoStateStore({ client: dynamodb, tableName, resultRetentionDays: 30 }),
    startDrill: async (drillId, targets) => {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: 'DRILL' },
            sk: { S: 'ACTIVE' },
            drillId: { S: drillId },
            targets: { L: targets.map((target) => ({ S: target })) },
          },
        }),
      );
    },
  };
});

describe('DynamoStateStore: exact requests and error paths (aws-sdk-client-mock)', () => {
  let documents: AwsClientStub<DynamoDBDocumentClient>;
  const store = (options: Partial<DynamoStateStoreOptions> = {}) =>
    new DynamoStateStore({
      client: new DynamoDBClient({}),
      tableName: 'hcguard-state',
      resultRetentionDays: 30,
      nonce: () => 'n0',
      retryBaseMs: 1,
      ...options,
    });
  const config = testConfig();
  const NOW = new Date('2026-11-20T08:00:00.000Z');
  const failing: TargetState = {
    site: 'primary',
    stage: 'verification',
    health: 'failing',
    since: NOW.toISOString(),
    consecutiveFailures: 3,
    consecutiveSuccesses: 0,
    lastFailureClass: 'timeout',
    lastMessage: 'no answer within 2000 ms',
    recentChanges: [],
    flapping: false,
    version: 4,
  };
  const opening = () => {
    const change = decideIncidents({
      policy: config,
      targets: [failing],
      open: [],
      routing: [],
      conditions: [],
      unannounced: [],
      now: NOW,
    }).changes[0];
    if (change?.type !== 'open' || !change.alert) throw new Error('expected an opening');
    const alert: OutboxAlert = {
      id: change.alert.id,
      incidentId: change.incident.id,
      kind: 'open',
      topic: 'SEV1',
      message: renderAlert(change.alert, {
        stackName: 'hc',
        timeZone: 'UTC',
        locale: 'en' as const,
        siteLabels: { primary: 'p', backup: 'b' },
      }),
      createdAt: NOW.toISOString(),
      attempts: 0,
    };
    return { change, alert };
  };
  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  beforeAll(() => {
    documents = mockClient(DynamoDBDocumentClient);
  });
  afterAll(() => documents.restore());
  beforeEach(() => documents.reset());

  it(
    'opens an incident in one transaction: dedup item, incident, timeline and alert, ' +
      'each conditional where it matters',
    async () => {
      documents.on(TransactWriteCommand).resolves({});
      const { change, alert } = opening();
      const signal = new AbortController().signal;
      await store().applyIncidentChange({ change, alert }, signal);
      const { incident } = change;
      expect(documents).toHaveReceivedCommandExactlyOnceWith(TransactWriteCommand, {
        TransactItems: [
          {
            Put: {
              TableName: 'hcguard-state',
              Item: {
                pk: 'DEDUP#probe/primary/verification/timeout',
                sk: 'OPEN',
                incidentId: incident.id,
                openedAt: NOW.toISOString(),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: 'hcguard-state',
              Item: {
                pk: `INCIDENT#${incident.id}`,
                sk: 'META',
                gsi1pk: 'INCIDENTS#open',
                gsi1sk: NOW.toISOString(),
                ...incident,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: 'hcguard-state',
              Item: { pk: `INCIDENT#${incident.id}`, sk: `EVENT#${NOW.toISOString()}#0`, ...change.events[0] },
            },
          },
          {
            Put: {
              TableName: 'hcguard-state',
              Item: { pk: 'OUTBOX', sk: alert.id, ...alert },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      });
      expect((documents.commandCalls(TransactWriteCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
        abortSignal: signal,
      });
    },
  );

  it.each([
    [
      'the dedup item exists: another round opened it',
      ['ConditionalCheckFailed', 'None', 'None', 'None'],
      AlreadyExistsError,
      /open incident for probe\/primary\/verification\/timeout/,
    ],
    [
      'the alert is queued already',
      ['None', 'None', 'None', 'ConditionalCheckFailed'],
      AlreadyExistsError,
      /alert INC-\w+\/open/,
    ],
  ])('turns a cancelled opening into a domain error when %s', async (_, codes, type, message) => {
    documents.on(TransactWriteCommand).rejects(cancelled(...codes));
    const error = await store()
      .applyIncidentChange(opening())
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
  });

  it('turns a cancelled update into VersionConflictError', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    const { change } = opening();
    const update = {
      type: 'update' as const,
      reason: 'resolve' as const,
      incident: { ...change.incident, status: 'resolved' as const, version: 2 },
      expectedVersion: 1,
      events: [],
      releaseDedupKey: true,
    };
    await expect(store().applyIncidentChange({ change: update })).rejects.toMatchObject({
      name: 'VersionConflictError',
      expectedVersion: 1,
    });
  });

  it('passes throttling through untouched, for the round to report and retry next time', async () => {
    documents.on(TransactWriteCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'Rate of requests exceeds the allowed throughput',
        $metadata: {},
      }),
    );
    await expect(store().applyIncidentChange(opening())).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    await expect(store().saveTargets([{ target: failing, expectedVersion: 3 }])).rejects.toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );
  });

  it('names the target whose version moved', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    const backup = { ...failing, site: 'backup' as const };
    await expect(
      store().saveTargets([
        { target: failing, expectedVersion: 3 },
        { target: backup, expectedVersion: 6 },
      ]),
    ).rejects.toMatchObject({
      name: 'VersionConflictError',
      message: 'target backup#verification changed since version 6 was read',
    });
    expect(documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]).toEqual({
      Put: {
        TableName: 'hcguard-state',
        Item: { pk: 'TARGET', sk: 'primary#verification', ...failing },
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': 3 },
      },
    });
  });

  it('writes results in batches of 25 with a TTL, retrying unprocessed items with backoff', async () => {
    const results: ProbeResult[] = Array.from({ length: 26 }, (_, index) => ({
      probeId: 'verification-check',
      site: 'primary',
      stage: 'verification',
      startedAt: new Date(NOW.getTime() + index * 1000).toISOString(),
      durationMs: 10,
      outcome: 'ok',
      steps: [],
    }));
    const request = (result: ProbeResult) => ({
      PutRequest: {
        Item: {
          pk: 'RESULT#primary#verification',
          sk: `${result.startedAt}#verification-check#n0`,
          result,
          expiresAt: Math.floor(Date.parse(result.startedAt) / 1000) + 30 * 86_400,
        },
      },
    });
    documents
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { 'hcguard-state': [request(results[3] as ProbeResult)] } })
      .resolves({});
    await store().recordResults(results);
    const calls = documents
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.['hcguard-state']);
    expect(calls).toEqual([
      results.slice(0, 25).map(request),
      [request(results[3] as ProbeResult)],
      [request(results[25] as ProbeResult)],
    ]);
  });

  it('gives up on results DynamoDB keeps refusing, saying how many', async () => {
    const result: ProbeResult = {
      probeId: 'p',
      site: 'backup',
      stage: 'collection',
      startedAt: NOW.toISOString(),
      durationMs: 1,
      outcome: 'ok',
      steps: [],
    };
    documents
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    await expect(store({ batchRetries: 2 }).recordResults([result])).rejects.toThrow(
      '1 probe result(s) not written after 2 retries (throughput exceeded)',
    );
    expect(documents).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
  });

  it(
    'lists an incident the eventually consistent index shows under two statuses ' + 'once, at its latest version',
    async () => {
      const { change } = opening();
      const acknowledged = {
        ...change.incident,
        status: 'acknowledged' as const,
        acknowledgedAt: NOW.toISOString(),
        acknowledgedBy: 'operator:li',
        version: 2,
      };
      documents
        .on(QueryCommand, { IndexName: 'gsi1', ExpressionAttributeValues: { ':status': 'INCIDENTS#open' } })
        .resolves({
          Items: [
            {
              pk: `INCIDENT#${change.incident.id}`,
              sk: 'META',
              gsi1pk: 'INCIDENTS#open',
              gsi1sk: NOW.toISOString(),
              ...change.incident,
            },
          ],
        })
        .on(QueryCommand, { IndexName: 'gsi1', ExpressionAttributeValues: { ':status': 'INCIDENTS#acknowledged' } })
        .resolves({
          Items: [
            {
              pk: `INCIDENT#${change.incident.id}`,
              sk: 'META',
              gsi1pk: 'INCIDENTS#acknowledged',
              gsi1sk: NOW.toISOString(),
              ...acknowledged,
            },
          ],
        });
      expect(await store().listOpenIncidents()).toEqual([acknowledged]);
    },
  );

  it('stops at the deadline: an aborted signal reaches the SDK call', async () => {
    const controller = new AbortController();
    documents.on(QueryCommand).callsFake(async () => {
      controller.abort(new Error('deadline'));
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await expect(store().loadTargets(controller.signal)).rejects.toThrow('Request aborted');
    expect((documents.commandCalls(QueryCommand)[0]?.args as unknown[] | undefined)?.[1]).toEqual({
      abortSignal: controller.signal,
    });
  });
});
