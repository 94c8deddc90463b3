// Counts the AWS API calls hcguard makes, per client and command, through an SDK middleware:
// whatever adapter issues a command, it is counted where it leaves for the wire. Used by the
// "AWS calls per round" benchmark to show what a round costs and that it never Scans.
//
// DynamoDB capacity is estimated, since moto does not bill: write units from the size of each
// item written (1 KB units, twice for transactions), read units from the size of the items
// returned (4 KB units, half for eventually consistent reads), with DynamoDB's item-size rules
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
// An update or delete is counted as 1 unit: the stored item's size is not in the request.
import type { AwsClients } from '../../lambdas/app/aws-clients.ts';

/** What one command asked DynamoDB to touch, for capacity: items written or read. */
export interface CallTally {
  readonly calls: number;
  /** Items written (Put/Update/Delete = 1; BatchWriteItem and TransactWriteItems = their requests). */
  readonly itemsWritten: number;
  /** Keys asked for by GetItem/BatchGetItem/TransactGetItems (Query and Scan read ranges: 0). */
  readonly keysRead: number;
  /** Estimated write request units (DynamoDB). */
  readonly writeUnits: number;
  /** Estimated read request units (DynamoDB), from what came back. */
  readonly readUnits: number;
}

/** `service` is the client's name without "Client" (DynamoDB, SNS, Route53, SQS); `command` without "Command". */
export interface CallRecord {
  readonly service: string;
  readonly command: string;
  readonly tally: CallTally;
}

export const DYNAMODB_WRITE_COMMANDS = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
] as const;
export const DYNAMODB_READ_COMMANDS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'] as const;

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<{ output?: unknown }>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: unknown }) => Promise<{ output?: unknown }>,
      options: { step: 'build'; name: string; override?: boolean },
    ): void;
  };
}

/** A marshalled DynamoDB attribute value: `{ S: 'x' }`, `{ N: '1' }`, `{ M: {...} }`, … */
type AttributeValue = Record<string, unknown>;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** DynamoDB's size of one attribute value, per the item-size rules. */
export const attributeSize = (value: AttributeValue): number => {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return utf8(String(inner));
    case 'N': {
      // Significant digits: no sign, exponent or point, leading and trailing zeros trimmed.
      const digits = String(inner)
        .replace(/^[-+]/, '')
        .replace(/[eE].*$/, '')
        .replace('.', '')
        .replace(/^0+|0+$/g, '').length;
      return Math.min(21, Math.ceil(Math.max(1, digits) / 2) + 1);
    }
    case 'B':
      return inner instanceof Uint8Array ? inner.length : utf8(String(inner));
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (inner as string[]).reduce((sum, entry) => sum + utf8(entry), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, entry) => sum + attributeSize({ N: entry }), 0);
    case 'BS':
      return (inner as Uint8Array[]).reduce((sum, entry) => sum + entry.length, 0);
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, entry) => sum + 1 + attributeSize(entry), 0);
    case 'M':
      return (
        3 +
        Object.entries(inner as Record<string, AttributeValue>).reduce(
          (sum, [name, entry]) => sum + 1 + utf8(name) + attributeSize(entry),
          0,
        )
      );
    default:
      return 0;
  }
};

/** Bytes of a marshalled item: attribute names plus values. */
export const itemSize = (item: Record<string, AttributeValue> | undefined): number =>
  Object.entries(item ?? {}).reduce((sum, [name, value]) => sum + utf8(name) + attributeSize(value), 0);

const writeUnitsForPut = (item: Record<string, AttributeValue> | undefined): number =>
  Math.max(1, Math.ceil(itemSize(item) / 1024));

