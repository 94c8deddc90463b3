// DrillStore on hcguard's single table (see table-design.ts):
//   DRILL#<id> / META       the drill: state, marks, data, alerts; gsi1 DRILLS / <startedAt>#<id>
//   DRILL#<id> / PHASE#<nn> one item per phase, written as the phase starts and ends
//   DRILL      / ACTIVE     the running drill: rounds read `drillId` to tag incidents and alerts
// The drill item is versioned: every save is conditional on the version read, so two processes
// advancing the same drill (a CLI resume while a Lambda still runs) cannot both apply a tick.
// Creating a drill claims the running-drill item in the same transaction, so a second drill
// cannot start while one runs.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DrillFault, DrillRecord, PhaseRecord, ActiveDrill, DrillListing } from '../../core/drill/model.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import type { DrillStore } from '../../ports.ts';
import { TABLE_DESIGN } from './table-design.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

const INDEX = TABLE_DESIGN.indexes[0].name;

export const drillKeys = {
  meta: (id: string) => ({ pk: `DRILL#${id}`, sk: 'META' }),
  /** Zero-padded so the phases sort in plan order. */
  phase: (id: string, index: number) => ({ pk: `DRILL#${id}`, sk: `PHASE#${String(index).padStart(2, '0')}` }),
  listing: (drill: Pick<DrillRecord, 'id' | 'startedAt'>) => ({
    gsi1pk: 'DRILLS',
    gsi1sk: `${drill.startedAt}#${drill.id}`,
  }),
  active: { pk: 'DRILL', sk: 'ACTIVE' },
} as const;

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);

const isConditionalCheckFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';
const isCancelledTransaction = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TransactionCanceledException';

const withoutKeys = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));

export interface DynamoDrillStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDrillStore implements DrillStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDrillStoreOptions) {
    this.tableName = options.tableName;
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async create(drill: DrillRecord, options: { readonly claimActive: boolean }, signal?: AbortSignal): Promise<void> {
    if (drill.version !== 1)
      throw new Error(`drill ${drill.id}: a new drill is stored at version 1, not ${drill.version}`);
    const items: TransactItem[] = [
      // A drill id is never reused: a retried create must not overwrite a drill that ran.
      { Put: { TableName: this.tableName, Item: metaItem(drill), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...drill.phases.map((phase) => ({ Put: { TableName: this.tableName, Item: phaseItem(drill.id, phase) } })),
    ];
    if (options.claimActive) {
      items.unshift({
        Put: {
          TableName: this.tableName,
          Item: { ...drillKeys.active, ...activeAttributes(drill) },
          // One drill at a time: the second one is refused, never silently merged.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }), { abortSignal: signal });
    } catch (error) {
      if (isCancelledTransaction(error)) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (options.claimActive && reasons[0]?.Code === 'ConditionalCheckFailed') {
          const running = await this.active(signal);
          throw new AlreadyExistsError(`running drill ${running?.drillId ?? '(unknown)'}`);
        }
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed'))
          throw new AlreadyExistsError(`drill ${drill.id}`);
      }
      throw error;
    }
  }

  async get(id: string, signal?: AbortSignal): Promise<DrillRecord | undefined> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': drillKeys.meta(id).pk },
          // The runner decides on what it reads: it must see the last tick.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: signal },
      );
      items.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return undefined;
    const phases = items
      .filter((item) => typeof item.sk === 'string' && item.sk.startsWith('PHASE#'))
      .map((item) => withoutKeys(item) as unknown as PhaseRecord)
      .sort((a, b) => a.index - b.index);
    return toDrill(meta, phases);
  }

  async save(drill: DrillRecord, previous: DrillRecord, signal?: AbortSignal): Promise<void> {
    if (drill.id !== previous.id) throw new Error(`cannot save drill ${drill.id} over drill ${previous.id}`);
    if (drill.version !== previous.version + 1) {
      throw new Error(
        `drill ${drill.id}: version ${drill.version} must be ${previous.version + 1} when replacing version ${previous.version}`,
      );
    }
    const changed = drill.phases.filter(
      (phase) => JSON.stringify(phase) !== JSON.stringify(previous.phases[phase.index]),
    );
    // Replace only the version this tick was decided on.
    const condition = {
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': previous.version },
    };
    try {
      if (changed.length === 0) {
        await this.documents.send(new PutCommand({ TableName: this.tableName, Item: metaItem(drill), ...condition }), {
          abortSignal: signal,
        });
        return;
      }
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: metaItem(drill), ...condition } },
            ...changed.map((phase) => ({ Put: { TableName: this.tableName, Item: phaseItem(drill.id, phase) } })),
          ],
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (isConditionalCheckFailure(error) || isCancelledTransaction(error)) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (!reasons || reasons[0]?.Code === 'ConditionalCheckFailed')
          throw new VersionConflictError(`drill ${drill.id}`, previous.version);
      }
      throw error;
    }
  }

  async list(query: { readonly limit?: number }, signal?: AbortSignal): Promise<DrillListing[]> {
    const limit = query.limit ?? 50;
    const listings: DrillListing[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX,
          KeyConditionExpression: 'gsi1pk = :drills',
          ExpressionAttributeValues: { ':drills': 'DRILLS' },
          ScanIndexForward: false,
          Limit: limit - listings.length,
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: signal },
      );
      for (const item of (page.Items ?? []) as Item[]) {
        const drill = toDrill(item, []);
        listings.push({
          id: drill.id,
          scenario: drill.scenario,
          dryRun: drill.dryRun,
          status: drill.status,
          ...(drill.outcome ? { outcome: drill.outcome } : {}),
          startedBy: drill.startedBy,
          startedAt: drill.startedAt,
          ...(drill.endedAt ? { endedAt: drill.endedAt } : {}),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && listings.length < limit);
    return listings;
  }

  async active(signal?: AbortSignal): Promise<ActiveDrill | undefined> {
    const response = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: drillKeys.active, ConsistentRead: true }),
      { abortSignal: signal },
    );
    const item = response.Item;
    if (!item) return undefined;
    if (typeof item.drillId !== 'string' || item.drillId.length === 0)
      throw new Error('the running-drill item is malformed: no drillId');
    return {
      drillId: item.drillId,
      startedAt: typeof item.startedAt === 'string' ? item.startedAt : '',
      scenario: typeof item.scenario === 'string' ? item.scenario : '',
      targets: Array.isArray(item.targets) ? (item.targets as string[]) : [],
      simulatedFaults: Array.isArray(item.simulatedFaults) ? (item.simulatedFaults as DrillFault[]) : [],
    };
  }

  async release(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: drillKeys.active,
          // Only our own: a finished drill must never end the one that runs after it.
          ConditionExpression: 'drillId = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  async requestAbort(
    id: string,
    request: NonNullable<DrillRecord['abortRequested']>,
    signal?: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: drillKeys.meta(id),
          // A new version: the lease holder's next save conflicts, re-reads and takes the request.
          UpdateExpression: 'SET abortRequested = :request, #version = #version + :one',
          ConditionExpression:
            'attribute_exists(pk) AND #status = :running AND attribute_not_exists(#abort) AND attribute_not_exists(abortRequested)',
          // version, status and abort are DynamoDB reserved words.
          ExpressionAttributeNames: { '#version': 'version', '#status': 'status', '#abort': 'abort' },
          ExpressionAttributeValues: { ':request': request, ':one': 1, ':running': 'running' },
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      if (!(await this.get(id, signal))) throw new NotFoundError(`drill ${id}`);
      return false;
    }
  }

  async setSimulatedFaults(id: string, faults: readonly DrillFault[], signal?: AbortSignal): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: drillKeys.active,
          UpdateExpression: 'SET simulatedFaults = :faults',
          ConditionExpression: 'drillId = :id',
          ExpressionAttributeValues: { ':faults': faults, ':id': id },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw new NotFoundError(`running-drill item of drill ${id}`);
      throw error;
    }
  }
}

