// Records every item write a DynamoDB client sends — the IAM action it is authorized as and the
// item's partition key — so a test can hold what the code really writes to the partitions its
// role may write (WRITTEN_PARTITIONS) and to the append-only rule.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { APPEND_ONLY_PARTITIONS, WRITTEN_PARTITIONS } from '../../lambdas/adapters/aws/table-design.ts';
import { stringLike } from './iam.ts';

export type Writer = keyof typeof WRITTEN_PARTITIONS;

export interface RecordedWrite {
  readonly writer: Writer;
  readonly action: string;
  readonly pk: string;
}

type Item = Record<string, unknown> | undefined;
const pkOf = (item: Item): string => {
  const value = item?.pk;
  return typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S);
};

/** Each item a command writes, as IAM authorizes it (a transaction item by its own action). */
const writesOf = (command: string, input: Record<string, unknown>): { action: string; pk: string }[] => {
  const name = command.replace(/(Items?)?Command$/, '');
  if (name === 'Put') return [{ action: 'dynamodb:PutItem', pk: pkOf(input.Item as Item) }];
  if (name === 'Update') return [{ action: 'dynamodb:UpdateItem', pk: pkOf(input.Key as Item) }];
  if (name === 'Delete') return [{ action: 'dynamodb:DeleteItem', pk: pkOf(input.Key as Item) }];
  if (name === 'BatchWrite')
    return Object.values(input.RequestItems as Record<string, Record<string, { Item?: Item; Key?: Item }>[]>)
      .flat()
      .map((request) => ({
        action: 'dynamodb:BatchWriteItem',
        pk: pkOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key),
      }));
  if (name === 'TransactWrite')
    return (input.TransactItems as Record<string, { Item?: Item; Key?: Item }>[]).flatMap((entry) =>
      Object.entries(entry).map(([kind, operation]) => ({
        action: kind === 'ConditionCheck' ? 'dynamodb:ConditionCheckItem' : `dynamodb:${kind}Item`,
        pk: pkOf(operation.Item ?? operation.Key),
      })),
    );
  return [];
};

/** Starts recording; `as(writer, work)` attributes the writes `work` makes to `writer`. */
export const recordWrites = (client: DynamoDBClient, initial: Writer) => {
  const writes: RecordedWrite[] = [];
  let writer = initial;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      for (const write of writesOf(context.commandName ?? '', input)) writes.push({ writer, ...write });
      return next(args);
    },
    { step: 'build', name: 'hcguardRecordWrites' },
  );
  return {
    writes,
    as: async <T>(who: Writer, work: () => Promise<T>): Promise<T> => {
      const previous = writer;
      writer = who;
      try {
        return await work();
      } finally {
        writer = previous;
      }
    },
  };
};

/** The writes a role's policy would refuse: outside its partitions, or changing an append-only item. */
export const forbiddenWrites = (writes: readonly RecordedWrite[]): RecordedWrite[] =>
  writes.filter(
    (write) =>
      !WRITTEN_PARTITIONS[write.writer].some((pattern) => stringLike(pattern, write.pk)) ||
      (APPEND_ONLY_PARTITIONS.some((pattern) => stringLike(pattern, write.pk)) &&
        !['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'].includes(write.action)),
  );
