// The drill service over composeServices' adapters, plus what only drills need: the audit
// queue reader, a fault injector and a record writer chosen for the platform. The drill Lambda,
// the CLI (local runtime or emulator) and the local runtime's dashboard all build it here.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Route53Router } from '../adapters/aws/route53-router.ts';
import { SqsAlertAudit } from '../adapters/aws/sqs-alert-audit.ts';
import { createDrillRecordWriter } from '../adapters/http/drill-records.ts';
import { createHookFaultInjector, createSandboxFaultInjector } from '../adapters/http/fault-injectors.ts';
import type { ImpactSample } from '../core/drill/model.ts';
import type { Services } from './compose.ts';
import { createDrillService, type DrillService, type DrillServiceDeps } from './drill.ts';
import { resolveManagedRecords } from './records.ts';

export interface DrillPlatform {
  /** For the audit queue (`resources.auditQueueUrl`); without it delivery cannot be confirmed. */
  readonly sqs?: SQSClient;
  /** The sandbox's origin (local runtime, tests): its fault API and exact record counts. */
  readonly sandboxUrl?: string;
  readonly impact?: (from: Date, to: Date, signal?: AbortSignal) => Promise<readonly ImpactSample[]>;
  readonly sleep?: DrillServiceDeps['sleep'];
  readonly pollMs?: number;
  readonly runnerId?: string;
  readonly newId?: DrillServiceDeps['newId'];
}

/** Where faults go: the sandbox, else the config's fault hook; none with simulated injection. */
export const drillFaultTarget = (services: Pick<Services, 'config'>, platform: Pick<DrillPlatform, 'sandboxUrl'>): DrillServiceDeps['faults'] => {
  const { drills } = services.config;
  if (drills.injection === 'simulated') return undefined;
  if (platform.sandboxUrl) return { injector: createSandboxFaultInjector(platform.sandboxUrl), description: `the sandbox at ${platform.sandboxUrl}` };
  if (drills.faultHookUrl) return { injector: createHookFaultInjector(drills.faultHookUrl), description: `the fault hook at ${new URL(drills.faultHookUrl).origin}` };
  return undefined;
};

export const composeDrillService = (services: Services, platform: DrillPlatform = {}): DrillService => {
  const { config, resources, clients, clock } = services;
  const faults = drillFaultTarget(services, platform);
  // Simulated drills touch nothing on the platform, not even with test records.
  const records = config.drills.injection === 'simulated' ? undefined : createDrillRecordWriter({ config, ...(platform.sandboxUrl ? { sandboxUrl: platform.sandboxUrl } : {}) });
  return createDrillService({
    config,
    clock,
    drills: services.drills,
    store: services.store,
    routing: services.routing,
    failover: services.failover,
    notifier: services.notifier,
    topicArns: resources.topicArns,
    router: new Route53Router(clients.route53),
    managedRecords: resolveManagedRecords(config, resources),
    ...(resources.auditQueueUrl && platform.sqs ? { audit: new SqsAlertAudit({ client: platform.sqs, queueUrl: resources.auditQueueUrl }) } : {}),
    ...(faults ? { faults } : {}),
    ...(records ? { records } : {}),
    ...(platform.impact ? { impact: platform.impact } : {}),
    ...(platform.sleep ? { sleep: platform.sleep } : {}),
    ...(platform.pollMs !== undefined ? { pollMs: platform.pollMs } : {}),
    ...(platform.runnerId ? { runnerId: platform.runnerId } : {}),
    ...(platform.newId ? { newId: platform.newId } : {}),
  });
};
