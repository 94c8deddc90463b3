import { describe, expect, it } from 'vitest';
import { FUNCTIONS, sm4EncryptBytes } from '../../../lambdas/core/probe/functions.ts';
import { renderString, TemplateError, type TemplateRuntime } from '../../../lambdas/core/probe/template.ts';

const runtime: TemplateRuntime = {
  now: () => new Date('2026-11-26T08:00:00.123Z'),
  uuid: () => '00000000-0000-4000-8000-000000000001',
  nonce: () => '0123456789abcdef',
};

// RFC 7515 appendix A.1: a JWS signed with HMAC SHA-256, and its key (a base64url JWK "k").
const RFC7515_TOKEN =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC7515_KEY = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
const SM4_KEY = '0123456789abcdeffedcba9876543210';

const scope = {
  token: RFC7515_TOKEN,
  jwk: RFC7515_KEY,
  sm4Key: SM4_KEY,
  params: { timestamp: 1795680000, appId: 'hc-app', nonce: 'n1' },
  ordered: { b: 1, a: [2, { d: 4, c: 3 }] },
  hc1: `HC1:${Buffer.from('{"sub":"SYN-1","exp":1795680600}').toString('base64url')}.mac`,
  list: ['x', 'y', 'z'],
  nested: { a: { b: [5, 6] } },
  chinese: '健康码',
};

const render = (source: string): unknown => renderString(`{{ ${source} }}`, scope, runtime);

