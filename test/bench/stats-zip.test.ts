import { inflateRawSync, crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../bench/lib/stats.ts';
import { zip } from '../../bench/lib/zip.ts';

describe('percentile (nearest rank)', () => {
  it.each([
    [[5], 50, 5],
    [[5], 95, 5],
    [[3, 1, 2], 50, 2],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 75, 3],
    [[1, 2, 3, 4], 100, 4],
    [Array.from({ length: 20 }, (_, index) => index + 1), 95, 19],
    [Array.from({ length: 20 }, (_, index) => index + 1), 50, 10],
    [[10, 1], 0, 1],
  ])('of %j at p%i is %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('refuses an empty sample or a p outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(/empty sample/);
    expect(() => percentile([1], 101)).toThrow(/between 0 and 100/);
  });
});

describe('median', () => {
  it.each([
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('of %j is %d', (values, expected) => expect(median(values)).toBe(expected));
});

/** Reads a ZIP back from its central directory, checking each entry's CRC. */
const unzip = (archive: Buffer): Record<string, Buffer> => {
  const end = archive.length - 22;
  expect(archive.readUInt32LE(end)).toBe(0x06054b50);
  const count = archive.readUInt16LE(end + 10);
  let cursor = archive.readUInt32LE(end + 16);
  const files: Record<string, Buffer> = {};
  for (let index = 0; index < count; index++) {
    expect(archive.readUInt32LE(cursor)).toBe(0x02014b50);
    const checksum = archive.readUInt32LE(cursor + 16);
    const compressedSize = archive.readUInt32LE(cursor + 20);
    const nameLength = archive.readUInt16LE(cursor + 28);
    const localOffset = archive.readUInt32LE(cursor + 42);
    const name = archive.subarray(cursor + 46, cursor + 46 + nameLength).toString('utf8');
    expect(archive.readUInt32LE(localOffset)).toBe(0x04034b50);
    const dataStart =
      localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
    const data = inflateRawSync(archive.subarray(dataStart, dataStart + compressedSize));
    expect(crc32(data)).toBe(checksum);
    files[name] = data;
    cursor += 46 + nameLength;
  }
  return files;
};

describe('zip', () => {
  it('writes entries that read back byte for byte, compressed', () => {
    const text = Buffer.from('export const handler = () => "ok";\n'.repeat(500));
    const binary = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    const archive = zip([
      { name: 'index.mjs', data: text },
      { name: 'lib/data.bin', data: binary },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    expect(unzip(archive)).toEqual({ 'index.mjs': text, 'lib/data.bin': binary, 'empty.txt': Buffer.alloc(0) });
    expect(archive.length).toBeLessThan(text.length / 10);
  });
});
