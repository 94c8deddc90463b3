// What both Lambdas do once per container: read the config baked into the bundle and the
// stack's resources, compose the services, and build the handler — or keep the reason a broken
// environment gives, so that every invocation fails with it (and logs it) rather than init.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createAwsClients } from './aws-clients.ts';
import { composeServices, type Services } from './compose.ts';
import type { HcguardConfig } from '../core/config/schema.ts';
import { bakedConfigText, BAKED_CONFIG_DEFINE } from '../contract/bundle.ts';
import { loadBakedConfig } from '../core/config/baked.ts';
import { parseResources, RESOURCES_ENV } from '../contract/resources.ts';

export interface Deployment {
  readonly config: HcguardConfig;
  readonly services: Services;
  readonly region: string | undefined;
}

type Handler<Result> = (event: unknown, context: Context) => Promise<Result>;

const readDeployment = (bundle: string): Deployment => {
  const configText = bakedConfigText();
  if (!configText)
    throw new Error(`${BAKED_CONFIG_DEFINE} is not set: the ${bundle} bundle must be built by the hcguard stack`);
  const config = loadBakedConfig(configText, `from ${BAKED_CONFIG_DEFINE}`);
  const resources = parseResources(process.env[RESOURCES_ENV], RESOURCES_ENV);
  const region = process.env.AWS_REGION;
  return { config, region, services: composeServices({ config, resources, clients: createAwsClients({ region }) }) };
};

/** The deployed handler of the `bundle` Lambda, built by `build` from the deployment at init. */
export const deployedHandler = <Result>(
  bundle: string,
  logger: Logger,
  build: (deployment: Deployment) => Handler<Result>,
): Handler<Result> => {
  const deployed = ((): { readonly handler: Handler<Result> } | { readonly error: Error } => {
    try {
      return { handler: build(readDeployment(bundle)) };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  })();
  return async (event, context) => {
    if ('error' in deployed) {
      logger.error(`hcguard ${bundle}: cannot start`, { error: deployed.error.message });
      throw deployed.error;
    }
    return deployed.handler(event, context);
  };
};
