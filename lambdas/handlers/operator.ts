// The operator Lambda, invoked by the CLI (only the operator role may invoke it): wiring only.
// app/operator-api.ts answers drill and routing commands; app/operator-handler.ts runs it.
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { composeDrillService } from '../app/compose-drills.ts';
import { deployedHandler } from '../app/deployment.ts';
import { createOperatorHandler } from '../app/operator-handler.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hcguard-operator' });

export const handler = deployedHandler('operator', logger, ({ services, region }) =>
  createOperatorHandler({
    // Only drills that read their alerts back from the audit queue build the SQS client.
    drills: composeDrillService(services, { sqs: () => new SQSClient({ region, maxAttempts: 3 }) }),
    operator: services,
    logger,
  }),
);
