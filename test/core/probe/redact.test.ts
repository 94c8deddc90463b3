import { describe, expect, it } from 'vitest';
import { createRedactor, shortHash } from '../../../lambdas/core/probe/redact.ts';

describe('redaction', () => {
  it('hashes a value to h: and 8 hex digits of its SHA-256', () => {
    expect(shortHash('abc')).toBe('h:ba7816bf');
  });

  it('replaces every occurrence of every sensitive value, longest first', () => {
    const redactor = createRedactor(['s3cret-key', 's3cret-key-long', 'SYN-0123']);
    expect(redactor.text('key s3cret-key-long and s3cret-key twice: s3cret-key; subject SYN-0123')).toBe(
      `key ${shortHash('s3cret-key-long')} and ${shortHash('s3cret-key')} twice: ` +
        `${shortHash('s3cret-key')}; subject ${shortHash('SYN-0123')}`,
    );
  });

  it('leaves values too short to be meaningful alone', () => {
    expect(createRedactor(['ab', '', 7]).text('ab 7')).toBe('ab 7');
  });

  it('hashes a whole value as its JSON text', () => {
    expect(createRedactor([]).whole({ a: 1 })).toBe(shortHash('{"a":1}'));
    expect(createRedactor([]).whole('text')).toBe(shortHash('text'));
  });
});
