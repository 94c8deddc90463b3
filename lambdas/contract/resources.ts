// The contract between the stack (or the local runtime) and the code that runs against it:
// which table, topics, zones and functions to use. The stack passes it to the Lambdas in one
// environment variable and as a stack output; the local runtime writes it to .hcguard/runtime.json.
import * as z from 'zod';
import { SEVERITIES } from '../core/model/vocabulary.ts';

export const RESOURCES_ENV = 'HCGUARD_RESOURCES';
export const RESOURCES_OUTPUT = 'HcguardResources';

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
  /** The operator Lambda (drills, routing commands); absent locally, where the CLI runs drills in-process. */
  operatorFunctionName: z.string().min(1).optional(),
  /** SQS queue subscribed to every alert topic: drills read alerts back from it. */
  auditQueueUrl: z.string().min(1).optional(),
});
export type DeployedResources = z.infer<typeof deployedResourcesSchema>;

export const parseResources = (text: string | undefined, source: string): DeployedResources => {
  if (!text) throw new Error(`${source} is not set: it must hold hcguard's resources as JSON`);
  return deployedResourcesSchema.parse(JSON.parse(text));
};
