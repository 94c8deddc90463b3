// The monthly cost of guarding N endpoints at an interval: hcguard next to what users compare
// it with (Route 53 health checks with failover records, CloudWatch Synthetics canaries, ARC).
// Pure arithmetic over ./prices.ts and a stated footprint; `hcguard cost` prints it.
import { FUNCTION_MEMORY_MB, roundsPerInvocation, scheduleRateMinutes } from './schedule.ts';
import { SITES, STAGES } from './model/vocabulary.ts';
import { HOURS_PER_MONTH, PRICES, PRICES_AS_OF, PRICES_REGION, type PriceKey } from './prices.ts';

export const ENDPOINT_TYPES = ['aws', 'non-aws'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

export interface CostScenario {
  /** Probe targets checked every round: one probe on one site (the default config has 6). */
  readonly endpoints: number;
  readonly intervalSeconds: number;
  /** Vantage regions each endpoint is checked from: one hcguard stack (or canary) per region. */
  readonly regions: number;
  /** Route 53 charges more for health checks of endpoints outside AWS (a data centre). */
  readonly endpointType: EndpointType;
}

/**
 * What one hcguard deployment does, per round and per month; each figure is an assumption printed
 * with the estimate.
 */
export interface HcguardFootprint {
  /** The probe function's memory (lib/hcguard-stack.ts). */
  readonly probeMemoryMb: number;
  /** Probes run at once (config `schedule.concurrency`). */
  readonly concurrency: number;
  /** Mean wall time of one probe (its HTTP steps). */
  readonly probeSeconds: number;
  /** Per round: load state, evaluate, store results, publish metrics. */
  readonly roundOverheadSeconds: number;
  /** DynamoDB write units per probe result per round (the result item, the target state). */
  readonly writeUnitsPerProbe: number;
  /** DynamoDB write units per round that do not depend on the probe count. */
  readonly writeUnitsPerRound: number;
  /** DynamoDB read units per probe result per round (e.g. a transmission probe's sequence number). */
  readonly readUnitsPerProbe: number;
  /** DynamoDB read units per round (targets, open incidents, routing: Queries, never a Scan). */
  readonly readUnitsPerRound: number;
  /** Log bytes per probe result (the EMF metrics line and the result line). */
  readonly logBytesPerProbe: number;
  /** Log bytes per invocation (START/END/REPORT and the summary). */
  readonly logBytesPerInvocation: number;
  readonly incidentsPerMonth: number;
  /** Alerts per incident: opened, switched, reminded, resolved. */
  readonly publishesPerIncident: number;
  readonly emailSubscribersPerTopic: number;
  /**
   * The stack's alarms (lib/constructs/guard-monitoring.ts): the heartbeat, errors and throttles of
   * the probe and operator functions, one per kind of round error, and one per dead-letter queue
   * (a severity's undelivered alerts, failed invocations); plus ALARMS_PER_FUNCTION per chat robot.
   */
  readonly alarms: number;
  readonly dashboards: number;
  /** Customer-managed KMS keys: the table's, the alert topics' and the log groups'. */
  readonly kmsKeys: number;
  /**
   * ProbeSuccess and ProbeLatency per (site, stage): their dimensions are service/site/stage
   * (lambdas/contract/metrics.ts), so many probes of one stage share them.
   */
  readonly metricsPerTarget: number;
  /**
   * Published every round whatever the probes: the heartbeat and AlertsSent (round-error metrics
   * appear only with errors).
   */
  readonly fixedMetrics: number;
}

/** Errors and throttles: what each further function (a chat robot's subscriber) adds to `alarms`. */
export const ALARMS_PER_FUNCTION = 2;

export const DEFAULT_FOOTPRINT: HcguardFootprint = {
  probeMemoryMb: FUNCTION_MEMORY_MB.probe,
  concurrency: 16,
  probeSeconds: 0.3,
  roundOverheadSeconds: 0.25,
  // DynamoDB units measured by `npm run bench` (AWS calls per round, bench/results.md) with the
  // built-in probes: each result item (1) plus a transmission probe's sequence commit (1 in 3
  // results); the six target states in one transaction (6 × 2) every round; a sequence read per
  // transmission result; the round's Queries and GetItems.
  writeUnitsPerProbe: 1.33,
  writeUnitsPerRound: 12,
  readUnitsPerProbe: 0.33,
  readUnitsPerRound: 6,
  logBytesPerProbe: 700,
  logBytesPerInvocation: 1_500,
  incidentsPerMonth: 4,
  publishesPerIncident: 4,
  emailSubscribersPerTopic: 2,
  alarms: 14,
  dashboards: 1,
  kmsKeys: 3,
  metricsPerTarget: 2,
  fixedMetrics: 2,
};

export const COST_OPTION_IDS = ['hcguard', 'route53-basic', 'route53', 'synthetics', 'arc'] as const;
export type CostOptionId = (typeof COST_OPTION_IDS)[number];

export interface CostLine {
  readonly service: string;
  readonly item: string;
  /** In units of the price: millions of requests, GB-seconds, health check-months, … */
  readonly quantity: number;
  readonly price: PriceKey;
  readonly monthlyUsd: number;
}

export interface CostOption {
  readonly id: CostOptionId;
  readonly name: string;
  /** How often each endpoint is checked; undefined when the option does not check (ARC). */
  readonly checkEverySeconds?: number;
  readonly lines: readonly CostLine[];
  readonly monthlyUsd: number;
  /** What this option does not do that hcguard does, or what the figure leaves out. */
  readonly caveats: readonly string[];
}

export interface CostEstimate {
  readonly scenario: CostScenario;
  readonly footprint: HcguardFootprint;
  readonly pricesAsOf: string;
  readonly pricesRegion: string;
  readonly options: readonly CostOption[];
  /** One line per assumption the hcguard figure rests on, for the reader to challenge. */
  readonly assumptions: readonly string[];
}

export class CostInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CostInputError';
  }
}

