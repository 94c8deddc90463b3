// Every price the cost model (`hcguard cost`, ./cost.ts) uses, as dated data in one place.
// Figures are USD list prices in us-east-1 without free tiers, Savings Plans or volume tiers
// beyond the first. China regions (amazonaws.cn) bill in CNY at different rates and are not
// modelled. Update a figure by changing its value, `checkedOn` and `verification` together.
//
// What could not be verified on 2026-11-26 (no AWS pricing page was reachable to read; figures
// marked `secondary` were matched against pages that quote the AWS page, `unverified` ones only
// against the project's FACTS.md):
// - ARC cluster-hour ($2.50): the AWS docs confirm clusters bill by the hour, not the figure.
// - EventBridge scheduled invocations: whether scheduled rules bill at all; priced as custom
//   events ($1.00 per million) as an upper bound. At one event a minute it rounds to $0.04.
// - KMS customer-managed key ($1.00 per key-month): from memory of the KMS pricing page.
// - X-Ray traces recorded ($5.00 per million): from memory of the X-Ray pricing page.

export type PriceVerification =
  /** Read on the AWS pricing page itself, or on a verbatim transcription of it. */
  | 'aws-page'
  /** Matched against third-party pages that quote the AWS pricing page. */
  | 'secondary'
  /** Taken from FACTS.md or memory; no page checked. */
  | 'unverified';

export interface PriceFigure {
  readonly usd: number;
  /** What one `usd` buys, e.g. `GB-second`, `million requests`. */
  readonly per: string;
  /** The AWS page the figure belongs to. */
  readonly source: string;
  readonly checkedOn: string;
  readonly verification: PriceVerification;
  /** Where the check was made when it was not the AWS page. */
  readonly checkedAgainst?: string;
}

export const PRICES_REGION = 'us-east-1';
/** The day the figures below were last checked. */
export const PRICES_AS_OF = '2026-11-26';
/** AWS bills monthly quantities over 730 hours. */
export const HOURS_PER_MONTH = 730;

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const SNS = 'https://aws.amazon.com/sns/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const ROUTE53 = 'https://aws.amazon.com/route53/pricing/';
const ARC = 'https://aws.amazon.com/application-recovery-controller/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const XRAY = 'https://aws.amazon.com/xray/pricing/';
const ROUTE53_TRANSCRIPT =
  'api-evangelist/amazon-route53-resolver ' +
  'plans/amazon-route53-resolver-plans-pricing.yml (verbatim transcription of the ' +
  'AWS page, read 2026-09-20)';

export const PRICES = {
  lambdaRequest: {
    usd: 0.2,
    per: 'million requests',
    source: LAMBDA,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'cloudchipr.com/blog/aws-lambda-pricing; kodekloud Lambda pricing notes',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64, first 7.5 billion)',
    source: LAMBDA,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'cloudchipr.com/blog/aws-lambda-pricing (us-east-1 arm tier 1)',
  },
  dynamodbWriteUnit: {
    usd: 0.625,
    per: 'million write request units (on-demand)',
    source: DYNAMODB,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'airbyte.com DynamoDB pricing guide (us-east-1, after the November 2024 on-demand price cut)',
  },
  dynamodbReadUnit: {
    usd: 0.125,
    per: 'million read request units (on-demand)',
    source: DYNAMODB,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'airbyte.com DynamoDB pricing guide (us-east-1)',
  },
  snsPublish: {
    usd: 0.5,
    per: 'million publishes (standard topic)',
    source: SNS,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'factualminds.com SNS pricing, 2026-06-13',
  },
  snsEmailDelivery: {
    usd: 2.0,
    per: '100,000 e-mail deliveries',
    source: SNS,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'factualminds.com SNS pricing, 2026-06-13',
  },
  cloudwatchMetric: {
    usd: 0.3,
    per: 'custom metric-month (first 10,000)',
    source: CLOUDWATCH,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'signoz.io CloudWatch pricing guide, 2026-02-15',
  },
  cloudwatchAlarm: {
    usd: 0.1,
    per: 'standard-resolution alarm-month',
    source: CLOUDWATCH,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'c3x.dev aws_cloudwatch_metric_alarm; cloudcostkit.com alarms guide',
  },
  cloudwatchDashboard: {
    usd: 3.0,
    per: 'dashboard-month',
    source: CLOUDWATCH,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'factualminds.com CloudWatch pricing, 2026-06-13',
  },
  cloudwatchLogIngestion: {
    usd: 0.5,
    per: 'GB ingested (standard log class)',
    source: CLOUDWATCH,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'factualminds.com CloudWatch pricing, 2026-06-13',
  },
  syntheticsCanaryRun: {
    usd: 0.0012,
    per: 'canary run',
    source: CLOUDWATCH,
    checkedOn: PRICES_AS_OF,
    verification: 'secondary',
    checkedAgainst: 'blog.mattsbit.co.uk (2023-11); thomasstep.com canary post; FACTS.md',
  },
  eventbridgeEvent: {
    usd: 1.0,
    per: 'million events',
    source: EVENTBRIDGE,
    checkedOn: PRICES_AS_OF,
    verification: 'unverified',
  },
  kmsKey: {
    usd: 1.0,
    per: 'customer-managed key-month',
    source: KMS,
    checkedOn: PRICES_AS_OF,
    verification: 'unverified',
  },
  xrayTrace: {
    usd: 5.0,
    per: 'million traces recorded',
    source: XRAY,
    checkedOn: PRICES_AS_OF,
    verification: 'unverified',
  },
  route53HealthCheckAws: {
    usd: 0.5,
    per: 'health check-month (AWS endpoint)',
    source: ROUTE53,
    checkedOn: '2026-09-20',
    verification: 'aws-page',
    checkedAgainst: ROUTE53_TRANSCRIPT,
  },
  route53HealthCheckNonAws: {
    usd: 0.75,
    per: 'health check-month (non-AWS endpoint)',
    source: ROUTE53,
    checkedOn: '2026-09-20',
    verification: 'aws-page',
    checkedAgainst: ROUTE53_TRANSCRIPT,
  },
  route53FeatureAws: {
    usd: 1.0,
    per: 'optional feature-month per health check (AWS endpoint: HTTPS, string matching, fast interval, latency)',
    source: ROUTE53,
    checkedOn: '2026-09-20',
    verification: 'aws-page',
    checkedAgainst: ROUTE53_TRANSCRIPT,
  },
  route53FeatureNonAws: {
    usd: 2.0,
    per: 'optional feature-month per health check (non-AWS endpoint)',
    source: ROUTE53,
    checkedOn: '2026-09-20',
    verification: 'aws-page',
    checkedAgainst: ROUTE53_TRANSCRIPT,
  },
  arcClusterHour: {
    usd: 2.5,
    per: 'routing-control cluster-hour (5 regions)',
    source: ARC,
    checkedOn: PRICES_AS_OF,
    verification: 'unverified',
  },
} as const satisfies Record<string, PriceFigure>;

export type PriceKey = keyof typeof PRICES;
