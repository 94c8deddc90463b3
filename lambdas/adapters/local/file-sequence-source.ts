// Sequence numbers kept in a small JSON file (the CLI's `.hcguard/probe-sequences.json`), so
// `hcguard probe --once` run again and again continues each stream where the last run stopped:
// loss checks then span runs, as they span rounds in the Lambda. Keys carry a namespace (which
// platform), so two sandboxes on different addresses never share a counter.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SequenceSource } from '../../ports.ts';

// A counter is its last number, or { last, epoch } once a platform epoch was seen with it.
type Counter = number | { readonly last: number; readonly epoch: string };
const lastOf = (counter: Counter | undefined): number =>
  counter === undefined ? 0 : typeof counter === 'number' ? counter : counter.last;
const validCounter = (value: unknown): value is Counter =>
  (Number.isSafeInteger(value) && (value as number) >= 0) ||
  (value !== null &&
    typeof value === 'object' &&
    Number.isSafeInteger((value as { last?: unknown }).last) &&
    typeof (value as { epoch?: unknown }).epoch === 'string');

const read = (path: string): Record<string, Counter> => {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, Counter] => validCounter(entry[1])),
    );
  } catch {
    // An unreadable file starts the counters again: at worst one round reports a gap.
    return {};
  }
};

export const createFileSequenceSource = (path: string, namespace: string): SequenceSource => {
  const key = (stream: string) => `${namespace}|${stream}`;
  return {
    peek: async (stream) => lastOf(read(path)[key(stream)]) + 1,
    position: async (stream) => {
      const counter = read(path)[key(stream)];
      return {
        next: lastOf(counter) + 1,
        ...(typeof counter === 'object' ? { epoch: counter.epoch } : {}),
      };
    },
    commit: async (stream, sequence, _signal, epoch) => {
      const counters = read(path);
      if (lastOf(counters[key(stream)]) >= sequence) return;
      counters[key(stream)] = epoch === undefined ? sequence : { last: sequence, epoch };
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename: a crash mid-write never leaves half a file.
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(counters, null, 2)}\n`);
      renameSync(temporary, path);
    },
  };
};
