// The scheduled probe Lambda: wiring only (app/probe-handler.ts runs the invocation).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { deployedHandler } from '../app/deployment.ts';
import { createProbeHandler } from '../app/probe-handler.ts';
import { METRICS_NAMESPACE } from '../contract/metrics.ts';

// The stack sets POWERTOOLS_SERVICE_NAME to the config's name, as the metrics' service dimension.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hcguard-probe' });

export const handler = deployedHandler('probe', logger, ({ config, services }) => {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.name });
  return createProbeHandler({ config, runRound: services.runRound, logger, metrics });
});
