// The one hcguard config schema. The CDK app, the operator CLI, the local runtime and the
// Lambdas all parse configs with it, so a config that synthesizes is a config the Lambdas run.
import * as z from 'zod';
import { httpUrl, intBetween, nonEmptyText, oneOf, slug } from './config-rules.ts';
import {
  FAILURE_CLASSES,
  FAULT_MODES,
  RECORD_TYPES,
  SEVERITIES,
  SITES,
  STAGES,
  type Site,
  type Stage,
} from './model/vocabulary.ts';
import { builtinProbes, builtinSecrets } from './probe/builtin.ts';
import { probeSchema, secretRefSchema } from './probe/schema.ts';

const stageUrlsSchema = z.strictObject({
  collection: httpUrl(),
  transmission: httpUrl(),
  verification: httpUrl(),
});

const siteSchema = z.strictObject({
  /** Shown in alerts and reports, e.g. "Shanghai DC-1". Defaults to the site's key. */
  label: nonEmptyText(80).optional(),
  /** Base URL of each stage's API on this site; probe step paths are relative to it. */
  stages: stageUrlsSchema,
});

const domainName = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/, {
      error: `${what} must be a lower-case DNS name such as verify.hc.example.com`,
    });

const withoutTrailingDot = (name: string): string => name.replace(/\.$/, '');

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

const recordSchema = z
  .strictObject({
    /** The existing hosted zone; with only a name, `cdk synth` looks the zone up (needs AWS credentials). */
    zone: z.strictObject({
      id: z
        .string()
        .regex(/^[A-Z0-9]{1,32}$/, {
          error: 'must be a Route 53 hosted zone id (upper-case letters and digits) such as Z0123456789ABCDEFGHIJ',
        })
        .optional(),
      name: domainName('zone.name').transform(withoutTrailingDot),
    }),
    name: domainName('name').transform(withoutTrailingDot),
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
  ],
  { error: 'protocol must be one of: email, sms, https' },
);
export type Subscription = z.infer<typeof subscriptionSchema>;