/** Estimated write units of a DynamoDB command, from its (marshalled) input. */
export const writeUnitsOf = (command: string, input: unknown): number => {
  const fields = (input ?? {}) as Record<string, unknown>;
  switch (command) {
    case 'PutItem':
      return writeUnitsForPut(fields.Item as Record<string, AttributeValue>);
    case 'UpdateItem':
    case 'DeleteItem':
      return 1;
    case 'BatchWriteItem':
      return Object.values(
        (fields.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Record<string, AttributeValue> } }[]>,
      )
        .flat()
        .reduce((sum, request) => sum + (request.PutRequest ? writeUnitsForPut(request.PutRequest.Item) : 1), 0);
    case 'TransactWriteItems':
      return (
        2 *
        ((fields.TransactItems ?? []) as { Put?: { Item?: Record<string, AttributeValue> } }[]).reduce(
          (sum, entry) => sum + (entry.Put ? writeUnitsForPut(entry.Put.Item) : 1),
          0,
        )
      );
    default:
      return 0;
  }
};

/** Estimated read units of a DynamoDB command, from its input and what it returned. */
export const readUnitsOf = (command: string, input: unknown, output: unknown): number => {
  const fields = (input ?? {}) as Record<string, unknown>;
  const result = (output ?? {}) as Record<string, unknown>;
  const factor = fields.ConsistentRead === true ? 1 : 0.5;
  const units = (bytes: number, perRead = factor) => Math.max(1, Math.ceil(bytes / 4096)) * perRead;
  switch (command) {
    case 'GetItem':
      return units(itemSize(result.Item as Record<string, AttributeValue>));
    case 'Query':
    case 'Scan':
      // A Query or Scan is billed on the total size it read, rounded up once.
      return units(
        ((result.Items ?? []) as Record<string, AttributeValue>[]).reduce((sum, item) => sum + itemSize(item), 0),
      );
    case 'BatchGetItem': {
      const requests = (fields.RequestItems ?? {}) as Record<string, { ConsistentRead?: boolean }>;
      return Object.entries((result.Responses ?? {}) as Record<string, Record<string, AttributeValue>[]>).reduce(
        (sum, [table, items]) =>
          sum +
          items.reduce((inner, item) => inner + units(itemSize(item), requests[table]?.ConsistentRead ? 1 : 0.5), 0),
        0,
      );
    }
    case 'TransactGetItems':
      return ((result.Responses ?? []) as { Item?: Record<string, AttributeValue> }[]).reduce(
        (sum, entry) => sum + units(itemSize(entry.Item), 2),
        0,
      );
    default:
      return 0;
  }
};

const arrayLength = (value: unknown): number => (Array.isArray(value) ? value.length : 0);

/** How many items a DynamoDB command writes and how many keys it reads, from its input. */
export const itemsOf = (command: string, input: unknown): { itemsWritten: number; keysRead: number } => {
  const fields = (input ?? {}) as Record<string, unknown>;
  switch (command) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { itemsWritten: 1, keysRead: 0 };
    case 'BatchWriteItem':
      return {
        itemsWritten: Object.values((fields.RequestItems ?? {}) as Record<string, unknown>).reduce<number>(
          (sum, requests) => sum + arrayLength(requests),
          0,
        ),
        keysRead: 0,
      };
    case 'TransactWriteItems':
      return { itemsWritten: arrayLength(fields.TransactItems), keysRead: 0 };
    case 'GetItem':
      return { itemsWritten: 0, keysRead: 1 };
    case 'BatchGetItem':
      return {
        itemsWritten: 0,
        keysRead: Object.values((fields.RequestItems ?? {}) as Record<string, { Keys?: unknown }>).reduce<number>(
          (sum, request) => sum + arrayLength(request?.Keys),
          0,
        ),
      };
    case 'TransactGetItems':
      return { itemsWritten: 0, keysRead: arrayLength(fields.TransactItems) };
    default:
      return { itemsWritten: 0, keysRead: 0 };
  }
};

export class CallCounter {
  private readonly tallies = new Map<
    string,
    { service: string; command: string } & { -readonly [K in keyof CallTally]: number }
  >();