const BYTES_PER_GB = 1024 ** 3;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Route 53 health checks run every 30 s, or every 10 s with the fast-interval option. */
export const ROUTE53_INTERVALS = { standard: 30, fast: 10 } as const;
/** CloudWatch Synthetics schedules run at most once a minute. */
export const SYNTHETICS_MIN_INTERVAL_SECONDS = 60;

const requireInteger = (name: string, value: number, min: number, max: number): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CostInputError(`${name} must be an integer between ${min} and ${max} (got ${value})`);
  }
};

export const validateScenario = (scenario: CostScenario): void => {
  requireInteger('endpoints', scenario.endpoints, 1, 10_000);
  // The same bounds as config `schedule.intervalSeconds`.
  requireInteger('interval', scenario.intervalSeconds, 5, 3_600);
  requireInteger('regions', scenario.regions, 1, 30);
  if (!(ENDPOINT_TYPES as readonly string[]).includes(scenario.endpointType)) {
    throw new CostInputError(
      `endpoint type must be one of: ${ENDPOINT_TYPES.join(', ')} (got ${scenario.endpointType})`,
    );
  }
};

const line = (service: string, item: string, quantity: number, price: PriceKey): CostLine => ({
  service,
  item,
  quantity,
  price,
  monthlyUsd: quantity * PRICES[price].usd,
});

const option = (fields: Omit<CostOption, 'monthlyUsd'>): CostOption => ({
  ...fields,
  monthlyUsd: fields.lines.reduce((sum, entry) => sum + entry.monthlyUsd, 0),
});

/** How the probe Lambda runs for a scenario: invocations, rounds and billed seconds. */
export interface ProbeSchedule {
  readonly invocationsPerMonth: number;
  readonly roundsPerInvocation: number;
  /** Minutes between invocations (EventBridge fires at most once a minute). */
  readonly rateMinutes: number;
  readonly roundsPerMonth: number;
  readonly roundSeconds: number;
  /** Billed duration of one invocation: it waits between the rounds of a minute. */
  readonly invocationSeconds: number;
}

export const probeSchedule = (
  scenario: CostScenario,
  footprint: HcguardFootprint = DEFAULT_FOOTPRINT,
): ProbeSchedule => {
  const schedule = { schedule: { intervalSeconds: scenario.intervalSeconds, concurrency: footprint.concurrency } };
  const rounds = roundsPerInvocation(schedule);
  const rateMinutes = scheduleRateMinutes(schedule);
  const invocationsPerMonth = MINUTES_PER_MONTH / rateMinutes;
  const roundSeconds =
    Math.ceil(scenario.endpoints / footprint.concurrency) * footprint.probeSeconds + footprint.roundOverheadSeconds;
  return {
    invocationsPerMonth,
    roundsPerInvocation: rounds,
    rateMinutes,
    roundsPerMonth: invocationsPerMonth * rounds,
    roundSeconds,
    invocationSeconds: (rounds - 1) * scenario.intervalSeconds + roundSeconds,
  };
};

/** Distinct (site, stage) pairs N probe targets can cover: the metrics' dimensions. */
export const metricTargets = (endpoints: number): number => Math.min(endpoints, SITES.length * STAGES.length);

