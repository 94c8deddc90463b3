// The functions a probe template may call (docs/probes.md lists each with an example). They are
// pure apart from TemplateRuntime (clock and randomness), never touch the network, and throw
// TemplateError for a wrong argument, so a bad call fails the step that needed it, with its name.
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, TemplateError, text, type TemplateRuntime } from './template-values.ts';

export type TemplateFunction = (args: readonly unknown[], runtime: TemplateRuntime) => unknown;

const arity = (name: string, args: readonly unknown[], min: number, max = min): void => {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw new TemplateError(`${name}() takes ${wanted} argument(s), got ${args.length}`);
  }
};

/** Changes one character in the middle of a value, staying inside its alphabet: a forged copy. */
export const corrupt = (value: string): string => {
  if (value.length === 0) throw new TemplateError('corrupt() needs a non-empty value');
  const alphabets = ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz', '0123456789'];
  const middle = Math.floor(value.length / 2);
  for (let offset = 0; offset < value.length; offset++) {
    const index = (middle + offset) % value.length;
    const char = value.charAt(index);
    const alphabet = alphabets.find((candidate) => candidate.includes(char));
    if (alphabet) {
      const replacement = alphabet.charAt((alphabet.indexOf(char) + 1) % alphabet.length);
      return value.slice(0, index) + replacement + value.slice(index + 1);
    }
  }
  throw new TemplateError('corrupt() needs a value with at least one letter or digit');
};

/** Digest algorithms for hash() and hmac(); sm3 is GB/T 32905 (OpenSSL's sm3). */
export const HASH_ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'sm3'] as const;
/** How binary results are written as text, and how binary inputs are read. */
export const ENCODINGS = ['hex', 'base64', 'base64url'] as const;
type Encoding = (typeof ENCODINGS)[number];
const KEY_ENCODINGS = ['utf8', ...ENCODINGS] as const;

const choice = <T extends string>(value: unknown, allowed: readonly T[], what: string, fallback: T): T => {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value.toLowerCase()))
    return value.toLowerCase() as T;
  throw new TemplateError(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
};

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Bytes from text in an encoding; Buffer.from ignores bad characters, so they are refused here first. */
const bytesFrom = (value: string, encoding: Encoding | 'utf8', what: string): Buffer => {
  const valid =
    encoding === 'utf8' ||
    (encoding === 'hex' && HEX.test(value)) ||
    (encoding === 'base64' && BASE64.test(value) && value.length % 4 !== 1) ||
    (encoding === 'base64url' && BASE64URL.test(value) && value.length % 4 !== 1);
  if (!valid) throw new TemplateError(`${what} is not valid ${encoding}`);
  return Buffer.from(value, encoding);
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const textFrom = (bytes: Buffer, what: string): string => {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TemplateError(`${what} does not decode to UTF-8 text (keep it encoded, e.g. as hex)`);
  }
};

const digest = (name: string, args: readonly unknown[], algorithm: string, encoding: Encoding): string =>
  createHash(algorithm)
    .update(text(args[0], `${name}() argument`), 'utf8')
    .digest(encoding);

const hmacBytes = (args: readonly unknown[]): { mac: Buffer; encoding: Encoding } => {
  arity('hmac', args, 2, 5);
  const algorithm = choice(args[2], HASH_ALGORITHMS, 'hmac() algorithm', 'sha256');
  const encoding = choice(args[3], ENCODINGS, 'hmac() output encoding', 'hex');
  const keyEncoding = choice(args[4], KEY_ENCODINGS, 'hmac() key encoding', 'utf8');
  const key = bytesFrom(text(args[0], 'hmac() key'), keyEncoding, 'hmac() key');
  const mac = createHmac(algorithm, key).update(text(args[1], 'hmac() message'), 'utf8').digest();
  return { mac, encoding };
};

const number = (value: unknown, what: string): number => {
  const parsed = typeof value === 'number' ? value : Number(text(value, what));
  if (!Number.isFinite(parsed)) throw new TemplateError(`${what} must be a number, got ${JSON.stringify(value)}`);
  return parsed;
};

/** A property of a computed value (a decoded payload): get(value, 'a', 'b') is value.a.b. */
const property = (args: readonly unknown[]): unknown => {
  if (args.length < 2) throw new TemplateError('get() takes a value and at least one key');
  let value = args[0];
  for (const key of args.slice(1)) {
    const name = text(key, 'get() key');
    const index = Array.isArray(value) && /^\d+$/.test(name) ? Number(name) : undefined;
    if (index !== undefined && Array.isArray(value) && index < value.length) value = value[index];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, name))
      value = (value as Record<string, unknown>)[name];
    else throw new TemplateError(`get(): the value has no "${name}"`);
  }
  return value;
};

