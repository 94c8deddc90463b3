// The one hcguard config schema. The CDK app, the operator CLI, the local runtime and the
// Lambdas all parse configs with it, so a config that synthesizes is a config the Lambdas run.
import {
  LOG_RETENTION_DAYS,
  customScenarioSchema,
  isTimeZone,
  localSchema,
  objectivesSchema,
  recordSchema,
  severityRouteSchema,
  severitySchema,
  siteSchema,
} from './sections.ts';
import { builtinProbes, builtinSecrets } from '../probe/builtin.ts';
import { crossFieldRules } from './cross-rules.ts';
import { httpUrl, intBetween, oneOf, slug } from '../config-rules.ts';
import { secretRefSchema } from '../probe/schema.ts';
import { probeEntrySchema } from '../probe/presets.ts';
import { DEFAULT_TIME_ZONE, LOCALES } from '../i18n/index.ts';
import * as z from 'zod';

export const baseSchema = z.strictObject({
  /** Names the stack and prefixes local resources. */
  name: slug('name').default('hcguard'),
  /** The language of alerts, chat cards, the console, the dashboard and drill reports. */
  locale: oneOf(LOCALES).default('en'),
  /**
   * IANA time zone alerts and reports show local times in (next to UTC), e.g. Asia/Shanghai; by
   * default Asia/Shanghai for `zh-CN` and UTC for `en`.
   */
  timeZone: z
    .string()
    .refine(isTimeZone, { error: 'must be an IANA time zone such as Asia/Shanghai or UTC' })
    .optional(),
  sites: z.strictObject({ primary: siteSchema, backup: siteSchema }),
  /**
   * Where alerts point the people they wake: the runbook (each alert links its incident kind's
   * section, `<runbook>#probe-timeout` and so on: docs/runbook.md has them) and the dashboard.
   */
  links: z.strictObject({ runbook: httpUrl().optional(), dashboard: httpUrl().optional() }).prefault({}),
  probes: z.array(probeEntrySchema).prefault(() => builtinProbes()),
  /**
   * Secrets the probe templates use (`{{ hmac(secret.NAME, …) }}`), by reference only; the built-in
   * probes' by default.
   */
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
      /**
       * The table in an AWS Backup plan: a daily backup kept `retentionDays`, beside point-in-time
       * recovery (35 days at most), so incidents and the audit log survive a deleted table or key.
       */
      backup: z
        .strictObject({
          enabled: z.boolean().default(true),
          retentionDays: intBetween(1, 36_500).default(35),
        })
        .prefault({}),
      /** Who may assume the operator role (read status, invoke the operator Lambda). */
      operators: z
        .strictObject({
          /**
           * IAM principals (ARNs) trusted by the operator role. Empty: principals of this account
           * tagged `hcguard-operator=true` (the account root is never trusted as such).
           */
          principals: z
            .array(
              z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, {
                error: 'must be an IAM role, user or root ARN',
              }),
            )
            .default([]),
          /** Assuming the role needs a session signed with MFA (aws:MultiFactorAuthPresent). */
          requireMfa: z.boolean().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  /** `npm start` (`hcguard up`): the local runtime's ports and its simulated citizens. */
  local: localSchema.prefault({}),
});

export const configSchema = baseSchema
  .superRefine(crossFieldRules)
  .transform((config) => ({ ...config, timeZone: config.timeZone ?? DEFAULT_TIME_ZONE[config.locale] }));

export type HcguardConfig = z.infer<typeof configSchema>;

export type HcguardConfigInput = z.input<typeof configSchema>;
