// The contract between the stack (or the local runtime) and the code that runs against it:
// which table, topics and zones to use. The stack passes it to the Lambdas as one environment
// variable and as a stack output; the local runtime writes it to .hcguard/runtime.json.
import * as z from 'zod';
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

export const RESOURCES_OUTPUT = 'HcguardResources';
export const METRICS_NAMESPACE = 'hcguard';
export const HEARTBEAT_METRIC = 'ProberHeartbeat';
/** Counted by the probe handler per failed part of a round; the stack alarms on each. */
export const ROUND_ERROR_METRICS = ['ProbeRunErrors', 'StateStoreErrors', 'AlertPublishErrors', 'FailoverErrors'] as const;
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
  topicArns: z.object(Object.fromEntries(SEVERITIES.map((severity) => [severity, z.string().min(1)])) as Record<(typeof SEVERITIES)[number], z.ZodString>),
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
