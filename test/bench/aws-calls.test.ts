import { describe, expect, inject, it } from 'vitest';
import {
  measureProbeCount,
  replicatedProbes,
  type MeasuredRound,
  type ProbeCountResult,
} from '../../bench/aws-calls.ts';
import { fitQuietRound } from '../../bench/sections/aws-calls.ts';
import { summarize } from '../../bench/lib/call-counter.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import configInput from '../../hcguard.config.ts';

describe('replicatedProbes', () => {
  it('is the built-in three for 3', () => {
    expect(replicatedProbes(3).map((probe) => probe.id)).toEqual(['collection', 'transmission', 'verification']);
  });

  it('copies them with unique ids and one transmission stream per copy, into a valid config', () => {
    const probes = replicatedProbes(30);
    expect(probes).toHaveLength(30);
    expect(new Set(probes.map((probe) => probe.id)).size).toBe(30);
    const streams = probes.flatMap((probe) => (probe.sequence ? [probe.sequence.stream] : []));
    expect(streams).toHaveLength(10);
    expect(new Set(streams).size).toBe(10);
    expect(parseConfig({ ...configInput, probes }).probes).toHaveLength(30);
  });

  it.each([0, 2, 4, 31, 1.5])('refuses %d', (count) => {
    expect(() => replicatedProbes(count)).toThrow(/multiple of 3/);
  });
});

const quietRound = (results: number, writeUnits: number, readUnits: number): MeasuredRound => ({
  kind: 'quiet',
  results,
  problems: [],
  records: [],
  summary: { ...summarize([]), writeUnits, readUnits },
});

describe('fitQuietRound', () => {
  it('fits per-result and fixed units on the two largest probe counts', () => {
    const results: ProbeCountResult[] = [
      { probes: 3, rounds: [quietRound(6, 99, 99)] },
      { probes: 30, rounds: [quietRound(60, 12 + 60 * 1.5, 6 + 60 * 0.25)] },
      { probes: 300, rounds: [quietRound(600, 12 + 600 * 1.5, 6 + 600 * 0.25)] },
    ];
    expect(fitQuietRound(results)).toEqual({
      writeUnitsPerProbe: 1.5,
      writeUnitsPerRound: 12,
      readUnitsPerProbe: 0.25,
      readUnitsPerRound: 6,
    });
  });

  it('needs two probe counts', () => {
    expect(() => fitQuietRound([{ probes: 3, rounds: [quietRound(6, 1, 1)] }])).toThrow(/two probe counts/);
  });
});

describe('a round on moto, counted', () => {
  it(
    'never Scans, batches the results, alerts once when an incident opens and ' + 'changes Route 53 once to switch',
    async () => {
      const result = await measureProbeCount(inject('motoEndpoint'), 3);
      const [quiet, opens, switches] = result.rounds;
      for (const round of result.rounds) {
        expect(round.summary.scans).toBe(0);
        expect(round.results).toBe(6);
        const batch = round.records.find((record) => record.command === 'BatchWriteItem');
        expect(batch?.tally).toMatchObject({ calls: 1, itemsWritten: 6 });
      }
      expect(quiet?.summary).toMatchObject({ snsPublishes: 0, route53Calls: 0 });
      expect(opens?.summary).toMatchObject({ snsPublishes: 1, route53Changes: 0 });
      expect(switches?.summary).toMatchObject({ route53Changes: 1 });
      expect(switches?.summary.snsPublishes).toBeGreaterThanOrEqual(1);
    },
  );
});
