import { describe, expect, it } from 'vitest';
import { estimateCosts } from '../../lambdas/core/cost.ts';
import { runHcguard } from '../support/cli.ts';

const fixture = new URL('../fixtures/stack.config.json', import.meta.url).pathname;
const absentConfig = '/nonexistent/hcguard.config.json';

describe('hcguard cost', () => {
  it('needs no config when endpoints and interval are given, and prints every option with its total', async () => {
    const run = await runHcguard('--config', absentConfig, 'cost', '--endpoints', '6', '--interval', '5');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(
      'hcguard cost: 6 endpoints every 5 s from 1 region, non-aws endpoints (USD per month, us-east-1 prices checked',
    );
    const estimate = estimateCosts({ endpoints: 6, intervalSeconds: 5, regions: 1, endpointType: 'non-aws' });
    for (const option of estimate.options) {
      const total =
        option.monthlyUsd >= 100
          ? `$${Math.round(option.monthlyUsd).toLocaleString('en-US')}`
          : `$${option.monthlyUsd.toFixed(2)}`;
      expect(run.stdout).toMatch(
        new RegExp(`│ ${option.name.replace(/[()+]/g, '\\$&')}\\s+│ [^│]+│ ${total.replace('$', '\\$')}\\s+│`),
      );
      expect(run.stdout).toContain(`${option.name}: ${total}`);
    }
    expect(run.stdout).toContain('! runs at most once a minute, not every 5 s');
    expect(run.stdout).toContain('(unverified price)');
    expect(run.stdout).toContain('assumptions\n  - prices: us-east-1 list prices');
  });

  it('takes endpoints, interval and concurrency from the config when they are not given', async () => {
    const run = await runHcguard('--config', fixture, 'cost', '--json');
    expect(run.code).toBe(0);
    const estimate = JSON.parse(run.stdout);
    // The fixture: 3 probes on both sites, every 30 s, default concurrency.
    expect(estimate.scenario).toEqual({ endpoints: 6, intervalSeconds: 30, regions: 1, endpointType: 'non-aws' });
    expect(estimate.footprint.concurrency).toBe(16);
    expect(estimate.options.map((option: { id: string }) => option.id)).toEqual([
      'hcguard',
      'route53-basic',
      'route53',
      'synthetics',
      'arc',
    ]);
  });

  it('prices regions and AWS endpoints when asked', async () => {
    const run = await runHcguard(
      '--config',
      absentConfig,
      'cost',
      '--endpoints',
      '30',
      '--interval',
      '10',
      '--regions',
      '3',
      '--endpoint-type',
      'aws',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      JSON.parse(
        JSON.stringify(estimateCosts({ endpoints: 30, intervalSeconds: 10, regions: 3, endpointType: 'aws' })),
      ),
    );
  });

  it.each([
    [
      'a non-number',
      ['--endpoints', 'many', '--interval', '5'],
      /option '--endpoints <n>' argument 'many' is invalid\. must be a whole number/,
    ],
    ['a negative number', ['--endpoints', '-3', '--interval', '5'], /--endpoints/],
    [
      'an interval under 5 s',
      ['--endpoints', '6', '--interval', '4'],
      /hcguard cost: interval must be an integer between 5 and 3600 \(got 4\)/,
    ],
    [
      'no regions',
      ['--endpoints', '6', '--interval', '5', '--regions', '0'],
      /regions must be an integer between 1 and 30/,
    ],
    [
      'an unknown endpoint type',
      ['--endpoints', '6', '--interval', '5', '--endpoint-type', 'onprem'],
      /argument 'onprem' is invalid\. Allowed choices are aws, non-aws/,
    ],
    ['an unknown flag', ['--endpoints', '6', '--interval', '5', '--fast'], /unknown option '--fast'/],
  ])('refuses %s with exit 2 and no output', async (_, args, message) => {
    const run = await runHcguard('--config', absentConfig, 'cost', ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('describes itself in --help', async () => {
    const run = await runHcguard('cost', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('next to Route 53 health checks, CloudWatch Synthetics and ARC');
    for (const flag of ['--endpoints <n>', '--interval <seconds>', '--regions <n>', '--endpoint-type <type>', '--json'])
      expect(run.stdout).toContain(flag);
  });
});
