import { describe, expect, it } from 'vitest';
import { createWriteGate } from '../../bench/lib/moto-write-gate.ts';

/** A send that finishes when the test says so, logging when it starts and ends. */
const controllable = (log: string[], name: string) => {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    send: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('createWriteGate', () => {
  it('lets a transaction start only after the writes in flight, and holds new writes until it ends', async () => {
    const gate = createWriteGate();
    const log: string[] = [];
    const batch = controllable(log, 'batch');
    const transaction = controllable(log, 'transaction');
    const put = controllable(log, 'put');
    const query = controllable(log, 'query');

    const batchDone = gate('BatchWriteItem', batch.send);
    await tick();
    const transactionDone = gate('TransactWriteItems', transaction.send);
    await tick();
    const putDone = gate('PutItem', put.send);
    const queryDone = gate('Query', query.send);
    await tick();
    expect(log).toEqual(['start batch', 'start query']);

    batch.finish();
    await tick();
    expect(log).toEqual(['start batch', 'start query', 'end batch', 'start transaction']);

    transaction.finish();
    await tick();
    expect(log.slice(-2)).toEqual(['end transaction', 'start put']);
    put.finish();
    query.finish();
    await expect(Promise.all([batchDone, transactionDone, putDone, queryDone])).resolves.toEqual([
      'batch',
      'transaction',
      'put',
      'query',
    ]);
  });

  it(
    'runs transactions one after another and passes a failed one on to its caller ' + 'without blocking the next',
    async () => {
      const gate = createWriteGate();
      const log: string[] = [];
      const failing = gate('TransactWriteItems', async () => {
        log.push('first');
        throw new Error('conditional check failed');
      });
      const second = gate('TransactWriteItems', async () => {
        log.push('second');
        return 'ok';
      });
      await expect(failing).rejects.toThrow('conditional check failed');
      await expect(second).resolves.toBe('ok');
      expect(log).toEqual(['first', 'second']);
    },
  );
});
