// What every adapter on hcguard's single table shares: the document client, paged queries, one
// conditional transaction whose failed condition becomes that item's domain error, and the
// conditions on a version or an absent item.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction item with the domain error its failed condition means. */
export interface GuardedItem {
  readonly item: TransactItem;
  readonly conflict?: () => Error;
}

/** Attributes that are keys or housekeeping, not part of the stored value. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt'] as const;

export const withoutKeys = <T>(item: Item): T => {
  const copy: Item = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete copy[attribute];
  return copy as T;
};

export const isConditionalCheckFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Which items of a cancelled transaction failed their condition (by index); undefined for any other error. */
export const failedConditions = (error: unknown): number[] | undefined => {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException');
  if (!cancelled) return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
};

/** Write only if nobody created the item meanwhile (`expectedVersion` 0), else only over the version read. */
export const versionCondition = (expectedVersion: number) =>
  expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };

export class DynamoTable {
  readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly name: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Every page of a query (or the first `limit` items). */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>, signal?: AbortSignal, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.name,
          ...input,
          ...(limit ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: signal },
      );
      items.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (!limit || items.length < limit));
    return items;
  }

  /**
   * Sends one conditional write (Put, Update, Delete); false when its condition failed, so each
   * caller says what that means in the domain.
   */
  async conditionally(command: PutCommand | UpdateCommand | DeleteCommand, signal?: AbortSignal): Promise<boolean> {
    const options = { abortSignal: signal };
    try {
      if (command instanceof PutCommand) await this.documents.send(command, options);
      else if (command instanceof UpdateCommand) await this.documents.send(command, options);
      else await this.documents.send(command, options);
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** Every item of one partition, read consistently: what a decision is made on must be current. */
  partition(pk: string, signal?: AbortSignal): Promise<Item[]> {
    return this.queryAll(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true },
      signal,
    );
  }

  /** All or nothing; a single Put goes alone, at half a transaction's write units. */
  async transact(items: readonly GuardedItem[], signal?: AbortSignal): Promise<void> {
    const [only] = items;
    if (items.length === 1 && only?.item.Put) {
      try {
        await this.documents.send(new PutCommand(only.item.Put), { abortSignal: signal });
        return;
      } catch (error) {
        throw isConditionalCheckFailure(error) && only.conflict ? only.conflict() : error;
      }
    }
    try {
      const command = new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item) });
      await this.documents.send(command, { abortSignal: signal });
    } catch (error) {
      const failed = failedConditions(error);
      const conflict = failed?.map((index) => items[index]?.conflict).find((make) => make !== undefined);
      throw conflict ? conflict() : error;
    }
  }
}
