// Identity values and secrets never leave the prober in clear: results, messages and logs carry
// a short hash instead, enough to tell two values apart or match one a human already knows.
import { createHash } from 'node:crypto';

/** `h:` and the first 8 hex digits of the value's SHA-256. */
export const shortHash = (value: string): string =>
  `h:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8)}`;

/** Values shorter than this are not redacted inside text: hashing "a" would garble every message. */
const MIN_REDACTED_LENGTH = 4;

/**
 * A long value also has its first and last 40 % redacted, so a near copy (a forged code is the
 * real one with one character changed) does not show the real value around the change.
 */
const FRAGMENTED_LENGTH = 24;
const fragments = (value: string): string[] => {
  if (value.length < FRAGMENTED_LENGTH) return [value];
  const part = Math.floor(value.length * 0.4);
  return [value, value.slice(0, part), value.slice(value.length - part)];
};

export interface Redactor {
  /** Replaces every sensitive value inside the text by its short hash. */
  text(value: string): string;
  /** The short hash of a whole value shown as JSON text (for assertions marked sensitive). */
  whole(value: unknown): string;
}

const jsonText = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');

// A class rather than closures: a redactor is made for every probe run, and methods cost nothing
// per instance (under tsx's keepNames every named closure also costs a defineProperty).
class ValueRedactor implements Redactor {
  readonly #sensitive: Iterable<unknown>;
  #values: string[] | undefined;

  constructor(sensitive: Iterable<unknown>) {
    this.#sensitive = sensitive;
  }

  /** Built on first use: most results are ok and never need redacting. */
  #sensitiveValues(): string[] {
    return (this.#values ??= [
      ...new Set(
        [...this.#sensitive]
          .filter((value): value is string | number => typeof value === 'string' || typeof value === 'number')
          .map(String)
          .filter((value) => value.length >= MIN_REDACTED_LENGTH)
          .flatMap(fragments),
      ),
    ].sort((a, b) => b.length - a.length));
  }

  text(value: string): string {
    return this.#sensitiveValues().reduce(
      (result, secret) => (result.includes(secret) ? result.split(secret).join(shortHash(secret)) : result),
      value,
    );
  }

  whole(value: unknown): string {
    return shortHash(jsonText(value));
  }
}

export const createRedactor = (sensitive: Iterable<unknown>): Redactor => new ValueRedactor(sensitive);
