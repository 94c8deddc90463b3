// The config's sections, one zod schema each: sites, records, alerts, severities, drills, the local runtime.
import { normalizeRecordName } from '../model/routing.ts';
import { FAILURE_CLASSES, FAULT_MODES, RECORD_TYPES, SEVERITIES, SITES, STAGES } from '../model/vocabulary.ts';
import { httpUrl, intBetween, nonEmptyText, oneOf, slug } from '../config-rules.ts';
import * as z from 'zod';

const stageUrlsSchema = z.strictObject({
  collection: httpUrl(),
  transmission: httpUrl(),
  verification: httpUrl(),
});

export const siteSchema = z.strictObject({
  /** Shown in alerts and reports, e.g. "Shanghai DC-1". Defaults to the site's key. */
  label: nonEmptyText(80).optional(),
  /** Base URL of each stage's API on this site; probe step paths are relative to it. */
  stages: stageUrlsSchema,
  /** Literal values probes read as `siteVars.NAME` (app ids, paths) so one probe serves both sites. */
  vars: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a name like appId' }), z.unknown())
    .default({}),
  /**
   * On this site, `secret.NAME` in a probe means the secret named here (from `secrets`): e.g.
   * { transmissionKey: "backupTransmissionKey" } when each site has its own key.
   */
  secrets: z.record(z.string(), z.string()).default({}),
});

const domainName = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/, {
      error: `${what} must be a lower-case DNS name such as verify.hc.example.com`,
    });

const aliasTargetSchema = z.strictObject({
  dnsName: domainName('alias.dnsName'),
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,32}$/, { error: 'must be a Route 53 hosted zone id such as Z2FDTNDATAQYW2' }),
  evaluateTargetHealth: z.boolean().default(false),
});

/** What a managed record answers while a site serves: plain values, or an alias target. */
const recordValueSchema = z.union(
  [
    z.strictObject({ values: z.array(nonEmptyText(255)).min(1, { error: 'must list at least one value' }).max(100) }),
    z.strictObject({ alias: aliasTargetSchema }),
  ],
  { error: 'must be { values: [...] } or { alias: { dnsName, hostedZoneId } }' },
);

export type RecordValue = z.infer<typeof recordValueSchema>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const IPV6 = /^[0-9a-f:]+$/i;

export const recordSchema = z
  .strictObject({
    /** The existing hosted zone; with only a name, `cdk synth` looks the zone up (needs AWS credentials). */
    zone: z.strictObject({
      id: z
        .string()
        .regex(/^[A-Z0-9]{1,32}$/, {
          error: 'must be a Route 53 hosted zone id (upper-case letters and digits) such as Z0123456789ABCDEFGHIJ',
        })
        .optional(),
      name: domainName('zone.name').transform(normalizeRecordName),
    }),
    name: domainName('name').transform(normalizeRecordName),
    type: oneOf(RECORD_TYPES),
    ttl: intBetween(1, 86_400).default(60),
    /** The stage whose health decides where this record points. */
    stage: oneOf(STAGES).default('verification'),
    values: z.strictObject({ primary: recordValueSchema, backup: recordValueSchema }),
  })
  .superRefine((record, ctx) => {
    const { name, zone } = record;
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `must be inside the zone ${zone.name}` });
    }
    for (const site of SITES) {
      const value = record.values[site];
      if ('alias' in value) {
        if (record.type === 'CNAME') {
          ctx.addIssue({
            code: 'custom',
            path: ['values', site, 'alias'],
            message: 'alias targets need type A or AAAA',
          });
        }
        continue;
      }
      value.values.forEach((entry, index) => {
        const path = ['values', site, 'values', index];
        if (record.type === 'A' && !IPV4.test(entry)) {
          ctx.addIssue({ code: 'custom', path, message: 'must be an IPv4 address for an A record' });
        }
        if (record.type === 'AAAA' && !(IPV6.test(entry) && entry.includes(':'))) {
          ctx.addIssue({ code: 'custom', path, message: 'must be an IPv6 address for an AAAA record' });
        }
      });
      if (record.type === 'CNAME' && value.values.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['values', site, 'values'],
          message: 'a CNAME record has exactly one value',
        });
      }
    }
    if (JSON.stringify(record.values.primary) === JSON.stringify(record.values.backup)) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: 'primary and backup must differ, or a switch changes nothing',
      });
    }
  });

