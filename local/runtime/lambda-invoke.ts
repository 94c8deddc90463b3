// What a Lambda handler gets when the local runtime invokes it in this process, as the Lambda
// runtime would: the stack's environment (HCGUARD_BAKED_CONFIG, HCGUARD_RESOURCES) pointed at the
// emulator, an EventBridge event, and a context whose deadline middy turns into the abort signal.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { BAKED_CONFIG_DEFINE } from '../../lambdas/contract/bundle.ts';
import { RESOURCES_ENV, type DeployedResources } from '../../lambdas/contract/resources.ts';

export interface LambdaEnvironment {
  readonly config: HcguardConfig;
  readonly resources: DeployedResources;
  readonly endpoint: string;
  readonly region: string;
}

/** Emulators accept any credentials; fixed dummy ones keep real ones from ever being used. */
const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

/**
 * Sets the environment the stack gives its Lambdas, pointed at the emulator. The parsed config
 * is valid input (parsing is idempotent), so the handler re-parses exactly what we run.
 */
export const exportLambdaEnvironment = (environment: LambdaEnvironment): void => {
  process.env[BAKED_CONFIG_DEFINE] = JSON.stringify(environment.config);
  process.env[RESOURCES_ENV] = JSON.stringify(environment.resources);
  process.env.AWS_ENDPOINT_URL = environment.endpoint;
  process.env.AWS_REGION = environment.region;
  process.env.AWS_DEFAULT_REGION = environment.region;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, EMULATOR_CREDENTIALS);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_DEV ??= 'true';
};

/** A Lambda context whose remaining time counts down to `deadline`. */
export const lambdaContext = (functionName: string, deadline: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** What EventBridge's schedule sends the probe Lambda. */
export const scheduledEvent = (at: Date) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: process.env.AWS_REGION ?? 'us-east-1',
  resources: ['arn:aws:events:local:000000000000:rule/hcguard-local-schedule'],
  detail: {},
});
