// The Lambdas' own services (adapters on the stack's table, topics and zone), for commands that
// read hcguard's state directly.
import { createAwsClients } from '../../lambdas/app/aws-clients.ts';
import { composeServices, type Services } from '../../lambdas/app/compose.ts';
import type { CliContext } from './context.ts';

export const servicesFor = async (context: CliContext): Promise<Services> => {
  const [config, target] = await Promise.all([context.config(), context.target()]);
  return composeServices({ config, resources: target.resources, clients: createAwsClients(target.clientConfig) });
};
