// The robot subscriber Lambda's handler: which robot it posts to (HCGUARD_ROBOT, set by the
// stack), the alerts' presentation from the baked config, SSM through Powertools (decrypted, cached for
// five minutes), all under middy; ./robot-delivery.ts does the work.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import { ROBOT_CHANNELS } from '../core/config/sections.ts';
import { deliverToRobot, type RobotDeliveryDeps, type RobotTarget } from './robot-delivery.ts';

export const ROBOT_ENV = 'HCGUARD_ROBOT';

const robotSchema = z.strictObject({
  channel: z.enum(ROBOT_CHANNELS),
  webhookParameter: z.string().min(2),
  secretParameter: z.string().min(2).optional(),
});

/** The robot this function posts to, as the stack wrote it; a clear error when it did not. */
export const robotFromEnvironment = (text: string | undefined): RobotTarget => {
  if (!text) throw new Error(`${ROBOT_ENV} is not set: the robot function must be deployed by the hcguard stack`);
  const parsed = robotSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${ROBOT_ENV} is not a robot: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
};

export const createRobotHandler = (deps: Omit<RobotDeliveryDeps, 'log'> & { readonly logger: Logger }) =>
  middy(async (event: SNSEvent): Promise<void> => {
    await deliverToRobot(event, { ...deps, log: (message, fields) => deps.logger.info(message, fields) });
  });
