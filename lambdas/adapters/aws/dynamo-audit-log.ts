// AuditLog on hcguard's single table (keys in table-design.ts). Each entry is written twice in
// one transaction: into its UTC day (`AUDIT#<yyyy-mm-dd>`, sort key `<at>#<nonce>`, and for a
// drill's entries the gsi1 index `AUDIT#DRILL#<drillId>` / `<at>`), which `history` and drill
// reports read, and as the next link of its subject's chain (`AUDIT#CHAIN#<subject>` /
// `SEQ#<seq>`), which verification walks. A subject's first link also registers the subject
// (`AUDIT#SUBJECTS` / `<subject>`). Append-only: every write is a conditional create; two appends
// racing for the same link cannot both create it, so the loser reads the new head and links after it.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { chainEntry } from '../../core/audit-chain.ts';
import { AlreadyExistsError, VersionConflictError } from '../../core/errors.ts';
import type { AuditEntry, ChainedAuditEntry, StoredAuditEntry } from '../../core/model/audit.ts';
import { systemClock } from '../clock.ts';
import type { AuditLog, AuditQuery, Clock } from '../../ports.ts';
import { DynamoTable, withoutKeys } from './dynamo-table.ts';
import { TABLE_DESIGN } from './table-design.ts';

const INDEX = TABLE_DESIGN.indexes[0].name;
const DAY_MS = 86_400_000;
/** Without `since` (and without a drill), list reads this many days back. */
export const DEFAULT_AUDIT_DAYS = 7;
const MAX_DAYS = 400;
/** Appends racing for one subject's next link: each attempt loses only to an append that landed. */
const MAX_LINK_ATTEMPTS = 16;

const dayPartition = (at: string) => `AUDIT#${at.slice(0, 10)}`;
const chainPartition = (subject: string) => `AUDIT#CHAIN#${subject}`;

export const auditKeys = {
  day: dayPartition,
  entry: (entry: AuditEntry, nonce: string) => ({ pk: dayPartition(entry.at), sk: `${entry.at}#${nonce}` }),
  drill: (drillId: string) => `AUDIT#DRILL#${drillId}`,
  chain: chainPartition,
  link: (subject: string, seq: number) => ({ pk: chainPartition(subject), sk: `SEQ#${String(seq).padStart(12, '0')}` }),
  subjects: 'AUDIT#SUBJECTS',
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

  async append(entry: AuditEntry, signal?: AbortSignal): Promise<ChainedAuditEntry> {
    if (Number.isNaN(Date.parse(entry.at)))
      throw new Error(`audit entry "${entry.action}" has no valid instant: ${entry.at}`);
    const dayKeys = auditKeys.entry(entry, this.nonce());
    for (let attempt = 1; ; attempt++) {
      const [head] = await this.table.queryAll(
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': auditKeys.chain(entry.subject) },
          ScanIndexForward: false,
          ConsistentRead: true,
        },
        signal,
        1,
      );
      const chained = chainEntry(entry, head ? withoutKeys<StoredAuditEntry>(head).chain : undefined);
      const create = (item: Record<string, unknown>, conflict: () => Error) => ({
        item: { Put: { TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        conflict,
      });
      const raced = () => new VersionConflictError(`audit chain ${entry.subject}`, chained.chain.seq - 1);
      try {
        await this.table.transact(
          [
            create(
              {
                ...dayKeys,
                ...(entry.drillId ? { gsi1pk: auditKeys.drill(entry.drillId), gsi1sk: entry.at } : {}),
                ...chained,
              },
              () => new AlreadyExistsError(`audit entry ${dayKeys.sk}`),
            ),
            create({ ...auditKeys.link(entry.subject, chained.chain.seq), ...chained }, raced),
            ...(chained.chain.seq === 1
              ? [create({ pk: auditKeys.subjects, sk: entry.subject, since: entry.at }, raced)]
              : []),
          ],
          signal,
        );
        return chained;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= MAX_LINK_ATTEMPTS) throw error;
      }
    }
  }

  async subjects(signal?: AbortSignal): Promise<string[]> {
    const items = await this.table.partition(auditKeys.subjects, signal);
    return items.map((item) => String(item.sk));
  }

  async chain(subject: string, signal?: AbortSignal): Promise<StoredAuditEntry[]> {
    const items = await this.table.partition(auditKeys.chain(subject), signal);
    return items.map((item) => withoutKeys<StoredAuditEntry>(item));
  }

  /** Entries in time order, oldest first, from `since` (default: the last 7 days) or of one drill. */
  async list(query: AuditQuery, signal?: AbortSignal): Promise<StoredAuditEntry[]> {
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
    const entries: StoredAuditEntry[] = [];
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
  ): Promise<StoredAuditEntry[]> {
    const items = await this.table.queryAll({ ...input, ScanIndexForward: true }, signal, limit);
    return items.map((item) => withoutKeys<StoredAuditEntry>(item));
  }
}