const severityRouteSchema = z.strictObject({
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
    when: { failureClass: ['wrong-verdict'] },
    severity: 'SEV1',
    reason: 'a verifier giving wrong verdicts is a security breach',
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

const severitySchema = z.strictObject({
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

const objectivesSchema = z.strictObject({
  /** Fault injected → citizens served by the backup. */
  rtoSeconds: intBetween(1, 86_400).default(300),
  /** Records written during the drill that may be missing afterwards. */
  rpoRecords: intBetween(0, 1_000_000).default(0),
  detectSeconds: intBetween(1, 86_400).optional(),
  notifySeconds: intBetween(1, 86_400).optional(),
  ackSeconds: intBetween(1, 86_400).optional(),
});

const drillFaultSchema = z.strictObject({
  site: oneOf(SITES),
  stage: oneOf(STAGES),
  mode: oneOf(FAULT_MODES),
  /** For `latency`: added delay. */
  latencyMs: intBetween(1, 600_000).optional(),
});

const customScenarioSchema = z.strictObject({
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

const isTimeZone = (zone: string): boolean => {
  // The first Intl formatter loads ICU's zone data (~20 ms of a Lambda's cold start): not for the default.
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const localSchema = z.strictObject({
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

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const configSchema = z
  .strictObject({
    /** Names the stack and prefixes local resources. */
    name: slug('name').default('hcguard'),
    /** IANA time zone alerts and reports show local times in (next to UTC), e.g. Asia/Shanghai. */
    timeZone: z
      .string()
      .refine(isTimeZone, { error: 'must be an IANA time zone such as Asia/Shanghai or UTC' })
      .default('UTC'),
    sites: z.strictObject({ primary: siteSchema, backup: siteSchema }),
    probes: z.array(probeSchema).prefault(() => builtinProbes()),
    /** Secrets the probe templates use (`{{ hmac(secret.NAME, …) }}`), by reference only; the built-in probes' by default. */
    secrets: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), secretRefSchema).default(() => builtinSecrets()),
    records: z.array(recordSchema).min(1, { error: 'must manage at least one record' }),
    detection: z
      .strictObject({
        /** Consecutive failed rounds before a target is failing (Route 53's default is 3 too). */
        failureThreshold: intBetween(1, 10).default(3),
        /** Consecutive good rounds before a failing target is healthy again. */
        successThreshold: intBetween(1, 10).default(2),
        /** `changes` state changes within `windowMinutes` hold the target at failing. */
        flap: z
          .strictObject({ changes: intBetween(2, 50).default(4), windowMinutes: intBetween(1, 1440).default(10) })
          .prefault({}),
      })
      .prefault({}),
    severity: severitySchema.prefault({}),
    alerts: z
      .strictObject({
        SEV1: severityRouteSchema.prefault({}),
        SEV2: severityRouteSchema.prefault({}),
        SEV3: severityRouteSchema.prefault({}),
        SEV4: severityRouteSchema.prefault({}),
      })
      .prefault({}),
    schedule: z
      .strictObject({
        /** Seconds between probe rounds; under 60, one invocation runs several rounds. */
        intervalSeconds: intBetween(5, 3_600).default(60),
        /** Probes run at once within a round. */
        concurrency: intBetween(1, 256).default(16),
      })
      .prefault({}),
    failover: z
      .strictObject({
        /** automatic: switch when verification fails on the serving site; manual: only alert. */
        mode: oneOf(['automatic', 'manual']).default('automatic'),
        /** Minimum time between two switches of a record, so flapping cannot flip traffic. */
        dwellMinutes: intBetween(0, 1_440).default(5),
        /** manual: `hcguard failback` approves; automatic: after `failbackAfterHealthyMinutes`. */
        failback: oneOf(['manual', 'automatic']).default('manual'),
        failbackAfterHealthyMinutes: intBetween(1, 1_440).default(10),
        /** Give up waiting for Route 53 INSYNC after this long (the change still applies). */
        insyncTimeoutSeconds: intBetween(5, 900).default(120),
      })
      .prefault({}),
    drills: z
      .strictObject({
        objectives: objectivesSchema.prefault({}),
        /** A drill that runs longer than this aborts and restores routing. */
        timeLimitMinutes: intBetween(1, 720).default(30),
        /** Wait for an operator's `hcguard ack` in the decide phase (the decision test). */
        awaitAck: z.boolean().default(false),
        /** For a real platform: POST { site, stage, mode, action } here to inject or clear a fault. */
        faultHookUrl: httpUrl().optional(),
        /**
         * platform: break the platform for real (the sandbox's fault API locally, `faultHookUrl`
         * otherwise); simulated: feed synthetic failures into evaluation and touch nothing.
         */
        injection: oneOf(['platform', 'simulated']).default('platform'),
        scenarios: z.array(customScenarioSchema).default([]),
      })
      .prefault({}),
    retention: z
      .strictObject({
        /** Probe results expire (DynamoDB TTL) after this many days. */
        resultDays: intBetween(1, 400).default(30),
      })
      .prefault({}),
    deployment: z
      .strictObject({
        account: z
          .string()
          .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' })
          .optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as cn-north-1 or us-east-1' })
          .optional(),
        /** Protects the table from `cdk destroy` and console deletion. */
        deletionProtection: z.boolean().default(true),
        logRetentionDays: z
          .number()
          .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
            error: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
          })
          .default(90),
        /** IAM principals (ARNs) allowed to assume the operator role; the account root if empty. */
        operatorPrincipals: z
          .array(
            z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, {
              error: 'must be an IAM role, user or root ARN',
            }),
          )
          .default([]),
      })
      .prefault({}),
    /** `npm start` (`hcguard up`): the local runtime's ports and its simulated citizens. */
    local: localSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const ids = new Map<string, number>();
    config.probes.forEach((probe, index) => {
      if (ids.has(probe.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', index, 'id'],
          message: `duplicate probe id "${probe.id}" (also probes[${ids.get(probe.id)}])`,
        });
      }
      ids.set(probe.id, index);
      const worstCaseMs = probe.steps.reduce((sum, step) => sum + step.timeoutMs, 0);
      if (worstCaseMs > config.schedule.intervalSeconds * 1000) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', index, 'steps'],
          message: `step timeouts add up to ${worstCaseMs} ms, longer than schedule.intervalSeconds (${config.schedule.intervalSeconds} s)`,
        });
      }
    });
    for (const site of SITES) {
      for (const stage of STAGES) {
        if (!config.probes.some((probe) => probe.stage === stage && probe.sites.includes(site))) {
          ctx.addIssue({
            code: 'custom',
            path: ['probes'],
            message: `no probe checks ${stage} on ${site}: failover pre-flight needs every stage probed on both sites`,
          });
        }
      }
    }
    const names = new Map<string, number>();
    config.records.forEach((record, index) => {
      const key = `${record.name} ${record.type}`;
      if (names.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['records', index, 'name'],
          message: `duplicate record ${key} (also records[${names.get(key)}])`,
        });
      }
      names.set(key, index);
    });
    const citizensRecord = config.local.citizens.record;
    if (
      citizensRecord !== undefined &&
      !config.records.some((record) => record.name === withoutTrailingDot(citizensRecord.toLowerCase()))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['local', 'citizens', 'record'],
        message: `must be one of the managed records: ${config.records.map((record) => record.name).join(', ')}`,
      });
    }
    const scenarioNames = new Set<string>(BUILTIN_SCENARIOS);
    config.drills.scenarios.forEach((scenario, index) => {
      if (scenarioNames.has(scenario.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['drills', 'scenarios', index, 'name'],
          message: `scenario name "${scenario.name}" is already taken`,
        });
      }
      scenarioNames.add(scenario.name);
    });
    const secretNames = new Set(Object.keys(config.secrets));
    config.probes.forEach((probe, index) => {
      for (const name of referencedSecrets(JSON.stringify(probe.steps))) {
        if (!secretNames.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['probes', index, 'steps'],
            message: `uses secret "${name}", which is not declared under secrets`,
          });
        }
      }
    });
  });