  /** Counts every command sent through these clients from now on (a client is counted once). */
  attach(...clients: readonly object[]): this {
    for (const client of clients) {
      (client as MiddlewareClient).middlewareStack.add(
        // The build step sees the marshalled input and the raw output, under the document client's (un)marshalling.
        (next, context) => async (args) => {
          const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
          const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          let output: unknown;
          try {
            const result = await next(args);
            output = result.output;
            return result;
          } finally {
            this.record(service, command, args.input, output);
          }
        },
        { step: 'build', name: 'hcguardBenchCallCounter', override: true },
      );
    }
    return this;
  }

  attachAll(clients: AwsClients): this {
    return this.attach(clients.dynamodb, clients.sns, clients.route53);
  }

  /** Counts one call; `output` is undefined when it failed (a failed write still costs its units). */
  record(service: string, command: string, input: unknown, output?: unknown): void {
    const key = `${service} ${command}`;
    const tally = this.tallies.get(key) ?? {
      service,
      command,
      calls: 0,
      itemsWritten: 0,
      keysRead: 0,
      writeUnits: 0,
      readUnits: 0,
    };
    tally.calls += 1;
    if (service === 'DynamoDB') {
      const items = itemsOf(command, input);
      tally.itemsWritten += items.itemsWritten;
      tally.keysRead += items.keysRead;
      tally.writeUnits += writeUnitsOf(command, input);
      tally.readUnits += readUnitsOf(command, input, output);
    }
    this.tallies.set(key, tally);
  }

  /** Every command counted so far, sorted by service then command. */
  records(): CallRecord[] {
    return [...this.tallies.values()]
      .map(({ service, command, calls, itemsWritten, keysRead, writeUnits, readUnits }) => ({
        service,
        command,
        tally: { calls, itemsWritten, keysRead, writeUnits, readUnits },
      }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.command.localeCompare(b.command));
  }

  /** Counts of what happens inside `action` only. */
  async measure(action: () => Promise<unknown>): Promise<CallRecord[]> {
    this.reset();
    await action();
    return this.records();
  }

  reset(): void {
    this.tallies.clear();
  }
}

/** The totals a round is judged by. */
export interface CallSummary {
  readonly dynamodbWriteCalls: number;
  readonly dynamodbItemsWritten: number;
  readonly dynamodbReadCalls: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly scans: number;
  readonly snsPublishes: number;
  readonly route53Calls: number;
  readonly route53Changes: number;
  readonly total: number;
}

export const summarize = (records: readonly CallRecord[]): CallSummary => {
  const sum = (filter: (record: CallRecord) => boolean, pick: (record: CallRecord) => number) =>
    records.filter(filter).reduce((total, record) => total + pick(record), 0);
  const dynamodb = (commands: readonly string[]) => (record: CallRecord) =>
    record.service === 'DynamoDB' && commands.includes(record.command);
  return {
    dynamodbWriteCalls: sum(dynamodb(DYNAMODB_WRITE_COMMANDS), (record) => record.tally.calls),
    dynamodbItemsWritten: sum(dynamodb(DYNAMODB_WRITE_COMMANDS), (record) => record.tally.itemsWritten),
    dynamodbReadCalls: sum(dynamodb(DYNAMODB_READ_COMMANDS), (record) => record.tally.calls),
    writeUnits: sum(dynamodb(DYNAMODB_WRITE_COMMANDS), (record) => record.tally.writeUnits),
    readUnits: sum(dynamodb(DYNAMODB_READ_COMMANDS), (record) => record.tally.readUnits),
    scans: sum(dynamodb(['Scan']), (record) => record.tally.calls),
    snsPublishes: sum(
      (record) => record.service === 'SNS' && (record.command === 'Publish' || record.command === 'PublishBatch'),
      (record) => record.tally.calls,
    ),
    route53Calls: sum(
      (record) => record.service === 'Route53',
      (record) => record.tally.calls,
    ),
    route53Changes: sum(
      (record) => record.service === 'Route53' && record.command === 'ChangeResourceRecordSets',
      (record) => record.tally.calls,
    ),
    total: sum(
      () => true,
      (record) => record.tally.calls,
    ),
  };
};
