// The drill service over composeServices' adapters, plus what only drills need: the audit
// queue reader, a fault injector and a record writer chosen for the platform. The operator Lambda,
// the CLI (local runtime or emulator) and the local runtime's dashboard all build it here.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsAlertAudit } from '../adapters/aws/sqs-alert-audit.ts';
import { createDrillRecordWriter } from '../adapters/http/drill-records.ts';
import { createHookFaultInjector, createSandboxFaultInjector } from '../adapters/http/fault-injectors.ts';
import type { ImpactSample } from '../core/drill/model.ts';
import type { AlertAudit } from '../ports.ts';
import { onFirstUse, type Services } from './compose.ts';
import { createDrillService } from './drill/service.ts';
import type { DrillService, DrillServiceDeps } from './drill/types.ts';
import { resolveManagedRecords } from './records.ts';

export interface DrillPlatform {
  /**
   * For the audit queue (`resources.auditQueueUrl`); without it delivery cannot be confirmed. A
   * function is called on first use (the operator Lambda: commands that read no alert need no client).
   */
  readonly sqs?: SQSClient | (() => SQSClient);
  /** The sandbox's origin (local runtime, tests): its fault API and exact record counts. */
  readonly sandboxUrl?: string;
  readonly impact?: (from: Date, to: Date, signal?: AbortSignal) => Promise<readonly ImpactSample[]>;
  readonly sleep?: DrillServiceDeps['sleep'];
  readonly pollMs?: number;
  readonly runnerId?: string;
  readonly newId?: DrillServiceDeps['newId'];
}

/** Where faults go: the sandbox, else the config's fault hook; none with simulated injection. */
export const drillFaultTarget = (
  services: Pick<Services, 'config'>,
  platform: Pick<DrillPlatform, 'sandboxUrl'>,
): DrillServiceDeps['faults'] => {
  const { drills } = services.config;
  if (drills.injection === 'simulated') return undefined;
  if (platform.sandboxUrl)
    return {
      injector: createSandboxFaultInjector(platform.sandboxUrl),
      description: `the sandbox at ${platform.sandboxUrl}`,
    };
  if (drills.faultHookUrl)
    return {
      injector: createHookFaultInjector(drills.faultHookUrl),
      description: `the fault hook at ${new URL(drills.faultHookUrl).origin}`,
    };
  return undefined;
};

/** The audit queue reader, whose SQS client is built on its first read. */
export const lazyAlertAudit = (sqs: SQSClient | (() => SQSClient), queueUrl: string): AlertAudit => {
  const audit = onFirstUse(() => new SqsAlertAudit({ client: typeof sqs === 'function' ? sqs() : sqs, queueUrl }));
  return { receive: (signal) => audit().receive(signal), check: (signal) => audit().check(signal) };
};

export const composeDrillService = (services: Services, platform: DrillPlatform = {}): DrillService => {
  const { config, resources, clock } = services;
  const faults = drillFaultTarget(services, platform);
  // Simulated drills touch nothing on the platform, not even with test records.
  const records =
    config.drills.injection === 'simulated'
      ? undefined
      : createDrillRecordWriter({ config, ...(platform.sandboxUrl ? { sandboxUrl: platform.sandboxUrl } : {}) });
  return createDrillService({
    config,
    clock,
    drills: services.drills,
    store: services.store,
    routing: services.routing,
    failover: services.failover,
    notifier: services.notifier,
    auditLog: services.auditLog,
    topicArns: resources.topicArns,
    router: services.router,
    managedRecords: resolveManagedRecords(config, resources),
    ...(resources.auditQueueUrl && platform.sqs
      ? { audit: lazyAlertAudit(platform.sqs, resources.auditQueueUrl) }
      : {}),
    ...(faults ? { faults } : {}),
    ...(records ? { records } : {}),
    ...(platform.impact ? { impact: platform.impact } : {}),
    ...(platform.sleep ? { sleep: platform.sleep } : {}),
    ...(platform.pollMs !== undefined ? { pollMs: platform.pollMs } : {}),
    ...(platform.runnerId ? { runnerId: platform.runnerId } : {}),
    ...(platform.newId ? { newId: platform.newId } : {}),
  });
};
