// Sequence numbers kept in memory: for one process (the CLI's `probe --once`, tests). They do
// not survive a restart; the probe Lambda uses the DynamoDB source instead.
import type { SequenceSource } from '../../ports.ts';

export const createMemorySequenceSource = (
  initial: Readonly<Record<string, number>> = {},
): SequenceSource & { snapshot(): Record<string, number> } => {
  const committed = new Map(Object.entries(initial));
  return {
    peek: async (stream) => (committed.get(stream) ?? 0) + 1,
    commit: async (stream, sequence) => {
      if (sequence > (committed.get(stream) ?? 0)) committed.set(stream, sequence);
    },
    snapshot: () => Object.fromEntries(committed),
  };
};
