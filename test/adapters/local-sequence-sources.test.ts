import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSequenceSource } from '../../lambdas/adapters/local/file-sequence-source.ts';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { sequenceSourceContract } from '../contracts/sequence-source.contract.ts';

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'hcguard-seq-')), '.hcguard', 'probe-sequences.json');

sequenceSourceContract('in memory', async () => {
  const source = createMemorySequenceSource();
  return { source, reopen: () => source };
});

sequenceSourceContract('in a file', async () => {
  const path = fileIn();
  return {
    source: createFileSequenceSource(path, 'sandbox-a'),
    reopen: () => createFileSequenceSource(path, 'sandbox-a'),
  };
});

describe('the file sequence source', () => {
  it('keeps one counter per platform in one file', async () => {
    const path = fileIn();
    await createFileSequenceSource(path, 'sandbox-a').commit('hcguard-probe-primary', 7);
    expect(await createFileSequenceSource(path, 'sandbox-a').peek('hcguard-probe-primary')).toBe(8);
    expect(await createFileSequenceSource(path, 'sandbox-b').peek('hcguard-probe-primary')).toBe(1);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'sandbox-a|hcguard-probe-primary': 7 });
  });

  it('starts again from an unreadable file instead of failing', async () => {
    const path = fileIn();
    await createFileSequenceSource(path, 'a').commit('s', 3);
    writeFileSync(path, '{ not json');
    const source = createFileSequenceSource(path, 'a');
    expect(await source.peek('s')).toBe(1);
    await source.commit('s', 1);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'a|s': 1 });
  });
});