const hcguardOption = (scenario: CostScenario, footprint: HcguardFootprint): CostOption => {
  const { endpoints, regions } = scenario;
  const run = probeSchedule(scenario, footprint);
  const invocations = run.invocationsPerMonth * regions;
  const rounds = run.roundsPerMonth * regions;
  const gbSeconds = invocations * run.invocationSeconds * (footprint.probeMemoryMb / 1024);
  const writeUnits = rounds * (endpoints * footprint.writeUnitsPerProbe + footprint.writeUnitsPerRound);
  const readUnits = rounds * (endpoints * footprint.readUnitsPerProbe + footprint.readUnitsPerRound);
  const logBytes = rounds * endpoints * footprint.logBytesPerProbe + invocations * footprint.logBytesPerInvocation;
  const publishes = footprint.incidentsPerMonth * footprint.publishesPerIncident * regions;
  return option({
    id: 'hcguard',
    name: 'hcguard',
    checkEverySeconds: scenario.intervalSeconds,
    lines: [
      line('Lambda', 'probe invocations', invocations / 1e6, 'lambdaRequest'),
      line('Lambda', `probe duration at ${footprint.probeMemoryMb} MB arm64`, gbSeconds, 'lambdaArmGbSecond'),
      line('EventBridge', 'schedule events', invocations / 1e6, 'eventbridgeEvent'),
      line('DynamoDB', 'writes (results, target states)', writeUnits / 1e6, 'dynamodbWriteUnit'),
      line('DynamoDB', 'reads (Query, GetItem)', readUnits / 1e6, 'dynamodbReadUnit'),
      line('SNS', 'alert publishes', publishes / 1e6, 'snsPublish'),
      line('SNS', 'e-mail deliveries', (publishes * footprint.emailSubscribersPerTopic) / 1e5, 'snsEmailDelivery'),
      line(
        'CloudWatch',
        'custom metrics',
        (metricTargets(endpoints) * footprint.metricsPerTarget + footprint.fixedMetrics) * regions,
        'cloudwatchMetric',
      ),
      line('CloudWatch', 'alarms', footprint.alarms * regions, 'cloudwatchAlarm'),
      line('CloudWatch', 'dashboard', footprint.dashboards * regions, 'cloudwatchDashboard'),
      line('CloudWatch', 'log ingestion', logBytes / BYTES_PER_GB, 'cloudwatchLogIngestion'),
      line('KMS', 'customer-managed keys', footprint.kmsKeys * regions, 'kmsKey'),
      // Active tracing samples the first request each second: at most one invocation a minute, every one is traced.
      line('X-Ray', 'traces (active tracing)', invocations / 1e6, 'xrayTrace'),
    ],
    caveats: [],
  });
};

const route53Options = (scenario: CostScenario): CostOption[] => {
  const { endpoints } = scenario;
  const aws = scenario.endpointType === 'aws';
  const base: PriceKey = aws ? 'route53HealthCheckAws' : 'route53HealthCheckNonAws';
  const feature: PriceKey = aws ? 'route53FeatureAws' : 'route53FeatureNonAws';
  const fast = scenario.intervalSeconds < ROUTE53_INTERVALS.standard;
  const regionsNote = 'checkers in at least 3 regions are included: --regions does not change it';
  const basic = option({
    id: 'route53-basic',
    name: 'Route 53 health checks (HTTP, 30 s)',
    checkEverySeconds: ROUTE53_INTERVALS.standard,
    lines: [line('Route 53', `${scenario.endpointType} health checks`, endpoints, base)],
    caveats: ['status code only, no alerting', regionsNote],
  });
  const features = [
    line('Route 53', 'HTTPS option', endpoints, feature),
    line('Route 53', 'string matching option', endpoints, feature),
    ...(fast ? [line('Route 53', 'fast interval (10 s) option', endpoints, feature)] : []),
  ];
  const matched = option({
    id: 'route53',
    name: `Route 53 health checks (HTTPS, string match${fast ? ', 10 s' : ', 30 s'}) + alarms`,
    checkEverySeconds: fast ? ROUTE53_INTERVALS.fast : ROUTE53_INTERVALS.standard,
    lines: [
      line('Route 53', `${scenario.endpointType} health checks`, endpoints, base),
      ...features,
      line('CloudWatch', 'alarm per health check (paging)', endpoints, 'cloudwatchAlarm'),
    ],
    caveats: [
      ...(scenario.intervalSeconds < ROUTE53_INTERVALS.fast
        ? [`cannot check more often than every ${ROUTE53_INTERVALS.fast} s`]
        : []),
      'one request per check: no multi-step probes, HMAC or read-back; string match sees the first 5,120 bytes',
      'failback is automatic; no severities, dedup, acknowledgement or drills',
      regionsNote,
    ],
  });
  return [basic, matched];
};

