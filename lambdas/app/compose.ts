// The composition root: every adapter and service hcguard runs, built from one set of SDK
// clients. The probe Lambda, the operator Lambda, the CLI and the local runtime all call
// composeServices, so they act through the same code whatever the target (AWS or moto).
// One section per concern below.
import type { HcguardConfig } from '../core/config/schema.ts';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log.ts';
import { DynamoDrillStore } from '../adapters/aws/dynamo-drill-store.ts';
import { createDynamoSequenceSource } from '../adapters/aws/dynamo-sequence-source.ts';
import { DynamoRoutingStore } from '../adapters/aws/dynamo-routing-store.ts';
import { Route53Router } from '../adapters/aws/route53-router.ts';
import { DynamoStateStore } from '../adapters/aws/dynamo-state-store.ts';
import { SnsNotifier } from '../adapters/aws/sns-notifier.ts';
import { createSecretSource } from '../adapters/secrets.ts';
import { systemClock } from '../adapters/clock.ts';
import type { AuditLog, Clock, DrillStore, Notifier, ProbeRunner, Router, RoutingStore, StateStore } from '../ports.ts';
import type { DeployedResources } from '../contract/resources.ts';
import type { AwsClients } from './aws-clients.ts';
import { createFailoverController, type FailoverService } from './failover.ts';
import { createProbeRunner } from './probe-runner.ts';
import { resolveManagedRecords } from './records.ts';
import { runRound } from './round.ts';
import type { RoundMemory, RoundOptions, RoundSummary } from './round/types.ts';
import { withSimulatedFaults } from './simulated-faults.ts';

export interface ComposeInput {
  readonly config: HcguardConfig;
  readonly resources: DeployedResources;
  readonly clients: AwsClients;
  readonly clock?: Clock;
}

export interface Services {
  readonly config: HcguardConfig;
  readonly resources: DeployedResources;
  readonly clients: AwsClients;
  readonly clock: Clock;
  // ---- state, incidents, alerts
  readonly store: StateStore;
  readonly auditLog: AuditLog;
  readonly notifier: Notifier;
  /** One probe round end to end (lambdas/app/round.ts); remembers targets between rounds of this process. */
  readonly runRound: (options?: RoundOptions) => Promise<RoundSummary>;
  // ---- probing
  readonly probeRunner: ProbeRunner;
  // ---- routing and failover
  /** The controller after each round, plus the operator commands (failover, failback, lock, unlock). */
  readonly failover: FailoverService;
  readonly routing: RoutingStore;
  /** Route 53, its client built on the first read or switch. */
  readonly router: Router;
  // ---- drills
  /** Drills and the running-drill item; rounds read the simulated faults of a running drill from it. */
  readonly drills: DrillStore;
}

/** Builds a value on the first call and returns that one ever after. */
export const onFirstUse = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

/**
 * Alerts through SNS, whose client is built when the first alert goes out: most rounds publish
 * nothing, and a Lambda cold start need not pay for a client it may not use.
 */
export const lazySnsNotifier = (
  clients: Pick<AwsClients, 'sns'>,
  topicArns: DeployedResources['topicArns'],
): Notifier => {
  const notifier = onFirstUse(() => new SnsNotifier({ client: clients.sns, topicArns }));
  return { publish: (alert, signal) => notifier().publish(alert, signal) };
};

/** Route 53, whose client is built on the first read or switch (rounds mostly need neither). */
export const lazyRoute53Router = (clients: Pick<AwsClients, 'route53'>, clock?: Clock): Router => {
  const router = onFirstUse(() => new Route53Router(clients.route53, clock ? { clock } : {}));
  return {
    read: (record, signal) => router().read(record, signal),
    route: (record, site, options) => router().route(record, site, options),
    awaitChange: (changeId, options) => router().awaitChange(changeId, options),
  };
};

export const composeServices = (input: ComposeInput): Services => {
  const { config, resources, clients } = input;
  const clock = input.clock ?? systemClock;

  // ---- state, incidents, alerts
  const store = new DynamoStateStore({
    client: clients.dynamodb,
    tableName: resources.tableName,
    resultRetentionDays: config.retention.resultDays,
  });
  const auditLog = new DynamoAuditLog({ client: clients.dynamodb, tableName: resources.tableName, clock });
  const notifier = lazySnsNotifier(clients, resources.topicArns);

  // ---- probing: secrets from the environment or SSM, sequence numbers in the table
  const probeRunner = createProbeRunner({
    config,
    clock,
    secrets: createSecretSource({ refs: config.secrets }),
    sequences: createDynamoSequenceSource({ dynamodb: clients.dynamodb, tableName: resources.tableName }),
  });

  // ---- routing and failover
  const routing = new DynamoRoutingStore(resources.tableName, clients.dynamodb);
  const router = lazyRoute53Router(clients, clock);
  const failover = createFailoverController({
    config,
    records: resolveManagedRecords(config, resources),
    routingStore: routing,
    router,
    auditLog,
    clock,
  });

  // ---- drills: in a drill with simulated injection, rounds see the drill's faults
  const drills = new DynamoDrillStore({ client: clients.dynamodb, tableName: resources.tableName });
  const roundProbes = withSimulatedFaults(probeRunner, drills);

  // ---- the round, over the services above
  const roundMemory: RoundMemory = {};
  const round = (options: RoundOptions = {}) =>
    runRound({ config, clock, probes: roundProbes, store, notifier, failover, memory: roundMemory }, options);

  return {
    config,
    resources,
    clients,
    clock,
    store,
    auditLog,
    notifier,
    runRound: round,
    probeRunner,
    failover,
    routing,
    router,
    drills,
  };
};
