// moto (5.2.1) snapshots a table with copy.deepcopy at the start of TransactWriteItems; a write
// to the same table from another request thread during the copy makes it fail with
// "RuntimeError: dictionary changed size during iteration" (an HTML 500 page to the SDK). A round
// writes its results (BatchWriteItem) while it saves the targets (TransactWriteItems), so on
// moto the save fails now and then, and every round at 300 probes. DynamoDB has no such limit:
// the bench's clients let a transaction wait for the writes in flight and hold new writes
// until it is done. Calls are neither added nor removed, so the counts stay what hcguard sends.

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Orders writes around transactions: a transaction runs alone among writes; reads pass freely. */
export const createWriteGate = () => {
  let transaction: Promise<unknown> = Promise.resolve();
  const writes = new Set<Promise<unknown>>();
  return async <T>(command: string, send: () => Promise<T>): Promise<T> => {
    if (!WRITES.has(command)) return send();
    if (command === 'TransactWriteItems') {
      const previous = transaction;
      const pending = [...writes];
      const run = (async () => {
        await previous;
        await Promise.allSettled(pending);
        return send();
      })();
      transaction = run.catch(() => undefined);
      return run;
    }
    await transaction;
    const run = send();
    const tracked = run.catch(() => undefined);
    writes.add(tracked);
    void tracked.finally(() => writes.delete(tracked));
    return run;
  };
};

interface MiddlewareStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override?: boolean },
  ): void;
}

/** Applies the gate to one DynamoDB client (each testbed has its own table and client). */
export const gateMotoTransactions = (client: { readonly middlewareStack: object }): void => {
  const gate = createWriteGate();
  (client.middlewareStack as MiddlewareStack).add(
    (next, context) => (args) => gate((context.commandName ?? '').replace(/Command$/, ''), () => next(args)),
    { step: 'initialize', name: 'hcguardBenchMotoWriteGate', override: true },
  );
};