const syntheticsOption = (scenario: CostScenario): CostOption => {
  const every = Math.max(SYNTHETICS_MIN_INTERVAL_SECONDS, scenario.intervalSeconds);
  const canaries = scenario.endpoints * scenario.regions;
  return option({
    id: 'synthetics',
    name: `CloudWatch Synthetics canaries (every ${every} s)`,
    checkEverySeconds: every,
    lines: [
      line('Synthetics', 'canary runs', canaries * (SECONDS_PER_MONTH / every), 'syntheticsCanaryRun'),
      line('CloudWatch', 'alarm per canary (paging)', canaries, 'cloudwatchAlarm'),
    ],
    caveats: [
      ...(scenario.intervalSeconds < SYNTHETICS_MIN_INTERVAL_SECONDS
        ? [`runs at most once a minute, not every ${scenario.intervalSeconds} s`]
        : []),
      "each run's Lambda, S3 artifacts and logs are billed on top (not counted)",
      'detects only: switching traffic needs another piece (a Lambda, or ARC)',
    ],
  });
};

const arcOption = (): CostOption =>
  option({
    id: 'arc',
    name: 'Route 53 ARC routing control (premium anchor)',
    lines: [line('ARC', 'cluster-hours (one cluster)', HOURS_PER_MONTH, 'arcClusterHour')],
    caveats: [
      'switches in the data plane; detects nothing: pair it with health checks or hcguard',
      'one cluster can serve many applications and accounts',
    ],
  });

const usd = (value: number): string => `$${value.toFixed(2)}`;

/** What the alarms, dashboard and keys of one stack cost a month, whatever it probes. */
const fixedPerRegion = (footprint: HcguardFootprint): number =>
  footprint.alarms * PRICES.cloudwatchAlarm.usd +
  footprint.dashboards * PRICES.cloudwatchDashboard.usd +
  footprint.kmsKeys * PRICES.kmsKey.usd;

const assumptionsFor = (scenario: CostScenario, footprint: HcguardFootprint): string[] => {
  const run = probeSchedule(scenario, footprint);
  const invocation =
    run.roundsPerInvocation > 1
      ? `one invocation a minute running ${run.roundsPerInvocation} rounds ` +
        `${scenario.intervalSeconds} s apart, billed while it waits ` +
        `(${run.invocationSeconds.toFixed(1)} s)`
      : `one invocation every ${run.rateMinutes} min running one round (${run.invocationSeconds.toFixed(2)} s)`;
  return [
    `prices: ${PRICES_REGION} list prices checked ${PRICES_AS_OF}, no free tier; a month is ${HOURS_PER_MONTH} hours`,
    `an endpoint is one probe on one site; ${scenario.regions} ` +
      `region${scenario.regions === 1 ? '' : 's'} means one hcguard stack and one ` +
      `canary per endpoint in each`,
    `probe Lambda: ${footprint.probeMemoryMb} MB arm64, ${invocation}`,
    `a round: ${scenario.endpoints} probe(s), ${footprint.concurrency} at once, ` +
      `${footprint.probeSeconds} s each, plus ${footprint.roundOverheadSeconds} s to ` +
      `load state and store results`,
    `DynamoDB per round: ${footprint.writeUnitsPerProbe} write unit(s) per probe + ` +
      `${footprint.writeUnitsPerRound}, ${footprint.readUnitsPerProbe} read unit(s) ` +
      `per probe + ${footprint.readUnitsPerRound}; on-demand`,
    `metrics: ${footprint.metricsPerTarget} per (site, stage) probed, at most ` +
      `${SITES.length * STAGES.length} pairs, plus ${footprint.fixedMetrics} per round ` +
      `(heartbeat, alerts sent)`,
    `logs: ${footprint.logBytesPerProbe} B per probe result and ${footprint.logBytesPerInvocation} B per invocation`,
    `alerts: ${footprint.incidentsPerMonth} incidents a month, ` +
      `${footprint.publishesPerIncident} publishes each, ` +
      `${footprint.emailSubscribersPerTopic} e-mail subscriber(s)`,
    `fixed per stack: ${footprint.alarms} alarms, ${footprint.dashboards} dashboard, ${footprint.kmsKeys} KMS keys ` +
      `(${usd(fixedPerRegion(footprint))} a month per region)`,
    'not counted for any option: the hosted zone and DNS queries (the same for all), drills, data transfer',
  ];
};

export const estimateCosts = (
  scenario: CostScenario,
  footprint: HcguardFootprint = DEFAULT_FOOTPRINT,
): CostEstimate => {
  validateScenario(scenario);
  return {
    scenario,
    footprint,
    pricesAsOf: PRICES_AS_OF,
    pricesRegion: PRICES_REGION,
    options: [hcguardOption(scenario, footprint), ...route53Options(scenario), syntheticsOption(scenario), arcOption()],
    assumptions: assumptionsFor(scenario, footprint),
  };
};
