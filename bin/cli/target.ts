// Where the CLI's commands act: the local runtime (found through .hcguard/runtime.json), an
// AWS emulator named by --endpoint-url / AWS_ENDPOINT_URL, or the deployed stack in AWS.
import { isAlive } from './process.ts';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { deployedResourcesSchema, RESOURCES_OUTPUT, type DeployedResources } from '../../lambdas/contract/resources.ts';
import { CommandFailed, UsageError } from './errors.ts';

export const RUNTIME_FILE = '.hcguard/runtime.json';

/** What `hcguard up` writes so that commands in another terminal find the running stack. */
export const localRuntimeSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  endpoint: z.string().url(),
  region: z.string(),
  configPath: z.string(),
  resources: deployedResourcesSchema,
  sandboxUrl: z.string().url().optional(),
  dashboardUrl: z.string().url().optional(),
  /** The sandbox signs with its development key (not a secret): local probes may use it unasked. */
  sandboxDevelopmentKey: z.boolean().optional(),
  /** The moto server `hcguard up` started: a crashed run's is stopped before the file is replaced. */
  motoPid: z.number().int().optional(),
});
export type LocalRuntime = z.infer<typeof localRuntimeSchema>;

export interface AwsClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface Target {
  readonly mode: 'local' | 'emulator' | 'aws';
  readonly clientConfig: AwsClientConfig;
  readonly resources: DeployedResources;
  readonly runtime?: LocalRuntime;
}

export interface TargetOptions {
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly stackName: string;
  /** Where to look for a running local runtime's file, first match wins (default: the working directory). */
  readonly runtimeDirs?: readonly string[];
}

/** The running local runtime whose file is in the first of `dirs` that has a live one. */
export const readLocalRuntime = (dirs: string | readonly string[] = process.cwd()): LocalRuntime | undefined => {
  for (const dir of [dirs].flat()) {
    const path = resolve(dir, RUNTIME_FILE);
    if (!existsSync(path)) continue;
    const runtime = localRuntimeSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (runtime.success && isAlive(runtime.data.pid)) return runtime.data;
  }
  return undefined;
};

/** Emulators accept any credentials; dummy ones keep the SDK from searching for real ones. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export const resolveTarget = async (options: TargetOptions): Promise<Target> => {
  const runtime = readLocalRuntime(options.runtimeDirs);
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
  if (runtime && (!endpoint || endpoint === runtime.endpoint)) {
    return {
      mode: 'local',
      clientConfig: { region: runtime.region, endpoint: runtime.endpoint, credentials: EMULATOR_CREDENTIALS },
      resources: runtime.resources,
      runtime,
    };
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError(
      'no local stack is running (start one with `npm start`), and no deployed stack was named: pass --region ' +
        "(or set AWS_REGION), and --stack-name when the stack is not named after the config's name",
    );
  const clientConfig: AwsClientConfig = endpoint ? { region, endpoint, credentials: EMULATOR_CREDENTIALS } : { region };
  return {
    mode: endpoint ? 'emulator' : 'aws',
    clientConfig,
    resources: await stackResources(options.stackName, clientConfig),
  };
};

const stackResources = async (stackName: string, clientConfig: AwsClientConfig): Promise<DeployedResources> => {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = new CloudFormationClient(clientConfig);
  let outputs;
  try {
    const response = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = response.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    const why = `cannot read stack ${stackName}: ${(error as Error).message}`;
    // CloudFormation answers ValidationError for a stack that does not exist: the name is wrong.
    // Anything else (no network, no credentials, access denied, throttling) is a failure, not usage.
    if ((error as Error).name === 'ValidationError')
      throw new UsageError(
        `${why}. Deploy it with \`npx cdk deploy\`, pass --stack-name, or start the local runtime with \`npm start\``,
      );
    throw new CommandFailed(`${why}. Check the network path, the credentials and the region`);
  } finally {
    cloudformation.destroy();
  }
  const output = outputs.find((entry) => entry.OutputKey === RESOURCES_OUTPUT)?.OutputValue;
  if (!output) throw new UsageError(`stack ${stackName} has no ${RESOURCES_OUTPUT} output: is it an hcguard stack?`);
  return deployedResourcesSchema.parse(JSON.parse(output));
};