export type ManagedRecordConfig = z.infer<typeof recordSchema>;

/** The chat robots the subscriber Lambda posts to (core/robots.ts). */
export const ROBOT_CHANNELS = ['dingtalk', 'wecom', 'feishu'] as const;

const ssmParameterName = z
  .string()
  .regex(/^\/[\w./-]{1,1000}$/, { error: 'must be an SSM parameter name such as /hcguard/robots/oncall-webhook' });

const subscriptionSchema = z.discriminatedUnion(
  'protocol',
  [
    z.strictObject({ protocol: z.literal('email'), endpoint: z.email({ error: 'must be an e-mail address' }) }),
    z.strictObject({
      protocol: z.literal('sms'),
      endpoint: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, { error: 'must be a phone number in E.164 form, e.g. +8613800000000' }),
    }),
    z.strictObject({
      protocol: z.literal('https'),
      endpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
      rawMessageDelivery: z.boolean().default(false),
    }),
    z
      .strictObject({
        protocol: z.literal('robot'),
        channel: oneOf(ROBOT_CHANNELS),
        /** SSM parameter (SecureString) holding the robot's webhook URL: its token is a credential. */
        webhookParameter: ssmParameterName,
        /** SSM parameter (SecureString) holding the signing secret (DingTalk and Feishu robots with signing on). */
        secretParameter: ssmParameterName.optional(),
      })
      .refine((robot) => robot.channel !== 'wecom' || robot.secretParameter === undefined, {
        error: 'WeCom robots sign nothing (the key is in the webhook URL): remove secretParameter',
        path: ['secretParameter'],
      }),
  ],
  { error: 'protocol must be one of: email, sms, https, robot' },
);

export type Subscription = z.infer<typeof subscriptionSchema>;

export const severityRouteSchema = z.strictObject({
  subscriptions: z.array(subscriptionSchema).max(100).default([]),
});

const severityRuleSchema = z.strictObject({
  when: z.strictObject({
    stage: oneOf(STAGES).optional(),
    failureClass: z.array(oneOf(FAILURE_CLASSES)).min(1).optional(),
    /** true: the site currently serves traffic for a record following this stage. */
    serving: z.boolean().optional(),
    outcome: oneOf(['degraded', 'failed']).optional(),
  }),
  severity: oneOf(SEVERITIES),
  /** Why this level: printed by `hcguard config check` and kept in the incident. */
  reason: nonEmptyText(200),
});

export type SeverityRule = z.infer<typeof severityRuleSchema>;

/**
 * The documented default mapping from health-code impact to severity; the first matching rule
 * wins. Findings that are not about one probe (no healthy site, cannot fail over, missing
 * heartbeat, recoveries, drill notices) are set in `severity.fixed`.
 */
export const DEFAULT_SEVERITY_RULES: readonly SeverityRule[] = [
  {
    when: { failureClass: ['stream-reset'] },
    severity: 'SEV3',
    reason: "the platform's transmission stream was reset: records sent before it are gone from it",
  },
  {
    when: { failureClass: ['wrong-verdict'] },
    severity: 'SEV1',
    reason: 'a verifier giving wrong verdicts is a security breach',
  },
  {
    when: { failureClass: ['rejected'] },
    severity: 'SEV2',
    reason: "the platform refuses the probe's requests with a business error (see its code and message)",
  },
  {
    when: { stage: 'verification', serving: true, outcome: 'failed' },
    severity: 'SEV1',
    reason: 'citizens cannot be verified at checkpoints',
  },
  {
    when: { stage: 'transmission', failureClass: ['integrity'] },
    severity: 'SEV2',
    reason: 'declarations are lost or tampered with in transit',
  },
  {
    when: { serving: false, outcome: 'failed' },
    severity: 'SEV2',
    reason: 'the standby site is broken: no failover is possible',
  },
  {
    when: { stage: 'collection', failureClass: ['assertion'] },
    severity: 'SEV3',
    reason: 'stored health data differs from what was declared',
  },
  { when: { outcome: 'degraded' }, severity: 'SEV3', reason: 'slow answers: checkpoints queue up' },
  { when: {}, severity: 'SEV2', reason: 'a stage of the serving site is failing' },
];

