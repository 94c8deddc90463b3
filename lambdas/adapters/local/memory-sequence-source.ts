// Sequence numbers kept in memory: for one process (the CLI's `probe --once`, tests). They do
// not survive a restart; the probe Lambda uses the DynamoDB source instead.
import type { SequenceSource } from '../../ports.ts';

export const createMemorySequenceSource = (
  initial: Readonly<Record<string, number>> = {},
): SequenceSource & { snapshot(): Record<string, number> } => {
  const committed = new Map(Object.entries(initial));
  const epochs = new Map<string, string>();
  return {
    peek: async (stream) => (committed.get(stream) ?? 0) + 1,
    position: async (stream) => {
      const epoch = epochs.get(stream);
      return { next: (committed.get(stream) ?? 0) + 1, ...(epoch === undefined ? {} : { epoch }) };
    },
    commit: async (stream, sequence, _signal, epoch) => {
      if (sequence <= (committed.get(stream) ?? 0)) return;
      committed.set(stream, sequence);
      if (epoch !== undefined) epochs.set(stream, epoch);
    },
    snapshot: () => Object.fromEntries(committed),
  };
};
