// The sequence source's contract: every SequenceSource (in memory, in a file, DynamoDB on moto)
// must behave exactly like this. `reopen` gives a second source over the same durable storage, as
// the next invocation or run would see it; a source kept only in memory reopens as itself.
import { describe, expect, it } from 'vitest';
import type { SequenceSource } from '../../lambdas/ports.ts';

export interface SequenceSourceUnderTest {
  source: SequenceSource;
  reopen: () => SequenceSource;
}

export const sequenceSourceContract = (name: string, setup: () => Promise<SequenceSourceUnderTest>): void => {
  describe(`SequenceSource contract: ${name}`, () => {
    it('starts a stream at 1 and moves on only when a number is committed', async () => {
      const { source } = await setup();
      expect(await source.peek('s')).toBe(1);
      expect(await source.peek('s')).toBe(1);
      await source.commit('s', 1);
      expect(await source.peek('s')).toBe(2);
    });

    it('never moves backwards: a late or repeated commit is a no-op', async () => {
      const { source } = await setup();
      await source.commit('s', 5);
      await source.commit('s', 3);
      await source.commit('s', 5);
      expect(await source.peek('s')).toBe(6);
    });

    it('keeps streams apart', async () => {
      const { source } = await setup();
      await source.commit('a', 9);
      expect([await source.peek('a'), await source.peek('b')]).toEqual([10, 1]);
    });

    it('continues the count in the next invocation', async () => {
      const { source, reopen } = await setup();
      await source.commit('hcguard-probe-primary', 41);
      expect(await reopen().peek('hcguard-probe-primary')).toBe(42);
    });

    it('keeps the stream epoch of the last commit, next to the number, across invocations', async () => {
      const { source, reopen } = await setup();
      expect(await source.position('e')).toEqual({ next: 1 });
      await source.commit('e', 1, undefined, 'epoch-a');
      expect(await source.position('e')).toEqual({ next: 2, epoch: 'epoch-a' });
      await source.commit('e', 2, undefined, 'epoch-b');
      expect(await reopen().position('e')).toEqual({ next: 3, epoch: 'epoch-b' });
    });

    it('a late commit moves neither the number nor the epoch back', async () => {
      const { source } = await setup();
      await source.commit('late', 5, undefined, 'new');
      await source.commit('late', 4, undefined, 'old');
      expect(await source.position('late')).toEqual({ next: 6, epoch: 'new' });
    });

    it('a commit without an epoch keeps the number going (probes that read no epoch)', async () => {
      const { source } = await setup();
      await source.commit('plain', 3);
      expect(await source.position('plain')).toEqual({ next: 4 });
    });

    it('lets racing commits settle on the highest number', async () => {
      const { source } = await setup();
      await Promise.all([3, 7, 5, 7, 1].map((sequence) => source.commit('race', sequence)));
      expect(await source.peek('race')).toBe(8);
    });
  });
};
