// The contract between the stack (or the local runtime) and the code that runs against it:
// which table, topics and zones to use. The stack passes it to the Lambdas as one environment
// variable and as a stack output; the local runtime writes it to .hcguard/runtime.json.
import * as z from 'zod';
import { configSchema, parseConfig, type HcguardConfig } from './core/config.ts';
import { SEVERITIES } from './core/model.ts';

export const RESOURCES_ENV = 'HCGUARD_RESOURCES';
/** Baked into each Lambda bundle at synth time (esbuild `define`), so it is not limited to 4 KB. */
export const CONFIG_ENV = 'HCGUARD_CONFIG';
/**
 * The config text baked into a Lambda bundle. esbuild's `define` replaces exactly the expression
 * `process.env.HCGUARD_CONFIG` at bundle time, so read it here and nowhere else; outside a
 * bundle (local runtime, tests) it is an ordinary environment variable.
 */
export const bakedConfigText = (): string | undefined => process.env.HCGUARD_CONFIG;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Baked 'false' into a bundle whose config reads no secret from SSM (see adapters/secrets.ts). */
export const SSM_SECRETS_DEFINE = 'HCGUARD_SSM_SECRETS';

/**
 * esbuild's `define` for a Lambda bundle (the stack and the packages bench use the same): the
 * config as JSON text, and whether any secret is read from SSM, so a bundle that never reads
 * one leaves the SSM client out. A config whose secrets cannot be told keeps SSM in.
 */
export const bundleDefines = (config: unknown): Record<string, string> => {
  const secrets = isRecord(config) && isRecord(config.secrets) ? Object.values(config.secrets) : undefined;
  const withoutSsm = secrets?.every((ref) => isRecord(ref) && !('ssmParameter' in ref)) ?? false;
  return {
    [`process.env.${CONFIG_ENV}`]: JSON.stringify(JSON.stringify(config)),
    [`process.env.${SSM_SECRETS_DEFINE}`]: JSON.stringify(withoutSsm ? 'false' : 'true'),
  };
};

/**
 * The config baked into a Lambda bundle. The stack bakes parseConfig's output, so a config that
 * already has the parsed shape (every default filled in, no unknown key, every value of the kind
 * the schema produces) is used as it is: a full zod parse costs a cold start some 25 ms. Anything
 * else (an input config, a truncated or foreign one) goes through parseConfig, which fills the
 * defaults in or throws the ConfigError that names every problem.
 */
export const loadBakedConfig = (text: string, source: string): HcguardConfig => {
  const value: unknown = JSON.parse(text);
  return hasParsedShape(configSchema, value) ? (value as HcguardConfig) : parseConfig(value, source);
};

/**
 * Whether `value` has the shape `schema` produces when it parses: types, required keys, enum and
 * literal members, recursively. Value rules (bounds, patterns, refinements) are not re-checked:
 * the stack's parse checked them. Any schema kind not listed here answers false, so a schema
 * change can only make loading slower (a full parse), never let a wrong shape through.
 */
export const hasParsedShape = (schema: z.core.$ZodType, value: unknown): boolean => {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'unknown':
      return true;
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>).includes(value);
    case 'literal':
      return (def.values as unknown[]).includes(value);
    // A default is filled in by parsing: the parsed value is there.
    case 'default':
    case 'prefault':
      return value !== undefined && hasParsedShape(def.innerType as z.core.$ZodType, value);
    case 'optional':
      return value === undefined || hasParsedShape(def.innerType as z.core.$ZodType, value);
    // A transform's output is checked against its input's kind: right for the config's (domain
    // names lose their trailing dot); one that changes the kind answers false.
    case 'pipe': {
      const out = (def.out as z.core.$ZodType)._zod.def.type;
      return out === 'transform' && hasParsedShape(def.in as z.core.$ZodType, value);
    }
    case 'union':
      return (def.options as z.core.$ZodType[]).some((option) => hasParsedShape(option, value));
    case 'array':
      return Array.isArray(value) && value.every((entry) => hasParsedShape(def.element as z.core.$ZodType, entry));
    case 'record':
      return (
        isRecord(value) &&
        Object.values(value).every((entry) => hasParsedShape(def.valueType as z.core.$ZodType, entry))
      );
    case 'object': {
      if (!isRecord(value)) return false;
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const catchall = def.catchall as z.core.$ZodType | undefined;
      // Parsing drops or rejects unknown keys unless the object is loose.
      if ((!catchall || catchall._zod.def.type === 'never') && Object.keys(value).some((key) => !(key in shape)))
        return false;
      return Object.entries(shape).every(([key, field]) => hasParsedShape(field, value[key]));
    }
    default:
      return false;
  }
};

export const RESOURCES_OUTPUT = 'HcguardResources';
export const METRICS_NAMESPACE = 'hcguard';
export const HEARTBEAT_METRIC = 'ProberHeartbeat';
/** Counted by the probe handler per failed part of a round; the stack alarms on each. */
export const ROUND_ERROR_METRICS = [
  'ProbeRunErrors',
  'StateStoreErrors',
  'AlertPublishErrors',
  'FailoverErrors',
] as const;
export type RoundErrorMetric = (typeof ROUND_ERROR_METRICS)[number];
/** Per result, dimensions service/site/stage: 1 when ok or degraded, 0 when failed. */
export const PROBE_SUCCESS_METRIC = 'ProbeSuccess';
/** Per result, dimensions service/site/stage: the probe's duration in milliseconds. */
export const PROBE_LATENCY_METRIC = 'ProbeLatency';

/** The alert topic of one severity: the stack and the local provisioner both name it so. */
export const topicNameFor = (serviceName: string, severity: (typeof SEVERITIES)[number]): string =>
  `${serviceName}-${severity.toLowerCase()}`;

export const deployedResourcesSchema = z.object({
  tableName: z.string().min(1),
  topicArns: z.object(
    Object.fromEntries(SEVERITIES.map((severity) => [severity, z.string().min(1)])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodString
    >,
  ),
  /** Hosted zone id of each managed record, by record name (lower case, no trailing dot). */
  hostedZoneIds: z.record(z.string(), z.string().min(1)),
  /** The drill Lambda; absent locally, where the CLI runs drills in-process. */
  drillFunctionName: z.string().min(1).optional(),
  /** SQS queue subscribed to every alert topic: drills read alerts back from it. */
  auditQueueUrl: z.string().min(1).optional(),
});
export type DeployedResources = z.infer<typeof deployedResourcesSchema>;

export const parseResources = (text: string | undefined, source: string): DeployedResources => {
  if (!text) throw new Error(`${source} is not set: it must hold hcguard's resources as JSON`);
  return deployedResourcesSchema.parse(JSON.parse(text));
};
