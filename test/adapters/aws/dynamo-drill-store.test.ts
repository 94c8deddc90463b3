import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDrillStore, drillKeys } from '../../../lambdas/adapters/aws/dynamo-drill-store.ts';
import { newDrill } from '../../../lambdas/core/drill/new-drill.ts';
import type { DrillRecord } from '../../../lambdas/core/drill/model.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../../lambdas/core/errors.ts';
import { motoClients } from '../../support/aws.ts';
import { createHcguardTable } from '../../support/hcguard-table.ts';
import { testConfig } from '../../fakes/config.ts';

const config = testConfig();
const drillAt = (id: string, startedAt: string, dryRun = false): DrillRecord => {
  const scenario = findScenario(config, 'verification-outage');
  if (!scenario) throw new Error('scenario');
  return newDrill({ id, actor: 'operator:alice@host', now: new Date(startedAt), policy: config, dryRun, scenario });
};

/** The next tick: the current phase ends, the next starts, the version moves on. */
const advanced = (drill: DrillRecord, at: string): DrillRecord => {
  const phases = [...drill.phases];
  const last = phases.length - 1;
  phases[last] = { ...phases[last]!, outcome: 'passed', endedAt: at, detail: 'done' };
  phases.push({
    name: 'inject',
    index: phases.length,
    startedAt: at,
    outcome: 'running',
    detail: 'injecting',
    checks: [],
  });
  return { ...drill, phases, marks: { ...drill.marks, faultInjectedAt: at }, version: drill.version + 1 };
};

describe('DynamoDrillStore against DynamoDB on moto', () => {
  let store: DynamoDrillStore;

  beforeAll(async () => {
    const { dynamodb } = motoClients();
    store = new DynamoDrillStore({ client: dynamodb, tableName: await createHcguardTable(dynamodb, 'drills') });
  });

  it('stores a drill with its phases and the running-drill item, then refuses a second drill', async () => {
    const first = drillAt('drill-a', '2026-11-20T02:00:00.000Z');
    await store.create(first, { claimActive: true });
    expect(await store.get('drill-a')).toEqual(first);
    expect(await store.active()).toEqual({
      drillId: 'drill-a',
      startedAt: first.startedAt,
      scenario: 'verification-outage',
      targets: ['primary#verification'],
      simulatedFaults: [],
    });

    const second = drillAt('drill-b', '2026-11-20T02:01:00.000Z');
    await expect(store.create(second, { claimActive: true })).rejects.toThrow(
      new AlreadyExistsError('running drill drill-a'),
    );
    expect(await store.get('drill-b')).toBeUndefined();
    // Recorded without the claim, its pre-flight can refuse it and say why.
    await store.create(second, { claimActive: false });
    expect((await store.active())?.drillId).toBe('drill-a');

    // Releasing is only for the holder.
    await store.release('drill-b');
    expect((await store.active())?.drillId).toBe('drill-a');
    await store.release('drill-a');
    expect(await store.active()).toBeUndefined();
    await store.release('drill-a');
  });

  it('never overwrites a drill with the same id', async () => {
    const drill = drillAt('drill-dup', '2026-11-20T03:00:00.000Z', true);
    await store.create(drill, { claimActive: false });
    await expect(store.create(drill, { claimActive: false })).rejects.toThrow(
      new AlreadyExistsError('drill drill-dup'),
    );
  });

  it('saves each tick against the version read, with the phases that changed', async () => {
    const drill = drillAt('drill-c', '2026-11-20T04:00:00.000Z', true);
    await store.create(drill, { claimActive: false });
    const next = advanced(drill, '2026-11-20T04:00:01.000Z');
    await store.save(next, drill);
    expect(await store.get('drill-c')).toEqual(next);
    // A second runner that also read version 1 loses.
    await expect(store.save({ ...advanced(drill, '2026-11-20T04:00:02.000Z') }, drill)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(await store.get('drill-c')).toEqual(next);
    // A tick without a phase change is a single conditional put.
    const quiet = { ...next, refusals: ['held by dwell'], version: next.version + 1 };
    await store.save(quiet, next);
    expect(await store.get('drill-c')).toEqual(quiet);
    await expect(store.save({ ...quiet, version: 7 }, quiet)).rejects.toThrow(/version 7 must be 4/);
  });

  it('records an abort request in one conditional update that moves the version on', async () => {
    const drill = drillAt('drill-abort', '2026-11-20T04:30:00.000Z', true);
    await store.create(drill, { claimActive: false });
    const request = {
      by: 'operator:bob@ops' as const,
      reason: 'checkpoints report trouble',
      at: '2026-11-20T04:31:00.000Z',
    };
    expect(await store.requestAbort('drill-abort', request)).toBe(true);
    expect(await store.get('drill-abort')).toEqual({ ...drill, abortRequested: request, version: 2 });
    // Once is enough; a finished drill has nothing to stop; an unknown one is an error.
    expect(await store.requestAbort('drill-abort', request)).toBe(false);
    const stored = (await store.get('drill-abort'))!;
    await store.save({ ...stored, status: 'finished', version: 3 }, stored);
    expect(await store.requestAbort('drill-abort', { ...request, reason: 'again' })).toBe(false);
    await expect(store.requestAbort('drill-none', request)).rejects.toThrow(new NotFoundError('drill drill-none'));
  });

  it('lists drills newest first', async () => {
    const { dynamodb } = motoClients();
    const own = new DynamoDrillStore({ client: dynamodb, tableName: await createHcguardTable(dynamodb, 'drill-list') });
    for (const [id, at] of [
      ['drill-1', '2026-11-20T01:00:00.000Z'],
      ['drill-3', '2026-11-20T03:00:00.000Z'],
      ['drill-2', '2026-11-20T02:00:00.000Z'],
    ] as const) {
      await own.create(drillAt(id, at, true), { claimActive: false });
    }
    expect((await own.list({})).map((drill) => drill.id)).toEqual(['drill-3', 'drill-2', 'drill-1']);
    expect(await own.list({ limit: 1 })).toEqual([
      {
        id: 'drill-3',
        scenario: 'verification-outage',
        dryRun: true,
        status: 'running',
        startedBy: 'operator:alice@host',
        startedAt: '2026-11-20T03:00:00.000Z',
      },
    ]);
  });

  it('sets simulated faults only while the drill holds the running-drill item', async () => {
    const { dynamodb } = motoClients();
    const own = new DynamoDrillStore({ client: dynamodb, tableName: await createHcguardTable(dynamodb, 'drill-sim') });
    await own.create(drillAt('drill-s', '2026-11-20T05:00:00.000Z'), { claimActive: true });
    const faults = [{ site: 'primary' as const, stage: 'verification' as const, mode: 'error' as const }];
    await own.setSimulatedFaults('drill-s', faults);
    expect((await own.active())?.simulatedFaults).toEqual(faults);
    await expect(own.setSimulatedFaults('drill-other', faults)).rejects.toThrow(
      new NotFoundError('running-drill item of drill drill-other'),
    );
    await own.setSimulatedFaults('drill-s', []);
    expect((await own.active())?.simulatedFaults).toEqual([]);
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
            Item: { pk: 'DRILL#drill-t', sk: 'META', gsi1pk: 'DRILLS', gsi1sk: `${drill.startedAt}#drill-t`, ...meta },
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