const parseJson = (source: string, what: string): unknown => {
  try {
    return JSON.parse(source);
  } catch {
    // The text may be a secret or personal data, so the message never quotes it.
    throw new TemplateError(`${what} is not valid JSON`);
  }
};

/** The segments of a compact token (JWS/JWT `h.p.s`, or `PREFIX:payload.mac`). */
const segments = (token: unknown, what: string): string[] => {
  const parts = text(token, what).split('.');
  if (parts.length < 2) throw new TemplateError(`${what} must have segments separated by "."`);
  return parts;
};

/** The JSON payload of a token: JWS/JWT's middle segment, or a two-segment `[PREFIX:]payload.mac`. */
const tokenPayload = (token: unknown): unknown => {
  const parts = segments(token, 'tokenPayload() argument');
  const raw = parts.length >= 3 ? (parts[1] as string) : (parts[0] as string).replace(/^[A-Za-z0-9]+:/, '');
  const json = textFrom(bytesFrom(raw, 'base64url', 'the token payload'), 'the token payload');
  return parseJson(json, 'the token payload');
};

/** True when the token's last segment is the base64url HMAC of everything before the last dot. */
const tokenMacValid = (args: readonly unknown[]): boolean => {
  arity('tokenMacValid', args, 2, 4);
  const token = text(args[0], 'tokenMacValid() token');
  const dot = token.lastIndexOf('.');
  if (dot <= 0) throw new TemplateError('tokenMacValid() token must end in ".<mac>"');
  const { mac } = hmacBytes([args[1], token.slice(0, dot), args[2] ?? 'sha256', 'base64url', args[3] ?? 'utf8']);
  const given = token.slice(dot + 1);
  if (!BASE64URL.test(given)) return false;
  const expected = Buffer.from(given, 'base64url');
  return expected.length === mac.length && timingSafeEqual(expected, mac);
};

const SM4_KEY_BYTES = 16;
const sm4Parts = (name: string, args: readonly unknown[]): { key: Buffer; iv: Buffer | null } => {
  const key = bytesFrom(text(args[0], `${name}() key`), 'hex', `${name}() key`);
  if (key.length !== SM4_KEY_BYTES) throw new TemplateError(`${name}() key must be 16 bytes (32 hex characters)`);
  if (args[3] === undefined) return { key, iv: null };
  const iv = bytesFrom(text(args[3], `${name}() iv`), 'hex', `${name}() iv`);
  if (iv.length !== SM4_KEY_BYTES) throw new TemplateError(`${name}() iv must be 16 bytes (32 hex characters)`);
  return { key, iv };
};

/** SM4 (GB/T 32907) with PKCS#7 padding: ECB without an iv, CBC with one. */
export const sm4EncryptBytes = (key: Buffer, iv: Buffer | null, plain: Buffer): Buffer => {
  const cipher = createCipheriv(iv ? 'sm4-cbc' : 'sm4-ecb', key, iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
};

const sm4Encrypt = (args: readonly unknown[]): string => {
  arity('sm4Encrypt', args, 2, 4);
  const { key, iv } = sm4Parts('sm4Encrypt', args);
  const encoding = choice(args[2], ENCODINGS, 'sm4Encrypt() output encoding', 'base64');
  return sm4EncryptBytes(key, iv, Buffer.from(text(args[1], 'sm4Encrypt() plaintext'), 'utf8')).toString(encoding);
};

const sm4Decrypt = (args: readonly unknown[]): string => {
  arity('sm4Decrypt', args, 2, 4);
  const { key, iv } = sm4Parts('sm4Decrypt', args);
  const encoding = choice(args[2], ENCODINGS, 'sm4Decrypt() input encoding', 'base64');
  const input = bytesFrom(text(args[1], 'sm4Decrypt() ciphertext'), encoding, 'sm4Decrypt() ciphertext');
  const decipher = createDecipheriv(iv ? 'sm4-cbc' : 'sm4-ecb', key, iv);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(input), decipher.final()]);
  } catch {
    throw new TemplateError('sm4Decrypt(): wrong key, iv or padding');
  }
  return textFrom(plain, 'sm4Decrypt() result');
};

/** `k1=v1&k2=v2` with keys in code-point order: the string many platforms sign. */
const sortedParams = (args: readonly unknown[]): string => {
  arity('sortedParams', args, 1);
  const value = args[0];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TemplateError('sortedParams() needs an object');
  return Object.keys(value)
    .sort()
    .map((key) => `${key}=${text((value as Record<string, unknown>)[key], `sortedParams() value ${key}`)}`)
    .join('&');
};

