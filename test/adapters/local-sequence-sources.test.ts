import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSequenceSource } from '../../lambdas/adapters/local/file-sequence-source.ts';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import type { SequenceSource } from '../../lambdas/ports.ts';

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'hcguard-seq-')), '.hcguard', 'probe-sequences.json');

describe.each<[string, () => SequenceSource]>([
  ['in memory', () => createMemorySequenceSource()],
  ['in a file', () => createFileSequenceSource(fileIn(), 'sandbox-a')],
])('sequence numbers kept %s', (_, create) => {
  it('start at 1, move on only with a commit, and never move backwards', async () => {
    const source = create();
    expect(await source.peek('s')).toBe(1);
    await source.commit('s', 1);
    await source.commit('s', 4);
    await source.commit('s', 2);
    expect([await source.peek('s'), await source.peek('other')]).toEqual([5, 1]);
  });
});

describe('the file sequence source', () => {
  it('continues where another run stopped, per platform', async () => {
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