describe('template functions, row by row', () => {
  it.each([
    // Time
    ['epochSeconds()', 1795680000],
    ['epochMillis()', 1795680000123],
    // Hashes: SM3 against GB/T 32905's two published examples, the others against their standards' vectors.
    ["sm3('abc')", '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'],
    [`sm3('${'abcd'.repeat(16)}')`, 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732'],
    ["hash('sm3', 'abc')", '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'],
    ["hash('md5', 'abc')", '900150983cd24fb0d6963f7d28e17f72'],
    ["hash('SHA1', 'abc')", 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ["sha256('abc', 'base64')", 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='],
    ["sha256('abc', 'base64url')", 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'],
    ["upper(hash('md5', 'abc'))", '900150983CD24FB0D6963F7D28E17F72'],
    // HMAC: RFC 4231 test case 2, in three output encodings; a key given in base64url.
    [
      "hmac('Jefe', 'what do ya want for nothing?')",
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      "hmac('Jefe', 'what do ya want for nothing?', 'sha256', 'base64')",
      'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=',
    ],
    [
      "hmac('Jefe', 'what do ya want for nothing?', 'sha256', 'base64url')",
      'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM',
    ],
    [
      "hmac('4a656665', 'what do ya want for nothing?', 'sha256', 'hex', 'hex')",
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    ["hmac('Jefe', 'what do ya want for nothing?', 'md5')", '750c783e6ab0b503eaa86e310a5db738'],
    // Encodings in and out, including non-ASCII text.
    ["base64('hello')", 'aGVsbG8='],
    ['base64(chinese)', '5YGl5bq356CB'],
    ["base64url('??>')", 'Pz8-'],
    ["hex('hi')", '6869'],
    ["decode('aGVsbG8=', 'base64')", 'hello'],
    ["decode('Pz8-', 'base64url')", '??>'],
    ["decode('6869', 'hex')", 'hi'],
    ['decode(base64(chinese), "base64")', '健康码'],
    // JSON: canonical and as written.
    ['json(ordered)', '{"a":[2,{"c":3,"d":4}],"b":1}'],
    ['rawJson(ordered)', '{"b":1,"a":[2,{"d":4,"c":3}]}'],
    ['parseJson(\'{"b":1,"a":2}\')', { b: 1, a: 2 }],
    ['sortedParams(params)', 'appId=hc-app&nonce=n1&timestamp=1795680000'],
    // Text and numbers.
    ['length(chinese)', 3],
    ['length(list)', 3],
    ["split('a.b.c', '.', 1)", 'b'],
    ["split('a.b.c', '.', -1)", 'c'],
    ["number('37.8')", 37.8],
    ["add('1', 2)", 3],
    ["lower('ABC')", 'abc'],
    ["get(nested, 'a', 'b', 1)", 6],
    // Tokens: RFC 7515's JWS, and an HC1-style two-segment payload.
    ["get(tokenPayload(token), 'iss')", 'joe'],
    ["get(tokenPayload(token), 'exp')", 1300819380],
    ["tokenMacValid(token, jwk, 'sha256', 'base64url')", true],
    ["tokenMacValid(corrupt(token), jwk, 'sha256', 'base64url')", false],
    ["tokenMacValid(token, 'another key')", false],
    ['tokenPayload(hc1)', { sub: 'SYN-1', exp: 1795680600 }],
    // SM4: a round trip in ECB and in CBC.
    ["sm4Decrypt(sm4Key, sm4Encrypt(sm4Key, '健康码 green'))", '健康码 green'],
    [`sm4Decrypt(sm4Key, sm4Encrypt(sm4Key, 'abc', 'hex', '${'00'.repeat(16)}'), 'hex', '${'00'.repeat(16)}')`, 'abc'],
  ])('%s', (source, expected) => {
    expect(render(source)).toEqual(expected);
  });

  it("SM4 encrypts GB/T 32907's example block: key = plaintext = 0123456789abcdeffedcba9876543210", () => {
    const key = Buffer.from(SM4_KEY, 'hex');
    const cipher = sm4EncryptBytes(key, null, key);
    // The standard's example is one unpadded block; PKCS#7 adds a second block after it.
    expect(cipher.subarray(0, 16).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    expect(cipher.length).toBe(32);
  });

  it('SM4 in ECB and CBC gives different ciphertexts for the same text', () => {
    expect(render("sm4Encrypt(sm4Key, 'abcdefghijklmnopq', 'hex')")).not.toEqual(
      render(`sm4Encrypt(sm4Key, 'abcdefghijklmnopq', 'hex', '${'11'.repeat(16)}')`),
    );
  });

  it.each([
    ["hash('crc32', 'abc')", 'hash() algorithm must be one of md5, sha1, sha256, sha384, sha512, sm3'],
    ["sha256('abc', 'latin1')", 'sha256() encoding must be one of hex, base64, base64url'],
    ["hmac('k')", 'hmac() takes 2 to 5 argument(s), got 1'],
    ["hmac('zz', 'm', 'sha256', 'hex', 'hex')", 'hmac() key is not valid hex'],
    ["decode('a*b', 'base64')", 'decode() argument is not valid base64'],
    ["decode('ff', 'hex')", 'decode() argument does not decode to UTF-8 text'],
    ["parseJson('{not json')", 'parseJson() argument is not valid JSON'],
    ["split('a.b', '.', 5)", 'split(): there is no part 5 (2 parts)'],
    ["get(parseJson('{}'), 'exp')", 'get(): the value has no "exp"'],
    ["tokenPayload('nodots')", 'must have segments separated by "."'],
    ["tokenPayload('a.b!.c')", 'the token payload is not valid base64url'],
    ["sm4Encrypt('00', 'x')", 'sm4Encrypt() key must be 16 bytes'],
    ["sm4Encrypt(sm4Key, 'x', 'base64', '00')", 'sm4Encrypt() iv must be 16 bytes'],
    ["sm4Decrypt(sm4Key, 'AAAAAAAAAAAAAAAAAAAAAA==')", 'sm4Decrypt(): wrong key, iv or padding'],
    ["sortedParams('a')", 'sortedParams() needs an object'],
    ["number('thirty')", 'number() argument must be a number'],
  ])('%s fails with a TemplateError naming the problem', (source, message) => {
    expect(() => render(source)).toThrow(TemplateError);
    expect(() => render(source)).toThrow(message);
  });

  it('never quotes the text it could not parse as JSON (it may be a secret)', () => {
    expect(() => render('parseJson(\'{"secret":\')')).toThrow(/^parseJson\(\) argument is not valid JSON$/);
  });

  it('every function is documented in docs/probes.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const docs = await readFile(new URL('../../../docs/probes.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(FUNCTIONS).filter((name) => !docs.includes(`\`${name}(`));
    expect(undocumented).toEqual([]);
  });
});