export type HcguardConfig = z.infer<typeof configSchema>;
export type HcguardConfigInput = z.input<typeof configSchema>;

/** Names of secrets a template text refers to as `secret.NAME`. */
export const referencedSecrets = (templateText: string): string[] => [
  ...new Set([...templateText.matchAll(/\bsecret\.([a-zA-Z][a-zA-Z0-9_]*)/g)].map((match) => match[1] as string)),
];

/** Identity function that gives `hcguard.config.ts` type checking and completion. */
export const defineConfig = (config: HcguardConfigInput): HcguardConfigInput => config;

export interface ConfigProblem {
  /** Dotted path with array indexes, e.g. `records[0].ttl`; empty for the whole config. */
  readonly path: string;
  readonly rule: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source?: string) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Invalid hcguard config${source ? ` ${source}` : ''} (${count}):\n` +
        problems.map((problem) => `  ${problem.path || '(config)'}: ${problem.rule}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );

/** Validates a config; every problem is reported, none is thrown away. */
export const parseConfig = (input: unknown, source?: string): HcguardConfig => {
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(describeIssues(parsed.error.issues, input), source);
};

export const describeIssues = (issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] =>
  issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(issue.path);
      return issue.keys.map((key) => {
        const suggestion = closest(key, allowed);
        return {
          path: formatPath([...issue.path, key]),
          rule: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        };
      });
    }
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
      return [{ path: formatPath(issue.path), rule: 'is required' }];
    }
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      return [{ path: formatPath(issue.path), rule: `must be ${article(issue.expected)}` }];
    }
    return [{ path: formatPath(issue.path), rule: issue.message }];
  });

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );

/** The keys the schema allows at a path, to suggest the intended one for a typo. */
const allowedKeysAt = (path: readonly PropertyKey[]): string[] => {
  let schema: z.core.$ZodType | undefined = configSchema;
  const unwrap = (candidate: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = candidate;
    for (let depth = 0; current && depth < 10; depth++) {
      const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if (def.innerType) current = def.innerType;
      else if (def.type === 'pipe' && def.in) current = def.in;
      else break;
    }
    return current;
  };
  for (const key of path) {
    schema = unwrap(schema);
    const def = schema?._zod.def as
      | {
          type: string;
          shape?: Record<string, z.core.$ZodType>;
          element?: z.core.$ZodType;
          valueType?: z.core.$ZodType;
        }
      | undefined;
    if (!def) return [];
    if (def.type === 'object' && typeof key === 'string') schema = def.shape?.[key];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return [];
  }
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
};

const closest = (word: string, candidates: readonly string[]): string | undefined => {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
};

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};

export const siteLabel = (config: Pick<HcguardConfig, 'sites'>, site: Site): string => config.sites[site].label ?? site;

export const stageBaseUrl = (config: Pick<HcguardConfig, 'sites'>, site: Site, stage: Stage): string =>
  config.sites[site].stages[stage];