export const FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  uuid: (args, runtime) => (arity('uuid', args, 0), runtime.uuid()),
  nonce: (args, runtime) => (arity('nonce', args, 0), runtime.nonce()),
  now: (args, runtime) => (arity('now', args, 0), runtime.now().toISOString()),
  /** Seconds since the epoch, for platforms that want a numeric timestamp. */
  epochSeconds: (args, runtime) => (arity('epochSeconds', args, 0), Math.floor(runtime.now().getTime() / 1000)),
  epochMillis: (args, runtime) => (arity('epochMillis', args, 0), runtime.now().getTime()),
  sha256: (args) => (
    arity('sha256', args, 1, 2),
    digest('sha256', args, 'sha256', choice(args[1], ENCODINGS, 'sha256() encoding', 'hex'))
  ),
  sm3: (args) => (
    arity('sm3', args, 1, 2),
    digest('sm3', args, 'sm3', choice(args[1], ENCODINGS, 'sm3() encoding', 'hex'))
  ),
  hash: (args) => {
    arity('hash', args, 2, 3);
    const algorithm = choice(args[0], HASH_ALGORITHMS, 'hash() algorithm', 'sha256');
    return digest('hash', args.slice(1), algorithm, choice(args[2], ENCODINGS, 'hash() encoding', 'hex'));
  },
  hmac: (args) => {
    const { mac, encoding } = hmacBytes(args);
    return mac.toString(encoding);
  },
  base64: (args) => (
    arity('base64', args, 1),
    Buffer.from(text(args[0], 'base64() argument'), 'utf8').toString('base64')
  ),
  base64url: (args) => (
    arity('base64url', args, 1),
    Buffer.from(text(args[0], 'base64url() argument'), 'utf8').toString('base64url')
  ),
  hex: (args) => (arity('hex', args, 1), Buffer.from(text(args[0], 'hex() argument'), 'utf8').toString('hex')),
  /** decode(value, 'base64' | 'base64url' | 'hex'): the UTF-8 text the bytes hold. */
  decode: (args) => {
    arity('decode', args, 2);
    const encoding = choice(args[1], ENCODINGS, 'decode() encoding', 'base64');
    return textFrom(bytesFrom(text(args[0], 'decode() argument'), encoding, 'decode() argument'), 'decode() argument');
  },
  concat: (args) => args.map((arg, index) => text(arg, `concat() argument ${index + 1}`)).join(''),
  add: (args) => {
    arity('add', args, 2);
    return number(args[0], 'add() argument') + number(args[1], 'add() argument');
  },
  number: (args) => (arity('number', args, 1), number(args[0], 'number() argument')),
  upper: (args) => (arity('upper', args, 1), text(args[0], 'upper() argument').toUpperCase()),
  lower: (args) => (arity('lower', args, 1), text(args[0], 'lower() argument').toLowerCase()),
  length: (args) => {
    arity('length', args, 1);
    return Array.isArray(args[0]) ? args[0].length : [...text(args[0], 'length() argument')].length;
  },
  split: (args) => {
    arity('split', args, 3);
    const parts = text(args[0], 'split() argument').split(text(args[1], 'split() separator'));
    const index = number(args[2], 'split() index');
    const part = parts.at(index);
    if (!Number.isInteger(index) || part === undefined)
      throw new TemplateError(`split(): there is no part ${index} (${parts.length} parts)`);
    return part;
  },
  get: property,
  corrupt: (args) => (arity('corrupt', args, 1), corrupt(text(args[0], 'corrupt() argument'))),
  /** Canonical JSON: keys sorted, so equal values hash the same whoever built them. */
  json: (args) => (arity('json', args, 1), canonicalJson(args[0])),
  /** JSON exactly as written: keys in the order they were given (what most platforms sign). */
  rawJson: (args) => (arity('rawJson', args, 1), JSON.stringify(args[0] ?? null)),
  parseJson: (args) => (
    arity('parseJson', args, 1),
    parseJson(text(args[0], 'parseJson() argument'), 'parseJson() argument')
  ),
  sortedParams,
  tokenPayload: (args) => (arity('tokenPayload', args, 1), tokenPayload(args[0])),
  tokenMacValid,
  sm4Encrypt,
  sm4Decrypt,
  /** For values inside a URL path or query string. */
  urlencode: (args) => (arity('urlencode', args, 1), encodeURIComponent(text(args[0], 'urlencode() argument'))),
};
