// The Lambdas' own services (adapters on the stack's table, topics and zone), for commands that
// read hcguard's state directly.
import type { Services } from '../../lambdas/app/compose.ts';
import type { CliContext } from './context.ts';

export const servicesFor = async (context: CliContext): Promise<Services> => {
  // Loaded here, not at start-up: only commands that read the stack pay for the AWS SDK.
  const [config, target, { createAwsClients }, { composeServices }] = await Promise.all([
    context.config(),
    context.target(),
    import('../../lambdas/app/aws-clients.ts'),
    import('../../lambdas/app/compose.ts'),
  ]);
  return composeServices({ config, resources: target.resources, clients: createAwsClients(target.clientConfig) });
};
