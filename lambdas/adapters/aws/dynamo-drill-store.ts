// DrillStore on hcguard's single table (see table-design.ts):
//   DRILL#<id> / META       the drill: state, marks, data, alerts; gsi1 DRILLS / <startedAt>#<id>
//   DRILL#<id> / PHASE#<nn> one item per phase, written as the phase starts and ends
//   DRILL      / ACTIVE     the running drill: rounds read `drillId` to tag incidents and alerts
// The drill item is versioned: every save is conditional on the version read, so two processes
// advancing the same drill (a CLI resume while a Lambda still runs) cannot both apply a tick.
// Creating a drill claims the running-drill item in the same transaction, so a second drill
// cannot start while one runs.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  activeDrillOf,
  drillListing,
  type ActiveDrill,
  type DrillFault,
  type DrillListing,
  type DrillRecord,
  type PhaseRecord,
} from '../../core/drill/model.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import type { DrillStore } from '../../ports.ts';
import { DynamoTable, withoutKeys, type GuardedItem, type Item } from './dynamo-table.ts';
import { TABLE_DESIGN } from './table-design.ts';

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

/** The claim on the running-drill item lost: another drill runs (its id is read after). */
class ClaimTaken extends Error {}

export interface DynamoDrillStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDrillStore implements DrillStore {
  private readonly table: DynamoTable;

  constructor(options: DynamoDrillStoreOptions) {
    this.table = new DynamoTable(options.client, options.tableName);
  }

  async create(drill: DrillRecord, options: { readonly claimActive: boolean }, signal?: AbortSignal): Promise<void> {
    if (drill.version !== 1)
      throw new Error(`drill ${drill.id}: a new drill is stored at version 1, not ${drill.version}`);
    const drillExists = () => new AlreadyExistsError(`drill ${drill.id}`);
    const items: GuardedItem[] = [
      // A drill id is never reused: a retried create must not overwrite a drill that ran.
      {
        item: {
          Put: { TableName: this.table.name, Item: metaItem(drill), ConditionExpression: 'attribute_not_exists(pk)' },
        },
        conflict: drillExists,
      },
      ...drill.phases.map((phase) => ({
        item: { Put: { TableName: this.table.name, Item: phaseItem(drill.id, phase) } },
      })),
    ];
    if (options.claimActive) {
      items.unshift({
        item: {
          Put: {
            TableName: this.table.name,
            Item: { ...drillKeys.active, ...activeDrillOf(drill) },
            // One drill at a time: the second one is refused, never silently merged.
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        conflict: () => new ClaimTaken(),
      });
    }
    try {
      await this.table.transact(items, signal);
    } catch (error) {
      if (!(error instanceof ClaimTaken)) throw error;
      const running = await this.active(signal);
      throw new AlreadyExistsError(`running drill ${running?.drillId ?? '(unknown)'}`);
    }
  }

  async get(id: string, signal?: AbortSignal): Promise<DrillRecord | undefined> {
    const items = await this.table.partition(drillKeys.meta(id).pk, signal);
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return undefined;
    const phases = items
      .filter((item) => typeof item.sk === 'string' && item.sk.startsWith('PHASE#'))
      .map((item) => withoutKeys<PhaseRecord>(item))
      .sort((a, b) => a.index - b.index);
    return toDrill(meta, phases);
  }

  async save(drill: DrillRecord, previous: DrillRecord, signal?: AbortSignal): Promise<void> {
    if (drill.id !== previous.id) throw new Error(`cannot save drill ${drill.id} over drill ${previous.id}`);
    if (drill.version !== previous.version + 1) {
      throw new Error(
        `drill ${drill.id}: version ${drill.version} must be ${previous.version + 1} ` +
          `when replacing version ${previous.version}`,
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
    await this.table.transact(
      [
        {
          item: { Put: { TableName: this.table.name, Item: metaItem(drill), ...condition } },
          conflict: () => new VersionConflictError(`drill ${drill.id}`, previous.version),
        },
        ...changed.map((phase) => ({
          item: { Put: { TableName: this.table.name, Item: phaseItem(drill.id, phase) } },
        })),
      ],
      signal,
    );
  }

  async list(query: { readonly limit?: number }, signal?: AbortSignal): Promise<DrillListing[]> {
    const limit = query.limit ?? 50;
    const items = await this.table.queryAll(
      {
        IndexName: INDEX,
        KeyConditionExpression: 'gsi1pk = :drills',
        ExpressionAttributeValues: { ':drills': 'DRILLS' },
        ScanIndexForward: false,
      },
      signal,
      limit,
    );
    return items.map((item) => ({
      ...drillListing(toDrill(item, [])),
      ...(typeof item.listingDetail === 'string' ? { detail: item.listingDetail } : {}),
    }));
  }

  async active(signal?: AbortSignal): Promise<ActiveDrill | undefined> {
    const response = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: drillKeys.active, ConsistentRead: true }),
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
    await this.table.conditionally(
      new DeleteCommand({
        TableName: this.table.name,
        Key: drillKeys.active,
        // Only our own: a finished drill must never end the one that runs after it.
        ConditionExpression: 'drillId = :id',
        ExpressionAttributeValues: { ':id': id },
      }),
      signal,
    );
  }

  async requestAbort(
    id: string,
    request: NonNullable<DrillRecord['abortRequested']>,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const requested = await this.table.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
        Key: drillKeys.meta(id),
        // acceptsAbortRequest as a condition. A new version: the lease holder's next save conflicts,
        // re-reads and takes the request.
        UpdateExpression: 'SET abortRequested = :request, #version = #version + :one',
        ConditionExpression:
          'attribute_exists(pk) AND #status = :running AND attribute_not_exists(#abort) ' +
          'AND attribute_not_exists(abortRequested)',
        // version, status and abort are DynamoDB reserved words.
        ExpressionAttributeNames: { '#version': 'version', '#status': 'status', '#abort': 'abort' },
        ExpressionAttributeValues: { ':request': request, ':one': 1, ':running': 'running' },
      }),
      signal,
    );
    if (!requested && !(await this.get(id, signal))) throw new NotFoundError(`drill ${id}`);
    return requested;
  }

  async setSimulatedFaults(id: string, faults: readonly DrillFault[], signal?: AbortSignal): Promise<void> {
    const set = await this.table.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
        Key: drillKeys.active,
        UpdateExpression: 'SET simulatedFaults = :faults',
        ConditionExpression: 'drillId = :id',
        ExpressionAttributeValues: { ':faults': faults, ':id': id },
      }),
      signal,
    );
    if (!set) throw new NotFoundError(`running-drill item of drill ${id}`);
  }
}

const metaItem = (drill: DrillRecord): Item => {
  const { phases: _phases, ...rest } = drill;
  // The listing's line rides on the meta item, so listing drills reads no phase items.
  const line = drillListing(drill).detail;
  return {
    ...drillKeys.meta(drill.id),
    ...drillKeys.listing(drill),
    ...rest,
    ...(line ? { listingDetail: line } : {}),
  };
};

const phaseItem = (id: string, phase: PhaseRecord): Item => ({ ...drillKeys.phase(id, phase.index), ...phase });

const STATUSES = new Set(['running', 'finished']);

/** Items are written only by this adapter; a malformed one is reported, never guessed at. */
const toDrill = (item: Item, phases: readonly PhaseRecord[]): DrillRecord => {
  const { listingDetail: _line, ...drill } = withoutKeys<Item>(item);
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
