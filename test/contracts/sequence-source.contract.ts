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

    it('lets racing commits settle on the highest number', async () => {
      const { source } = await setup();
      await Promise.all([3, 7, 5, 7, 1].map((sequence) => source.commit('race', sequence)));
      expect(await source.peek('race')).toBe(8);
    });
  });
};
