// The exactly-once protocol against real APIs: DynamoDB and Route 53 on the run's moto server.
// Each "run" has its own SDK clients and adapters, as separate Lambda invocations would.
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { DynamoRoutingStore } from '../../lambdas/adapters/aws/dynamo-routing-store.ts';
import { Route53Router } from '../../lambdas/adapters/aws/route53-router.ts';
import { createFailoverController } from '../../lambdas/app/failover.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import type { Clock, Router } from '../../lambdas/ports.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { createHcguardTable } from '../support/hcguard-table.ts';
import { MemoryAuditLog, targetStates } from '../fakes/routing.ts';

const CONFIG: Pick<HcguardConfig, 'failover' | 'schedule'> = {
  failover: {
    mode: 'automatic',
    dwellMinutes: 5,
    failback: 'manual',
    failbackAfterHealthyMinutes: 10,
    insyncTimeoutSeconds: 30,
  },
  schedule: { intervalSeconds: 60, concurrency: 4 },
};

/** Counts ChangeResourceRecordSets requests really sent, across every client it is added to. */
const changeCounter = () => {
  const sent: string[] = [];
  const watch = (client: Route53Client) => {
    client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ChangeResourceRecordSetsCommand') sent.push(JSON.stringify(args.input));
        return next(args);
      },
      { step: 'initialize', name: 'countChanges' },
    );
    return client;
  };
  return { sent, watch };
};

const environment = async () => {
  const { dynamodb, route53 } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'failover');
  const zoneName = `${uniqueName('zone')}.example.com`;
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: uniqueName('ref') }));
  const record: ManagedRecord = {
    name: `verify.${zoneName}`,
    type: 'A',
    ttl: 60,
    hostedZoneId: zone.HostedZone!.Id!.replace('/hostedzone/', ''),
    stage: 'verification',
    values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
  };
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.hostedZoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: { Name: record.name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.10' }] },
          },
        ],
      },
    }),
  );
  const counter = changeCounter();
  const audit = new MemoryAuditLog();
  /**
   * One controller with its own clients: one "Lambda invocation". `wrapRouter` may kill it: after
   * `die()` its process is gone and writes nothing more, as a crashed Lambda would.
   */
  const run = (clock: Clock, wrapRouter: (router: Router, die: () => void) => Router = (router) => router) => {
    const clients = motoClients();
    let dead = false;
    const store = new DynamoRoutingStore(tableName, clients.dynamodb);
    const routingStore = new Proxy(store, {
      get: (target, property: keyof DynamoRoutingStore) =>
        dead ? () => Promise.reject(new Error('the process is gone')) : target[property].bind(target),
    });
    return createFailoverController({
      config: CONFIG,
      records: [record],
      routingStore,
      router: wrapRouter(new Route53Router(counter.watch(clients.route53), { pollMs: 10, clock }), () => {
        dead = true;
      }),
      auditLog: audit,
      clock,
    });
  };
  const value = async () => {
    const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: record.hostedZoneId }));
    return listed.ResourceRecordSets?.find(
      (set) => set.Name === `${record.name}.` && set.Type === 'A',
    )?.ResourceRecords?.map((entry) => entry.Value);
  };
  const store = new DynamoRoutingStore(tableName, dynamodb);
  return { record, run, counter, audit, value, store };
};

const clockAt = (iso: string): Clock => ({ now: () => new Date(iso) });