export const severitySchema = z.strictObject({
  rules: z
    .array(severityRuleSchema)
    .min(1)
    .default([...DEFAULT_SEVERITY_RULES]),
  fixed: z
    .strictObject({
      noHealthySite: oneOf(SEVERITIES).default('SEV1'),
      cannotFailOver: oneOf(SEVERITIES).default('SEV1'),
      /** A switch whose Route 53 change has no known outcome yet: traffic may still be on a failing site. */
      switchInProgress: oneOf(SEVERITIES).default('SEV1'),
      heartbeatMissing: oneOf(SEVERITIES).default('SEV2'),
      recovered: oneOf(SEVERITIES).default('SEV4'),
      drillNotice: oneOf(SEVERITIES).default('SEV4'),
    })
    .prefault({}),
  /** An unacknowledged incident at these levels escalates after `escalateAfterMinutes`. */
  escalate: z.array(oneOf(SEVERITIES)).default(['SEV1', 'SEV2']),
  escalateAfterMinutes: intBetween(1, 1440).default(15),
  /** An open, unacknowledged incident is re-announced this often. */
  reminderIntervalMinutes: intBetween(1, 10_080).default(30),
});

export const objectivesSchema = z.strictObject({
  /** Fault injected → citizens served by the backup. */
  rtoSeconds: intBetween(1, 86_400).default(300),
  /** Records written during the drill that may be missing afterwards. */
  rpoRecords: intBetween(0, 1_000_000).default(0),
  /** Unset, detect, notify and switch are judged against what the settings promise (see planObjectives). */
  detectSeconds: intBetween(1, 86_400).optional(),
  notifySeconds: intBetween(1, 86_400).optional(),
  /** Incident opened → Route 53 INSYNC on the backup. */
  switchSeconds: intBetween(1, 86_400).optional(),
  ackSeconds: intBetween(1, 86_400).optional(),
});

const drillFaultSchema = z.strictObject({
  site: oneOf(SITES),
  stage: oneOf(STAGES),
  mode: oneOf(FAULT_MODES),
  /** For `latency`: added delay. */
  latencyMs: intBetween(1, 600_000).optional(),
});

export const customScenarioSchema = z.strictObject({
  name: slug('scenario name'),
  description: nonEmptyText(500),
  faults: z.array(drillFaultSchema).min(1, { error: 'must inject at least one fault' }),
  /** Whether the scenario expects traffic to move to the backup. */
  expectFailover: z.boolean().default(true),
  objectives: objectivesSchema.partial().optional(),
});

export type CustomScenario = z.infer<typeof customScenarioSchema>;

export const BUILTIN_SCENARIOS = [
  'verification-outage',
  'transmission-tampering',
  'collection-data-loss',
  'full-site-outage',
] as const;

export const isTimeZone = (zone: string): boolean => {
  // The first Intl formatter loads ICU's zone data (~20 ms of a Lambda's cold start): not for the default.
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const localSchema = z.strictObject({
  /** The operator dashboard's port on 127.0.0.1; 0 lets the OS pick a free one. */
  dashboardPort: intBetween(0, 65_535).default(8600),
  /** The port of the moto server `hcguard up` starts (not used with AWS_ENDPOINT_URL); 0 picks a free one. */
  motoPort: intBetween(0, 65_535).default(0),
  citizens: z
    .strictObject({
      /** Verification requests per second across all simulated citizens; 0 turns them off. */
      requestsPerSecond: intBetween(0, 200).default(5),
      /** The managed record citizens resolve; the first record following verification by default. */
      record: z.string().optional(),
      /** A citizen gives up on a verification after this long: a user-visible failure. */
      timeoutMs: intBetween(100, 60_000).default(3_000),
      /** Width of one bucket of the success-rate series. */
      bucketSeconds: intBetween(1, 300).default(5),
    })
    .prefault({}),
});

export type LocalConfig = z.infer<typeof localSchema>;

export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
