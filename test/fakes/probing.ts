// Fakes for the probing ports: sequence sources that fail on purpose.
import type { SequenceSource } from '../../lambdas/ports.ts';

/** A sequence source whose reads or commits fail with the given error (e.g. a throttled table). */
export const failingSequenceSource = (failing: { peek?: Error; commit?: Error }, next = 1): SequenceSource => ({
  peek: async () => {
    if (failing.peek) throw failing.peek;
    return next;
  },
  position: async () => {
    if (failing.peek) throw failing.peek;
    return { next };
  },
  commit: async () => {
    if (failing.commit) throw failing.commit;
  },
});
