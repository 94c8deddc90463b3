// Sequence numbers kept in a small JSON file (the CLI's `.hcguard/probe-sequences.json`), so
// `hcguard probe --once` run again and again continues each stream where the last run stopped:
// loss checks then span runs, as they span rounds in the Lambda. Keys carry a namespace (which
// platform), so two sandboxes on different addresses never share a counter.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SequenceSource } from '../../ports.ts';

const read = (path: string): Record<string, number> => {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && (entry[1] as number) >= 0,
      ),
    );
  } catch {
    // An unreadable file starts the counters again: at worst one round reports a gap.
    return {};
  }
};

export const createFileSequenceSource = (path: string, namespace: string): SequenceSource => {
  const key = (stream: string) => `${namespace}|${stream}`;
  return {
    peek: async (stream) => (read(path)[key(stream)] ?? 0) + 1,
    commit: async (stream, sequence) => {
      const counters = read(path);
      if ((counters[key(stream)] ?? 0) >= sequence) return;
      counters[key(stream)] = sequence;
      mkdirSync(dirname(path), { recursive: true });
      // Write then rename: a crash mid-write never leaves half a file.
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(counters, null, 2)}\n`);
      renameSync(temporary, path);
    },
  };
};
