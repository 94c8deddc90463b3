// The local table outlives `npm start`: moto keeps everything in memory, so on stop the runtime
// writes the table to .hcguard/state-snapshot.json and the next start puts it back (unless
// `--fresh`). Drills, incidents, history, the audit log and sequence counters come back; what
// mirrors the emulator's other services or the platform right now does not: routing (Route 53
// is created again, at the primary), switch announcements, queued alerts (the topics are new)
// and target states (the next rounds measure them again); with a new sandbox, not its record
// stream positions either (SEQ#…).
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { sleep } from '../lambdas/sleep.ts';
import { LocalSetupError } from './runtime/errors.ts';

type StoredItem = Record<string, AttributeValue>;

interface Snapshot {
  readonly schema: 'hcguard.local-table/1';
  readonly savedAt: string;
  readonly items: readonly StoredItem[];
}

/** Partitions (the part of pk before '#') that are measured or created again at each start. */
const NOT_RESTORED = new Set(['ROUTING', 'ANNOUNCED', 'OUTBOX', 'TARGET']);

const restorable = (item: StoredItem, skip: readonly string[] = []): boolean => {
  const partition = item.pk?.S?.split('#')[0];
  return partition !== undefined && !NOT_RESTORED.has(partition) && !skip.includes(partition);
};

export const saveTableSnapshot = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  file: string,
  now: Date,
): Promise<number> => {
  const items: StoredItem[] = [];
  let start: StoredItem | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).filter((item) => restorable(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  const snapshot: Snapshot = { schema: 'hcguard.local-table/1', savedAt: now.toISOString(), items };
  // Written whole or not at all: a stop cut short leaves the previous snapshot.
  writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
  renameSync(`${file}.tmp`, file);
  return items.length;
};

const readSnapshot = (file: string): Snapshot => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LocalSetupError(
      `${file} is not a snapshot hcguard wrote (${(error as Error).message}): start with --fresh`,
    );
  }
  const snapshot = parsed as Partial<Snapshot>;
  if (snapshot.schema !== 'hcguard.local-table/1' || !Array.isArray(snapshot.items))
    throw new LocalSetupError(`${file} is not a snapshot hcguard wrote: start with --fresh`);
  return snapshot as Snapshot;
};

/** Puts a snapshot back into an empty table; undefined when there is none. */
export const restoreTableSnapshot = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  file: string,
  options: { readonly skip?: readonly string[] } = {},
): Promise<{ readonly items: number; readonly savedAt: string } | undefined> => {
  if (!existsSync(file)) return undefined;
  const snapshot = readSnapshot(file);
  const items = snapshot.items.filter((item) => restorable(item, options.skip));
  for (let index = 0; index < items.length; index += 25) {
    let pending: StoredItem[] = items.slice(index, index + 25);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const response = await dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: { [tableName]: pending.map((item) => ({ PutRequest: { Item: item } })) },
        }),
      );
      pending = (response.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [request.PutRequest.Item] : [],
      );
      if (pending.length > 0 && attempt >= 8) throw new LocalSetupError(`the emulator kept refusing ${file}'s items`);
      if (pending.length > 0) await sleep(50 * attempt);
    }
  }
  return { items: items.length, savedAt: snapshot.savedAt };
};
