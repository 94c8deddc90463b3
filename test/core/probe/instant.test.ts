// isoInstant must write exactly what Date.prototype.toISOString writes, for every instant.
import { describe, expect, it } from 'vitest';
import { isoInstant } from '../../../lambdas/core/probe/instant.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('isoInstant', () => {
  it.each([
    ['the epoch', 0],
    ['the last millisecond of a day', Date.UTC(2026, 10, 26, 23, 59, 59, 999)],
    ['a leap day', Date.UTC(2024, 1, 29, 12, 0, 0, 5)],
    ['the day after a leap day', Date.UTC(2024, 2, 1)],
    ['1 March of a century year that is not a leap year', Date.UTC(2100, 2, 1)],
    ['29 February 2000 (a leap century)', Date.UTC(2000, 1, 29, 7, 8, 9, 10)],
    ['New Year', Date.UTC(2027, 0, 1)],
    ['New Year\'s Eve', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['the last four-digit year', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ['the first six-digit year (left to Date)', Date.UTC(10000, 0, 1)],
    ['before the epoch (left to Date)', Date.UTC(1969, 11, 31, 23, 59, 59, 999)],
    ['a fraction of a millisecond (left to Date)', 1_764_000_000_000.5],
  ])('writes %s as toISOString does', (_, ms) => {
    expect(isoInstant(ms)).toBe(iso(ms));
  });

  it('agrees with toISOString on 200,000 instants spread over 1970–9999', () => {
    // A fixed Park–Miller sequence: the same instants on every run.
    let state = 12_345;
    const next = () => (state = (state * 48_271) % 2_147_483_647);
    const mismatches: string[] = [];
    for (let index = 0; index < 200_000; index++) {
      const ms = Math.floor((next() / 2_147_483_647) * 253_402_300_800_000) + (next() % 86_400_000);
      const clamped = Math.min(ms, 253_402_300_799_999);
      if (isoInstant(clamped) !== iso(clamped)) mismatches.push(`${clamped}: ${isoInstant(clamped)} vs ${iso(clamped)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('writes consecutive instants right within a second and across seconds, minutes and days', () => {
    const start = Date.UTC(2026, 10, 26, 23, 59, 58, 0);
    const offsets = [0, 1, 999, 1_000, 1_001, 500, 1_999, 2_000, 2_001, 61_000, -1, 0, 86_400_000, 86_399_999];
    expect(offsets.map((offset) => isoInstant(start + offset))).toEqual(offsets.map((offset) => iso(start + offset)));
  });

  it('refuses NaN as toISOString does', () => {
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
  });
});
