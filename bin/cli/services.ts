// The Lambdas' own services (adapters on the stack's table, topics and zone), for commands that
// read hcguard's state directly.
import type { Services } from '../../lambdas/app/compose.ts';
import type { CliContext } from './context.ts';

export const servicesFor = async (context: CliContext): Promise<Services> => {
  const [config, target] = await Promise.all([context.config(), context.target()]);
  // Loaded here, once there is a stack to read: the AWS SDK is most of a command's start-up.
  const [{ createAwsClients }, { composeServices }] = await Promise.all([
    import('../../lambdas/app/aws-clients.ts'),
    import('../../lambdas/app/compose.ts'),
  ]);
  return composeServices({ config, resources: target.resources, clients: createAwsClients(target.clientConfig) });
};
