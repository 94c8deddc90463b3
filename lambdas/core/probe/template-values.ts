// What templates compute with: their error type, the runtime they draw randomness and time from,
// and how a value becomes text. Shared by the parser/renderer (./template.ts) and the function
// library (./functions.ts).

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** What `uuid()`, `nonce()` and `now()` draw on; the app passes real ones, tests fixed ones. */
export interface TemplateRuntime {
  now(): Date;
  uuid(): string;
  /** 16 lower-case hex characters, fresh on every call. */
  nonce(): string;
}

/** JSON with object keys sorted, so equal values always give equal text (and equal hashes). */
export const canonicalJson = (value: unknown): string => {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
};

/** A value as text: strings as they are, numbers and booleans printed, objects as canonical JSON. */
export const text = (value: unknown, what: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return canonicalJson(value);
  throw new TemplateError(`${what} has no value`);
};
