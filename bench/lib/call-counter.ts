// Counts the AWS API calls hcguard makes, per client and command, through an SDK middleware:
// whatever adapter issues a command, it is counted where it leaves for the wire. Used by the
// "AWS calls per round" benchmark to show what a round costs and that it never Scans.
import type { AwsClients } from '../../lambdas/app/aws-clients.ts';

/** What one command asked DynamoDB to touch, for capacity: items written or read. */
export interface CallTally {
  readonly calls: number;
  /** Items written (Put/Update/Delete = 1; BatchWriteItem and TransactWriteItems = their requests). */
  readonly itemsWritten: number;
  /** Keys asked for by GetItem/BatchGetItem/TransactGetItems (Query and Scan read ranges: 0). */
  readonly keysRead: number;
}

/** `service` is the client's name without "Client" (DynamoDB, SNS, Route53, SQS); `command` without "Command". */
export interface CallRecord {
  readonly service: string;
  readonly command: string;
  readonly tally: CallTally;
}

export const DYNAMODB_WRITE_COMMANDS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;
export const DYNAMODB_READ_COMMANDS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'] as const;

interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

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
      return { itemsWritten: Object.values((fields.RequestItems ?? {}) as Record<string, unknown>).reduce<number>((sum, requests) => sum + arrayLength(requests), 0), keysRead: 0 };
    case 'TransactWriteItems':
      return { itemsWritten: arrayLength(fields.TransactItems), keysRead: 0 };
    case 'GetItem':
      return { itemsWritten: 0, keysRead: 1 };
    case 'BatchGetItem':
      return { itemsWritten: 0, keysRead: Object.values((fields.RequestItems ?? {}) as Record<string, { Keys?: unknown }>).reduce<number>((sum, request) => sum + arrayLength(request?.Keys), 0) };
    case 'TransactGetItems':
      return { itemsWritten: 0, keysRead: arrayLength(fields.TransactItems) };
    default:
      return { itemsWritten: 0, keysRead: 0 };
  }
};

export class CallCounter {
  private readonly tallies = new Map<string, { service: string; command: string; calls: number; itemsWritten: number; keysRead: number }>();

  /** Counts every command sent through these clients from now on (a client is counted once). */
  attach(...clients: readonly object[]): this {
    for (const client of clients) {
      (client as MiddlewareClient).middlewareStack.add(
        (next, context) => async (args) => {
          this.record((context.clientName ?? 'Unknown').replace(/Client$/, ''), (context.commandName ?? 'Unknown').replace(/Command$/, ''), args.input);
          return next(args);
        },
        { step: 'initialize', name: 'hcguardBenchCallCounter', override: true },
      );
    }
    return this;
  }

  attachAll(clients: AwsClients): this {
    return this.attach(clients.dynamodb, clients.sns, clients.route53);
  }

  record(service: string, command: string, input: unknown): void {
    const key = `${service} ${command}`;
    const tally = this.tallies.get(key) ?? { service, command, calls: 0, itemsWritten: 0, keysRead: 0 };
    const items = service === 'DynamoDB' ? itemsOf(command, input) : { itemsWritten: 0, keysRead: 0 };
    tally.calls += 1;
    tally.itemsWritten += items.itemsWritten;
    tally.keysRead += items.keysRead;
    this.tallies.set(key, tally);
  }

  /** Every command counted so far, sorted by service then command. */
  records(): CallRecord[] {
    return [...this.tallies.values()]
      .map(({ service, command, calls, itemsWritten, keysRead }) => ({ service, command, tally: { calls, itemsWritten, keysRead } }))
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
  readonly scans: number;
  readonly snsPublishes: number;
  readonly route53Calls: number;
  readonly route53Changes: number;
  readonly total: number;
}

export const summarize = (records: readonly CallRecord[]): CallSummary => {
  const sum = (filter: (record: CallRecord) => boolean, pick: (record: CallRecord) => number) =>
    records.filter(filter).reduce((total, record) => total + pick(record), 0);
  const dynamodb = (commands: readonly string[]) => (record: CallRecord) => record.service === 'DynamoDB' && commands.includes(record.command);
  return {
    dynamodbWriteCalls: sum(dynamodb(DYNAMODB_WRITE_COMMANDS), (record) => record.tally.calls),
    dynamodbItemsWritten: sum(dynamodb(DYNAMODB_WRITE_COMMANDS), (record) => record.tally.itemsWritten),
    dynamodbReadCalls: sum(dynamodb(DYNAMODB_READ_COMMANDS), (record) => record.tally.calls),
    scans: sum(dynamodb(['Scan']), (record) => record.tally.calls),
    snsPublishes: sum((record) => record.service === 'SNS' && (record.command === 'Publish' || record.command === 'PublishBatch'), (record) => record.tally.calls),
    route53Calls: sum((record) => record.service === 'Route53', (record) => record.tally.calls),
    route53Changes: sum((record) => record.service === 'Route53' && record.command === 'ChangeResourceRecordSets', (record) => record.tally.calls),
    total: sum(() => true, (record) => record.tally.calls),
  };
};
