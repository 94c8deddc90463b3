// A chat-robot subscriber Lambda, one per robot in config, on the severity topics it follows:
// wiring only (app/robot-handler.ts runs it).
import { Logger } from '@aws-lambda-powertools/logger';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { bakedConfigText, BAKED_CONFIG_DEFINE } from '../contract/bundle.ts';
import { loadBakedConfig } from '../core/config/baked.ts';
import { SSM_CACHE_SECONDS } from '../adapters/secrets.ts';
import { createRobotHandler, ROBOT_ENV, robotFromEnvironment } from '../app/robot-handler.ts';
import { alertPresentation } from '../app/round/incident-commits.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hcguard-robot' });
const ssm = new SSMProvider();

const configText = bakedConfigText();
if (!configText)
  throw new Error(`${BAKED_CONFIG_DEFINE} is not set: the robot bundle must be built by the hcguard stack`);

export const handler = createRobotHandler({
  robot: robotFromEnvironment(process.env[ROBOT_ENV]),
  presentation: alertPresentation(loadBakedConfig(configText, `from ${BAKED_CONFIG_DEFINE}`)),
  ssm: async (name) => {
    const value = await ssm.get(name, { decrypt: true, maxAge: SSM_CACHE_SECONDS });
    return typeof value === 'string' ? value : undefined;
  },
  logger,
});
