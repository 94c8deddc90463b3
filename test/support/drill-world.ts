// A whole hcguard world for drill tests: the sandbox platform on loopback, and on the run's moto
// server the resources `npm start` provisions (table, topics, audit queue, hosted zone, record),
// composed services, and drill services. There is no scheduler: rounds run when the drill waits
// (its `sleep`), once per configured interval of the world's clock, which is real time plus an
// offset that each wait moves forward — a minute of drill takes a moment, and no test reads the
// wall clock.
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { composeDrillService, type DrillPlatform } from '../../lambdas/app/compose-drills.ts';
import { composeServices, type Services } from '../../lambdas/app/compose.ts';
import type { DrillService } from '../../lambdas/app/drill/types.ts';
import type { HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { provisionLocalResources } from '../../local/provision.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { motoClients, uniqueName } from './aws.ts';
import { startTestSandbox, type TestSandbox } from './sandbox.ts';

export interface DrillWorld {
  readonly testbed: TestSandbox;
  readonly services: Services;
  readonly clock: Clock;
  readonly recordName: string;
  readonly sqs: SQSClient;
  /** A drill service (its own runner id) driving rounds as it waits. */
  drillService(platform?: Partial<DrillPlatform>): DrillService;
  /** Moves the clock forward and runs the rounds due meanwhile. */
  wait(ms: number): Promise<void>;
  /** Rounds until every target is healthy and no incident is open (a quiet platform). */
  settle(): Promise<void>;
  /** The managed record's value in Route 53 right now. */
  recordValue(): Promise<string[]>;
  /**
   * Rounds start without being awaited (they may overlap, as overlapping invocations do), so a
   * drill keeps ticking while a round is stuck in a Route 53 change.
   */
  detachRounds: boolean;
  /** Holds every ChangeResourceRecordSets until the returned function is called. */
  holdRoute53Changes(): () => void;
  /** Waits for rounds started detached. */
  drainRounds(): Promise<void>;
  /** Called after each round: tests act like an operator or a second failure here. */
  onRound: ((round: number) => Promise<void> | void) | undefined;
  /** The drill as last stored by a drill service of this world. */
  latest: DrillRecord | undefined;
  readonly rounds: number;
  stop(): Promise<void>;
}

export const startDrillWorld = async (
  configure: (input: HcguardConfigInput) => HcguardConfigInput = (input) => input,
): Promise<DrillWorld> => {
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const zoneName = `${uniqueName('drill')}.internal`;
  const recordName = `verify.${zoneName}`;
  const testbed = await startTestSandbox({
    sandbox: { clock, replicationLagMs: 20 },
    config: (input) =>
      configure({
        ...input,
        name: uniqueName('drill'),
        records: [
          {
            zone: { name: zoneName },
            name: recordName,
            type: 'A',
            ttl: 5,
            stage: 'verification',
            values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
          },
        ],
        schedule: { intervalSeconds: 5 },
        detection: { failureThreshold: 2, successThreshold: 2 },
        failover: { dwellMinutes: 0, failback: 'manual', failbackAfterHealthyMinutes: 1, insyncTimeoutSeconds: 10 },
      }),
  });
  const clients = motoClients();
  // The emulator stamps deliveries with real time; the world lives `offsetMs` ahead of it.
  clients.sqs.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Messages?: { Attributes?: Record<string, string> }[] };
      for (const message of output.Messages ?? []) {
        const sent = message.Attributes?.SentTimestamp;
        if (message.Attributes && sent) message.Attributes.SentTimestamp = String(Number(sent) + offsetMs);
      }
      return result;
    },
    { step: 'initialize', name: 'simulatedClock' },
  );
  try {
    const { resources } = await provisionLocalResources({
      config: testbed.config,
      clients,
      signal: AbortSignal.timeout(60_000),
    });
    const services = composeServices({
      config: testbed.config,
      resources,
      clients: { dynamodb: clients.dynamodb, sns: clients.sns, route53: clients.route53 },
      clock,
    });
    const intervalMs = testbed.config.schedule.intervalSeconds * 1000;
    let nextRoundAt = clock.now().getTime();
    let rounds = 0;
    const detached = new Set<Promise<unknown>>();
    let gate: Promise<void> | undefined;
    clients.route53.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { ChangeBatch?: unknown }).ChangeBatch && gate) await gate;
        return next(args);
      },
      { step: 'initialize', name: 'holdChanges' },
    );
    const world: DrillWorld = {
      testbed,
      services,
      clock,
      recordName,
      sqs: clients.sqs,
      onRound: undefined,
      latest: undefined,
      detachRounds: false,
      holdRoute53Changes() {
        let release!: () => void;
        gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        return () => {
          gate = undefined;
          release();
        };
      },
      async drainRounds() {
        await Promise.allSettled([...detached]);
      },
      get rounds() {
        return rounds;
      },
      async wait(ms) {
        offsetMs += ms;
        while (clock.now().getTime() >= nextRoundAt) {
          nextRoundAt += intervalMs;
          const round = services.runRound().then(async () => {
            rounds += 1;
            await world.onRound?.(rounds);
          });
          if (world.detachRounds) {
            detached.add(round);
            void round.finally(() => detached.delete(round));
          } else {
            await round;
          }
        }
      },
      async settle() {
        for (let round = 0; round < 40; round++) {
          await world.wait(intervalMs);
          const [targets, incidents] = await Promise.all([
            services.store.loadTargets(),
            services.store.listOpenIncidents(),
          ]);
          if (targets.length === 6 && targets.every((target) => target.health === 'healthy') && incidents.length === 0)
            return;
        }
        throw new Error('the world did not settle: targets unhealthy or incidents open after 40 rounds');
      },
      async recordValue() {
        const zoneId = resources.hostedZoneIds[recordName] as string;
        const listed = await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
        return (listed.ResourceRecordSets?.find((set) => set.Name === `${recordName}.`)?.ResourceRecords ?? []).map(
          (entry) => entry.Value as string,
        );
      },
      drillService(platform = {}) {
        return composeDrillService(services, {
          sqs: clients.sqs,
          sandboxUrl: testbed.sandbox.sites.primary.url,
          sleep: (ms) => world.wait(ms),
          ...platform,
        });
      },
      stop: async () => {
        world.detachRounds = false;
        await world.drainRounds();
        await testbed.stop();
      },
    };
    return world;
  } catch (error) {
    await testbed.stop();
    throw error;
  }
};

/** Records every stored drill on the world, for hooks that act on the drill's phase. */
export const tracking = (world: DrillWorld) => ({
  onProgress: (drill: DrillRecord) => {
    world.latest = drill;
  },
});
