// RoutingStore on hcguard's single table (see table-design.ts): one item per managed record
// (pk ROUTING, sk RECORD#<name>) and the routing lock (pk ROUTING, sk LOCK). Every write is
// conditional, so two controllers that read the same version cannot both switch: the loser
// gets VersionConflictError and re-reads.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import { SITES } from '../../core/model/vocabulary.ts';
import type { RoutingLock, RoutingState } from '../../core/model/routing.ts';
import type { RoutingStore } from '../../ports.ts';

const ROUTING_PK = 'ROUTING';
const RECORD_PREFIX = 'RECORD#';
const LOCK_SK = 'LOCK';

export const routingRecordKey = (record: string) => ({ pk: ROUTING_PK, sk: `${RECORD_PREFIX}${record}` });
export const routingLockKey = { pk: ROUTING_PK, sk: LOCK_SK } as const;

import { DynamoTable, isConditionalCheckFailure, versionCondition } from './dynamo-table.ts';

export class DynamoRoutingStore implements RoutingStore {
  private readonly table: DynamoTable;

  constructor(tableName: string, client: DynamoDBClient) {
    this.table = new DynamoTable(client, tableName);
  }

  async list(signal?: AbortSignal): Promise<RoutingState[]> {
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :records)',
        ExpressionAttributeValues: { ':pk': ROUTING_PK, ':records': RECORD_PREFIX },
        ConsistentRead: true,
      },
      signal,
    );
    return items.map(toRoutingState);
  }

  async get(record: string, signal?: AbortSignal): Promise<RoutingState | undefined> {
    // Strongly consistent: the controller decides on what it reads, and must see the last switch.
    const response = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: routingRecordKey(record), ConsistentRead: true }),
      { abortSignal: signal },
    );
    return response.Item ? toRoutingState(response.Item) : undefined;
  }

  async put(state: RoutingState, expectedVersion: number, signal?: AbortSignal): Promise<void> {
    if (state.version !== expectedVersion + 1) {
      throw new Error(
        `routing state ${state.record}: version ${state.version} must be ` +
          `${expectedVersion + 1} when replacing version ${expectedVersion}`,
      );
    }
    const condition = versionCondition(expectedVersion);
    const stored = await this.table.conditionally(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...routingRecordKey(state.record), ...state },
        ...condition,
      }),
      signal,
    );
    if (!stored) throw new VersionConflictError(`routing state ${state.record}`, expectedVersion);
  }

  async getLock(signal?: AbortSignal): Promise<RoutingLock | undefined> {
    const response = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: routingLockKey, ConsistentRead: true }),
      { abortSignal: signal },
    );
    return response.Item ? toLock(response.Item) : undefined;
  }

  async setLock(lock: RoutingLock, signal?: AbortSignal): Promise<void> {
    const set = await this.table.conditionally(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...routingLockKey, reason: lock.reason, actor: lock.actor, at: lock.at },
        // One lock at a time: a second operator must not silently take over the first one's.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      signal,
    );
    if (!set) throw new AlreadyExistsError('routing lock');
  }

  async clearLock(signal?: AbortSignal): Promise<RoutingLock> {
    try {
      const response = await this.table.documents.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: routingLockKey,
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      if (!response.Attributes) throw new NotFoundError('routing lock');
      return toLock(response.Attributes);
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw new NotFoundError('routing lock');
      throw error;
    }
  }
}

const isSite = (value: unknown): value is RoutingState['activeSite'] => (SITES as readonly unknown[]).includes(value);

/** Items are written only by this adapter; a malformed one is reported, never guessed at. */
const toRoutingState = (item: Record<string, unknown>): RoutingState => {
  const { pk: _pk, sk, ...state } = item;
  const malformed = (what: string) => new Error(`routing item ${String(sk)} is malformed: ${what}`);
  if (typeof state.record !== 'string') throw malformed('no record name');
  if (!isSite(state.activeSite)) throw malformed(`activeSite ${String(state.activeSite)}`);
  if (typeof state.version !== 'number' || !Number.isInteger(state.version) || state.version < 1)
    throw malformed(`version ${String(state.version)}`);
  if (typeof state.since !== 'string' || typeof state.reason !== 'string' || typeof state.actor !== 'string')
    throw malformed('since, reason or actor missing');
  const pending = state.pending as RoutingState['pending'];
  if (pending !== undefined && !isSite(pending.toSite)) throw malformed(`pending.toSite ${String(pending.toSite)}`);
  return state as unknown as RoutingState;
};

const toLock = (item: Record<string, unknown>): RoutingLock => {
  if (typeof item.reason !== 'string' || typeof item.actor !== 'string' || typeof item.at !== 'string') {
    throw new Error('routing lock item is malformed: reason, actor or at missing');
  }
  return { reason: item.reason, actor: item.actor as RoutingLock['actor'], at: item.at };
};
