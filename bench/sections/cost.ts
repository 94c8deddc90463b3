// Section: the monthly cost model for a few settings, from the same code as `hcguard cost`.
import {
  DEFAULT_FOOTPRINT,
  estimateCosts,
  type CostOptionId,
  type CostScenario,
  type HcguardFootprint,
} from '../../lambdas/core/cost.ts';
import { PRICES, PRICES_AS_OF, PRICES_REGION } from '../../lambdas/core/prices.ts';
import { markdownTable, type BenchSection } from '../lib/report.ts';

export const COST_SETTINGS: readonly CostScenario[] = [
  { endpoints: 6, intervalSeconds: 5, regions: 1, endpointType: 'non-aws' },
  { endpoints: 6, intervalSeconds: 30, regions: 1, endpointType: 'non-aws' },
  { endpoints: 6, intervalSeconds: 60, regions: 1, endpointType: 'non-aws' },
  { endpoints: 30, intervalSeconds: 10, regions: 1, endpointType: 'non-aws' },
  { endpoints: 30, intervalSeconds: 10, regions: 3, endpointType: 'non-aws' },
  { endpoints: 300, intervalSeconds: 30, regions: 1, endpointType: 'aws' },
];

const money = (usd: number): string =>
  usd >= 100 ? `$${Math.round(usd).toLocaleString('en-US')}` : `$${usd.toFixed(2)}`;

export const costTable = (footprint: HcguardFootprint): string => {
  const columns: CostOptionId[] = ['hcguard', 'route53-basic', 'route53', 'synthetics', 'arc'];
  return markdownTable(
    [
      'endpoints',
      'interval',
      'regions',
      'endpoint type',
      'hcguard',
      'Route 53 basic (30 s)',
      'Route 53 HTTPS + string match (+ fast) + alarms',
      'Synthetics (≥ 60 s)',
      'ARC',
    ],
    COST_SETTINGS.map((scenario) => {
      const estimate = estimateCosts(scenario, footprint);
      const total = (id: CostOptionId) =>
        money(estimate.options.find((option) => option.id === id)?.monthlyUsd ?? Number.NaN);
      return [
        String(scenario.endpoints),
        `${scenario.intervalSeconds} s`,
        String(scenario.regions),
        scenario.endpointType,
        ...columns.map(total),
      ];
    }),
    ['r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r'],
  );
};

/** The footprint the AWS-calls section measured, if it ran first; the model's defaults otherwise. */
export const costSection = (measured: () => HcguardFootprint | undefined = () => undefined): BenchSection => ({
  id: 'cost',
  title: 'Monthly cost (hcguard cost)',
  async run() {
    const used = measured() ?? DEFAULT_FOOTPRINT;
    const unverified = Object.entries(PRICES)
      .filter(([, figure]) => figure.verification === 'unverified')
      .map(([key]) => key);
    const [first] = COST_SETTINGS;
    const sample = first ? estimateCosts(first, used) : undefined;
    const total = (id: CostOptionId) =>
      money(sample?.options.find((option) => option.id === id)?.monthlyUsd ?? Number.NaN);
    return {
      headlines: first
        ? [
            `${first.endpoints} endpoints every ${first.intervalSeconds} s: hcguard ` +
              `${total('hcguard')} a month; Route 53 health checks ${total('route53-basic')} ` +
              `(HTTP, 30 s) to ${total('route53')} (HTTPS, string match, 10 s, alarms); ` +
              `Synthetics ${total('synthetics')} (every 60 s); ARC ${total('arc')}.`,
          ]
        : [],
      blocks: [
        `USD per month at ${PRICES_REGION} list prices checked ${PRICES_AS_OF} ` +
          `(\`lambdas/core/prices.ts\`; not verified on an AWS page: ` +
          `${unverified.join(', ')}). ` +
          `hcguard's DynamoDB figures use ${used.writeUnitsPerProbe} write unit(s) per ` +
          `probe result + ${used.writeUnitsPerRound} per round and ` +
          `${used.readUnitsPerProbe} read unit(s) per result + ${used.readUnitsPerRound} ` +
          `per round${used === DEFAULT_FOOTPRINT ? ' (the model defaults)' : ' (measured above, under AWS calls)'}. ` +
          'Run `npx hcguard cost --endpoints N --interval S --regions R` for the ' +
          'line-by-line breakdown and every assumption.',
        costTable(used),
        'Below a minute, the probe Lambda runs the rounds of one minute in one ' +
          'invocation and is billed while it waits between them: ' +
          "at 5 s that is most of hcguard's bill. Route 53 cannot check more often than " +
          'every 10 s, Synthetics than every 60 s; ' +
          'neither figure includes what hcguard does besides checking (multi-step probes, severities, dedup, drills).',
      ],
    };
  },
});