const activeAttributes = (drill: DrillRecord) => ({
  drillId: drill.id,
  startedAt: drill.startedAt,
  scenario: drill.scenario,
  targets: [...new Set(drill.faults.map((fault) => `${fault.site}#${fault.stage}`))],
  simulatedFaults: [],
});

const metaItem = (drill: DrillRecord): Item => {
  const { phases: _phases, ...rest } = drill;
  return { ...drillKeys.meta(drill.id), ...drillKeys.listing(drill), ...rest };
};

const phaseItem = (id: string, phase: PhaseRecord): Item => ({ ...drillKeys.phase(id, phase.index), ...phase });

const STATUSES = new Set(['running', 'finished']);

/** Items are written only by this adapter; a malformed one is reported, never guessed at. */
const toDrill = (item: Item, phases: readonly PhaseRecord[]): DrillRecord => {
  const drill = withoutKeys(item);
  const malformed = (what: string) => new Error(`drill item ${String(item.pk)} is malformed: ${what}`);
  if (typeof drill.id !== 'string') throw malformed('no id');
  if (typeof drill.status !== 'string' || !STATUSES.has(drill.status))
    throw malformed(`status ${String(drill.status)}`);
  if (typeof drill.version !== 'number' || !Number.isInteger(drill.version) || drill.version < 1)
    throw malformed(`version ${String(drill.version)}`);
  if (!Array.isArray(drill.plan) || typeof drill.marks !== 'object' || typeof drill.data !== 'object')
    throw malformed('plan, marks or data missing');
  phases.forEach((phase, index) => {
    if (phase.index !== index) throw malformed(`phase ${index} is missing`);
  });
  return { ...(drill as unknown as Omit<DrillRecord, 'phases'>), phases };
};