describe('failover controller on moto DynamoDB and Route 53', () => {
  it('many parallel runs after the same failing round send exactly one ChangeResourceRecordSets', async () => {
    const env = await environment();
    const now = new Date('2026-11-20T08:00:00.000Z');
    const runs = Array.from({ length: 12 }, () => env.run(clockAt(now.toISOString())));
    const outcomes = await Promise.all(
      runs.map((controller) =>
        controller.reconcile({ targets: targetStates(now, { 'primary.verification': 'failing' }), now }),
      ),
    );

    expect(env.counter.sent).toHaveLength(1);
    expect(JSON.parse(env.counter.sent[0]!)).toEqual({
      HostedZoneId: env.record.hostedZoneId,
      ChangeBatch: {
        Comment: expect.stringMatching(
          /^hcguard failover verify\..+ primary->backup by controller; primary verification failing \(timeout\) since /,
        ),
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: env.record.name,
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '198.51.100.10' }],
            },
          },
        ],
      },
    });
    expect(outcomes.flatMap((outcome) => outcome.switches)).toHaveLength(1);
    expect(outcomes.flatMap((outcome) => outcome.failures)).toEqual([]);
    expect(await env.value()).toEqual(['198.51.100.10']);
    const stored = await env.store.get(env.record.name);
    expect(stored).toMatchObject({ activeSite: 'backup', lastChange: { status: 'INSYNC' } });
    expect(stored).not.toHaveProperty('pending');
    expect(env.audit.actions().filter((action) => action === 'routing.switched')).toHaveLength(1);
    expect(env.audit.actions().filter((action) => action === 'routing.initialized')).toHaveLength(1);

    // A second wave (retries of the same invocations) changes nothing more.
    await Promise.all(
      runs.map((controller) =>
        controller.reconcile({ targets: targetStates(now, { 'primary.verification': 'failing' }), now }),
      ),
    );
    expect(env.counter.sent).toHaveLength(1);
  });

  it.each([
    {
      name: 'after the intent, before the change',
      crash: (router: Router, die: () => void): Router => ({
        awaitChange: (changeId, options) => router.awaitChange(changeId, options),
        read: (record, signal) => router.read(record, signal),
        route: async () => {
          die();
          throw new Error('Runtime.ExitError: the process was killed');
        },
      }),
      changesBeforeRepair: 0,
      repair: 'rolled-back',
      // Route 53 still answers the primary: a change may be in flight until the grace ends.
      repairedInGrace: false,
    },
    {
      name: 'after the change, before the confirmation',
      crash: (router: Router, die: () => void): Router => ({
        awaitChange: (changeId, options) => router.awaitChange(changeId, options),
        read: (record, signal) => router.read(record, signal),
        route: async (record, site, options) => {
          await router.route(record, site, options);
          die();
          throw new Error('Runtime.ExitError: the process was killed');
        },
      }),
      changesBeforeRepair: 1,
      repair: 'finished',
      // Route 53 already answers the backup: nobody owns the intent, so it is finished at once.
      repairedInGrace: true,
    },
  ])(
    'a crash $name is repaired by the next run after the lease: one change, consistent state',
    async ({ crash, changesBeforeRepair, repair, repairedInGrace }) => {
      const env = await environment();
      const failing = (at: string) => targetStates(new Date(at), { 'primary.verification': 'failing' });

      const crashed = await env
        .run(clockAt('2026-11-20T08:00:00.000Z'), crash)
        .reconcile({ targets: failing('2026-11-20T08:00:00.000Z'), now: new Date('2026-11-20T08:00:00.000Z') });
      expect(crashed.failures).toMatchObject([{ step: 'switch' }]);
      expect((await env.store.get(env.record.name))?.pending).toMatchObject({
        toSite: 'backup',
        leaseUntil: '2026-11-20T08:00:30.000Z',
      });
      expect(env.counter.sent).toHaveLength(changesBeforeRepair);

      // After the lease, within the grace: hands off, unless Route 53 already shows the switch done.
      const during = await env
        .run(clockAt('2026-11-20T08:00:45.000Z'))
        .reconcile({ targets: failing('2026-11-20T08:00:45.000Z'), now: new Date('2026-11-20T08:00:45.000Z') });
      expect(during.switches).toEqual(repairedInGrace ? [expect.objectContaining({ repaired: true })] : []);
      expect(during.conditions).toEqual(
        repairedInGrace ? [] : [expect.objectContaining({ kind: 'switch-in-progress', record: env.record.name })],
      );
      expect(env.counter.sent).toHaveLength(changesBeforeRepair);

      const next = await env
        .run(clockAt('2026-11-20T08:01:01.000Z'))
        .reconcile({ targets: failing('2026-11-20T08:01:01.000Z'), now: new Date('2026-11-20T08:01:01.000Z') });
      expect(next.failures).toEqual([]);
      expect(env.audit.entries.find((entry) => entry.action === 'routing.repaired')?.detail).toMatchObject({
        outcome: repair,
        from: 'primary',
        to: 'backup',
      });
      expect(env.counter.sent).toHaveLength(1);
      expect(await env.value()).toEqual(['198.51.100.10']);
      const stored = await env.store.get(env.record.name);
      expect(stored).toMatchObject({ activeSite: 'backup' });
      expect(stored).not.toHaveProperty('pending');
    },
  );
});
