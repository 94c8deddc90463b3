// `hcguard cost`: what guarding N endpoints at an interval costs a month with hcguard, next to
// Route 53 health checks, CloudWatch Synthetics canaries and ARC, at the dated prices of
// lambdas/core/prices.ts.
import Table from 'cli-table3';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  ALARMS_PER_FUNCTION,
  CostInputError,
  DEFAULT_FOOTPRINT,
  ENDPOINT_TYPES,
  estimateCosts,
  type CostEstimate,
  type CostScenario,
  type EndpointType,
  type HcguardFootprint,
} from '../../../lambdas/core/cost.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import { PRICES } from '../../../lambdas/core/prices.ts';
import { configuredRobots } from '../../../lambdas/core/robots.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

interface CostOptions {
  readonly endpoints?: number;
  readonly interval?: number;
  readonly regions: number;
  readonly endpointType: EndpointType;
  readonly json?: boolean;
}

const wholeNumber = (text: string): number => {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(text);
};

/** Probe targets the config checks each round: every probe on every site it lists. */
export const endpointsOf = (config: Pick<HcguardConfig, 'probes'>): number =>
  config.probes.reduce((sum, probe) => sum + probe.sites.length, 0);

export const registerCostCommand = (program: Command, context: CliContext): void => {
  program
    .command('cost')
    .description(
      'estimate the monthly AWS cost of hcguard next to Route 53 health checks, CloudWatch Synthetics and ARC ' +
        '(endpoints and interval default to the config; no AWS access needed)',
    )
    .option(
      '--endpoints <n>',
      "probe targets checked each round (one probe on one site); default: the config's",
      wholeNumber,
    )
    .option(
      '--interval <seconds>',
      "seconds between rounds; default: the config's schedule.intervalSeconds",
      wholeNumber,
    )
    .option(
      '--regions <n>',
      'vantage regions checking each endpoint (one hcguard stack or canary per region)',
      wholeNumber,
      1,
    )
    .addOption(
      new Option('--endpoint-type <type>', 'where the endpoints live: Route 53 charges more outside AWS')
        .choices(ENDPOINT_TYPES)
        .default('non-aws'),
    )
    .option('--json', 'print the estimate as JSON')
    .action(async (options: CostOptions) => {
      let footprint: HcguardFootprint = DEFAULT_FOOTPRINT;
      let endpoints = options.endpoints;
      let interval = options.interval;
      if (endpoints === undefined || interval === undefined) {
        const config = await context.config();
        endpoints ??= endpointsOf(config);
        interval ??= config.schedule.intervalSeconds;
        footprint = {
          ...footprint,
          concurrency: config.schedule.concurrency,
          // Each chat robot has its own subscriber function, with its own two alarms.
          alarms: footprint.alarms + ALARMS_PER_FUNCTION * configuredRobots(config.alerts).length,
        };
      }
      const scenario: CostScenario = {
        endpoints,
        intervalSeconds: interval,
        regions: options.regions,
        endpointType: options.endpointType,
      };
      let estimate: CostEstimate;
      try {
        estimate = estimateCosts(scenario, footprint);
      } catch (error) {
        if (error instanceof CostInputError) throw new UsageError(`hcguard cost: ${error.message}`);
        throw error;
      }
      context.out(options.json ? `${JSON.stringify(estimate, null, 2)}\n` : formatEstimate(estimate));
    });
};

const money = (usd: number): string =>
  usd >= 100 ? `$${Math.round(usd).toLocaleString('en-US')}` : `$${usd.toFixed(2)}`;

const quantity = (value: number): string =>
  value >= 1000
    ? Math.round(value).toLocaleString('en-US')
    : value >= 1
      ? String(Number(value.toFixed(2)))
      : String(Number(value.toPrecision(3)));

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export const formatEstimate = (estimate: CostEstimate): string => {
  const { scenario } = estimate;
  const hcguard = estimate.options.find((entry) => entry.id === 'hcguard');
  const lines = [
    `hcguard cost: ${plural(scenario.endpoints, 'endpoint')} every ` +
      `${scenario.intervalSeconds} s from ${plural(scenario.regions, 'region')}, ` +
      `${scenario.endpointType} endpoints (USD per month, ${estimate.pricesRegion} ` +
      `prices checked ${estimate.pricesAsOf})`,
    '',
  ];
  const summary = new Table({
    head: ['option', 'checks every', 'per month', 'vs hcguard'],
    style: { head: [], border: [], compact: true },
  });
  for (const entry of estimate.options) {
    summary.push([
      entry.name,
      entry.checkEverySeconds === undefined ? '-' : `${entry.checkEverySeconds} s`,
      money(entry.monthlyUsd),
      hcguard && hcguard.monthlyUsd > 0 ? `${(entry.monthlyUsd / hcguard.monthlyUsd).toFixed(2)}x` : '-',
    ]);
  }
  lines.push(summary.toString(), '');
  for (const entry of estimate.options) {
    lines.push(`${entry.name}: ${money(entry.monthlyUsd)}`);
    for (const item of entry.lines) {
      const price = PRICES[item.price];
      const flag = price.verification === 'unverified' ? ' (unverified price)' : '';
      lines.push(
        `  ${item.service.padEnd(11)} ${item.item.padEnd(40)} ${quantity(item.quantity)} ` +
          `× $${price.usd} per ${price.per}${flag} = ${money(item.monthlyUsd)}`,
      );
    }
    for (const caveat of entry.caveats) lines.push(`  ! ${caveat}`);
    lines.push('');
  }
  lines.push('assumptions');
  for (const assumption of estimate.assumptions) lines.push(`  - ${assumption}`);
  lines.push('', 'prices and their sources: lambdas/core/prices.ts', '');
  return lines.join('\n');
};
