import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { parseConfig } from '../../lambdas/core/config.ts';

const valid = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8'));

const problemsOf = (local: unknown): string[] => {
  try {
    parseConfig({ ...valid(), local });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.rule}`);
  }
  return [];
};

describe('config: the local section (`npm start`)', () => {
  it('has defaults that work out of the box', () => {
    expect(parseConfig(valid()).local).toEqual({
      dashboardPort: 8600,
      motoPort: 0,
      citizens: { requestsPerSecond: 5, timeoutMs: 3_000, bucketSeconds: 5 },
    });
  });

  it('accepts ports chosen by the OS (0) and a named record', () => {
    const config = parseConfig({
      ...valid(),
      local: { dashboardPort: 0, citizens: { record: 'verify.hc.example.com.', requestsPerSecond: 0 } },
    });
    expect(config.local.dashboardPort).toBe(0);
    expect(config.local.citizens).toMatchObject({ record: 'verify.hc.example.com.', requestsPerSecond: 0 });
  });

  it.each<[string, unknown, string[]]>([
    ['a port out of range', { dashboardPort: 70_000 }, ['local.dashboardPort: must be an integer between 0 and 65535']],
    ['a fractional moto port', { motoPort: 1.5 }, ['local.motoPort: must be an integer between 0 and 65535']],
    [
      'too many requests per second',
      { citizens: { requestsPerSecond: 1_000 } },
      ['local.citizens.requestsPerSecond: must be an integer between 0 and 200'],
    ],
    [
      'a timeout too short to be real',
      { citizens: { timeoutMs: 5 } },
      ['local.citizens.timeoutMs: must be an integer between 100 and 60000'],
    ],
    [
      'a zero-width bucket',
      { citizens: { bucketSeconds: 0 } },
      ['local.citizens.bucketSeconds: must be an integer between 1 and 300'],
    ],
    ['a typo in a key', { dashbordPort: 1 }, ['local.dashbordPort: unknown key (did you mean "dashboardPort"?)']],
    [
      'a record hcguard does not manage',
      { citizens: { record: 'www.hc.example.com' } },
      ['local.citizens.record: must be one of the managed records: verify.hc.example.com, api.hc.example.com'],
    ],
  ])('names the path and the rule for %s', (_, local, expected) => {
    expect(problemsOf(local)).toEqual(expected);
  });
});
