// AuditLog on hcguard's single table (keys in table-design.ts): one partition per UTC day
// (`AUDIT#<yyyy-mm-dd>`, sort key `<at>#<nonce>`) and, for entries of a drill, the gsi1 index
// (`AUDIT#DRILL#<drillId>` / `<at>`) so a drill report reads its own entries with one query.
// Append-only: every write is a conditional create, nothing updates or deletes an entry.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../../core/errors.ts';
import type { AuditEntry } from '../../core/model/audit.ts';
import { systemClock } from '../clock.ts';
import type { AuditLog, AuditQuery, Clock } from '../../ports.ts';
import { DynamoTable, withoutKeys } from './dynamo-table.ts';
import { TABLE_DESIGN } from './table-design.ts';

const INDEX = TABLE_DESIGN.indexes[0].name;
const DAY_MS = 86_400_000;
/** Without `since` (and without a drill), list reads this many days back. */
export const DEFAULT_AUDIT_DAYS = 7;
const MAX_DAYS = 400;

export const auditKeys = {
  day: (at: string) => `AUDIT#${at.slice(0, 10)}`,
  entry: (entry: AuditEntry, nonce: string) => ({ pk: `AUDIT#${entry.at.slice(0, 10)}`, sk: `${entry.at}#${nonce}` }),
  drill: (drillId: string) => `AUDIT#DRILL#${drillId}`,
} as const;

export interface DynamoAuditLogOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly clock?: Clock;
  readonly nonce?: () => string;
}

export class DynamoAuditLog implements AuditLog {
  private readonly table: DynamoTable;
  private readonly clock: Clock;
  private readonly nonce: () => string;

  constructor(options: DynamoAuditLogOptions) {
    this.table = new DynamoTable(options.client, options.tableName);
    this.clock = options.clock ?? systemClock;
    this.nonce = options.nonce ?? (() => crypto.randomUUID().slice(0, 8));
  }

  async append(entry: AuditEntry, signal?: AbortSignal): Promise<void> {
    if (Number.isNaN(Date.parse(entry.at)))
      throw new Error(`audit entry "${entry.action}" has no valid instant: ${entry.at}`);
    const item = {
      ...auditKeys.entry(entry, this.nonce()),
      ...(entry.drillId ? { gsi1pk: auditKeys.drill(entry.drillId), gsi1sk: entry.at } : {}),
      ...entry,
    };
    // Append-only: an existing entry is never replaced.
    const appended = await this.table.conditionally(
      new PutCommand({ TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      signal,
    );
    if (!appended) throw new AlreadyExistsError(`audit entry ${item.sk}`);
  }

  /** Entries in time order, oldest first, from `since` (default: the last 7 days) or of one drill. */
  async list(query: AuditQuery, signal?: AbortSignal): Promise<AuditEntry[]> {
    const limit = query.limit ?? 1000;
    if (query.drillId) {
      return this.query(
        {
          IndexName: INDEX,
          KeyConditionExpression: query.since ? 'gsi1pk = :drill AND gsi1sk >= :since' : 'gsi1pk = :drill',
          ExpressionAttributeValues: {
            ':drill': auditKeys.drill(query.drillId),
            ...(query.since ? { ':since': query.since } : {}),
          },
        },
        limit,
        signal,
      );
    }
    const now = this.clock.now();
    const since = query.since ?? new Date(now.getTime() - DEFAULT_AUDIT_DAYS * DAY_MS).toISOString();
    const first = Date.parse(`${since.slice(0, 10)}T00:00:00.000Z`);
    if (Number.isNaN(first)) throw new Error(`audit query since must be an ISO instant, got ${since}`);
    const entries: AuditEntry[] = [];
    for (
      let day = first, count = 0;
      day <= now.getTime() && entries.length < limit && count < MAX_DAYS;
      day += DAY_MS, count++
    ) {
      entries.push(
        ...(await this.query(
          {
            KeyConditionExpression: 'pk = :day AND sk >= :since',
            ExpressionAttributeValues: { ':day': auditKeys.day(new Date(day).toISOString()), ':since': since },
            ConsistentRead: true,
          },
          limit - entries.length,
          signal,
        )),
      );
    }
    return entries;
  }

  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit: number,
    signal?: AbortSignal,
  ): Promise<AuditEntry[]> {
    const items = await this.table.queryAll({ ...input, ScanIndexForward: true }, signal, limit);
    return items.map((item) => withoutKeys<AuditEntry>(item));
  }
}
