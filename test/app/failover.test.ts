import { describe, expect, it } from 'vitest';
import { createFailoverController, type FailoverDeps } from '../../lambdas/app/failover.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { ChangeNotAppliedError } from '../../lambdas/core/errors.ts';
import type { RoutingState, ManagedRecord } from '../../lambdas/core/model/routing.ts';
import { FakeRouter, manualClock, MemoryAuditLog, MemoryRoutingStore, targetStates } from '../fakes/routing.ts';

const START = '2026-11-20T08:00:00.000Z';
const RECORD: ManagedRecord = {
  name: 'verify.hc.example.com',
  type: 'A',
  ttl: 60,
  hostedZoneId: 'Z0HCGUARD',
  stage: 'verification',
  values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
};
const CONFIG: Pick<HcguardConfig, 'failover' | 'schedule'> = {
  failover: {
    mode: 'automatic',
    dwellMinutes: 5,
    failback: 'manual',
    failbackAfterHealthyMinutes: 10,
    insyncTimeoutSeconds: 120,
  },
  schedule: { intervalSeconds: 60, concurrency: 4 },
};
const OPERATOR = 'operator:li@ops-1' as const;

const setup = (overrides: Partial<FailoverDeps> = {}) => {
  const clock = manualClock(START);
  const store = new MemoryRoutingStore();
  const router = new FakeRouter(clock);
  const audit = new MemoryAuditLog();
  router.answers.set(RECORD.name, 'primary');
  const controller = createFailoverController({
    config: CONFIG,
    records: [RECORD],
    routingStore: store,
    router,
    auditLog: audit,
    clock,
    ...overrides,
  });
  return { clock, store, router, audit, controller };
};

const primaryDown = (at: Date) => targetStates(at, { 'primary.verification': 'failing' });

/** What an earlier run left behind when it died after writing its intent. */
const leftIntent = (requestedAt: string, leaseUntil: string): RoutingState => ({
  record: RECORD.name,
  activeSite: 'primary',
  since: START,
  reason: 'initialized from Route 53 (A 192.0.2.10)',
  actor: 'controller',
  pending: {
    toSite: 'backup',
    requestedAt,
    reason: 'primary verification failing (timeout)',
    actor: 'controller',
    leaseUntil,
  },
  version: 2,
});

describe('createFailoverController: reconcile after a round', () => {
  it('creates the routing item from Route 53 the first time, and switches nothing while all is healthy', async () => {
    const { clock, router, audit, controller } = setup();
    const outcome = await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    expect(outcome).toEqual({
      routing: [
        {
          record: RECORD.name,
          activeSite: 'primary',
          since: START,
          reason: 'initialized from Route 53 (A 192.0.2.10)',
          actor: 'controller',
          version: 1,
        },
      ],
      conditions: [],
      switches: [],
      failures: [],
    });
    expect(router.changes).toEqual([]);
    expect(audit.entries).toEqual([
      {
        at: START,
        actor: 'controller',
        action: 'routing.initialized',
        subject: RECORD.name,
        detail: { activeSite: 'primary', value: 'A 192.0.2.10' },
      },
    ]);
  });

  it('switches in three steps: intent, Route 53 change, confirmation — and audits it with the incident', async () => {
    const { clock, store, router, audit, controller } = setup();
    await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    clock.advance(60_000);
    const now = clock.now();
    const outcome = await controller.reconcile({
      targets: primaryDown(now),
      now,
      openIncidents: [{ id: 'INC-7QX', kind: 'probe', site: 'primary', stage: 'verification', status: 'open' }],
    });

    expect(store.writes.map((write) => [write.version, write.activeSite, write.pending?.toSite ?? null])).toEqual([
      [1, 'primary', null],
      [2, 'primary', 'backup'],
      [3, 'backup', null],
    ]);
    expect(store.writes[1]!.pending).toEqual({
      toSite: 'backup',
      requestedAt: now.toISOString(),
      reason: `primary verification failing (timeout) since ${new Date(now.getTime() - 3_600_000).toISOString()}`,
      actor: 'controller',
      // The lease covers submitting the change (30 s at most), not the INSYNC wait after it.
      leaseUntil: new Date(now.getTime() + 30_000).toISOString(),
      incidentId: 'INC-7QX',
    });
    expect(router.changes).toEqual([
      {
        record: RECORD.name,
        site: 'backup',
        comment: expect.stringMatching(
          new RegExp(
            '^hcguard failover verify\\.hc\\.example\\.com primary->backup by controller; ' +
              'incident INC-7QX; primary verification failing',
          ),
        ),
      },
    ]);
    expect(outcome.switches).toEqual([
      {
        record: RECORD.name,
        from: 'primary',
        to: 'backup',
        at: now.toISOString(),
        actor: 'controller',
        reason: expect.stringContaining('failing'),
        changeId: 'C1',
        incidentId: 'INC-7QX',
      },
    ]);
    expect(outcome.routing[0]).toMatchObject({
      activeSite: 'backup',
      lastSwitchedAt: now.toISOString(),
      lastChange: { id: 'C1', status: 'INSYNC' },
      incidentId: 'INC-7QX',
      version: 3,
    });
    expect(outcome.routing[0]).not.toHaveProperty('pending');
    expect(audit.actions()).toEqual(['routing.initialized', 'routing.switched']);
    expect(audit.entries[1]).toMatchObject({
      actor: 'controller',
      subject: RECORD.name,
      detail: { from: 'primary', to: 'backup', changeId: 'C1', status: 'INSYNC', forced: false, incidentId: 'INC-7QX' },
    });

    // The next round sees the switch done and does nothing more.
    clock.advance(60_000);
    const after = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(after.switches).toEqual([]);
    expect(router.changes).toHaveLength(1);
  });

  it('reports a refusal as a condition every round, stores it on the routing item, and audits it once', async () => {
    const { clock, store, audit, controller } = setup();
    const rounds = [];
    for (let round = 0; round < 3; round++) {
      rounds.push(
        await controller.reconcile({
          targets: targetStates(clock.now(), { 'primary.verification': 'failing', 'backup.transmission': 'degraded' }),
          now: clock.now(),
        }),
      );
      clock.advance(60_000);
    }
    for (const outcome of rounds) {
      expect(outcome.conditions).toEqual([
        {
          kind: 'cannot-fail-over',
          record: RECORD.name,
          title: `cannot fail over: ${RECORD.name} stays on primary — backup unhealthy`,
          detail: 'backup unhealthy: transmission degraded',
        },
      ]);
    }
    expect(audit.actions()).toEqual(['routing.initialized', 'routing.switch-refused']);
    expect((await store.get(RECORD.name))?.refusal).toEqual({
      toSite: 'backup',
      codes: ['target-unhealthy'],
      message: expect.stringContaining('backup unhealthy'),
      since: START,
    });

    // The backup recovers: the switch happens and the stored refusal is gone.
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(outcome.conditions).toEqual([]);
    expect(outcome.switches).toHaveLength(1);
    expect(await store.get(RECORD.name)).not.toHaveProperty('refusal');
  });

  it('reports no-healthy-site when both sites fail, and keeps the record on the serving site', async () => {
    const { clock, router, controller } = setup();
    const outcome = await controller.reconcile({
      targets: targetStates(clock.now(), { 'primary.verification': 'failing', 'backup.verification': 'failing' }),
      now: clock.now(),
    });
    expect(outcome.conditions).toMatchObject([{ kind: 'no-healthy-site', record: RECORD.name }]);
    expect(router.changes).toEqual([]);
    expect(router.answers.get(RECORD.name)).toBe('primary');
  });

  it('honours the routing lock set by an operator, and switches once it is lifted', async () => {
    const { clock, router, audit, controller } = setup();
    expect(await controller.lock({ reason: 'backup DB migration', actor: OPERATOR })).toMatchObject({ ok: true });
    const locked = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(locked.conditions[0]?.detail).toContain(`routing locked by ${OPERATOR} since ${START}: backup DB migration`);
    expect(router.changes).toEqual([]);

    expect(await controller.lock({ reason: 'again', actor: 'operator:wang@ops-2' })).toEqual({
      ok: false,
      message: `routing is already locked by ${OPERATOR} since ${START}: backup DB migration`,
      lock: { reason: 'backup DB migration', actor: OPERATOR, at: START },
    });
    expect(await controller.unlock({ actor: 'operator:wang@ops-2' })).toMatchObject({
      ok: true,
      message: expect.stringContaining(`it was locked by ${OPERATOR}`),
    });
    expect(await controller.unlock({ actor: 'operator:wang@ops-2' })).toEqual({
      ok: false,
      message: 'routing is not locked',
    });

    clock.advance(60_000);
    const unlocked = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(unlocked.switches).toHaveLength(1);
    expect(audit.entries.filter((entry) => entry.action.startsWith('routing.'))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'routing.locked',
          actor: OPERATOR,
          subject: 'routing',
          detail: { reason: 'backup DB migration' },
        }),
        expect.objectContaining({
          action: 'routing.unlocked',
          actor: 'operator:wang@ops-2',
          detail: { lockedBy: OPERATOR, lockedAt: START, reason: 'backup DB migration' },
        }),
      ]),
    );
  });

  it('reports a record holding neither site’s value as a condition and changes nothing', async () => {
    const { clock, store, router, controller } = setup();
    router.answers.set(RECORD.name, 'neither');
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(outcome.conditions).toEqual([
      expect.objectContaining({
        kind: 'cannot-fail-over',
        title: `cannot fail over: ${RECORD.name} holds neither site's value (A 203.0.113.99)`,
      }),
    ]);
    expect(outcome.routing).toEqual([]);
    expect(await store.get(RECORD.name)).toBeUndefined();
    expect(router.changes).toEqual([]);
  });

  it('still switches when the audit log is down, and reports the unwritten entry', async () => {
    const { clock, router, audit, controller } = setup();
    audit.failWith = new Error('ProvisionedThroughputExceededException');
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(router.changes).toHaveLength(1);
    expect(outcome.switches).toHaveLength(1);
    expect(outcome.failures).toEqual([
      {
        record: RECORD.name,
        step: 'audit',
        message: 'audit entry routing.initialized not written: Error: ProvisionedThroughputExceededException',
      },
      {
        record: RECORD.name,
        step: 'audit',
        message: 'audit entry routing.switched not written: Error: ProvisionedThroughputExceededException',
      },
    ]);
  });

  it('reports an unreadable routing store as a read failure, deciding nothing', async () => {
    const store = new MemoryRoutingStore();
    store.get = async () => {
      throw new Error('RequestTimeout');
    };
    const { clock, router, controller } = setup({ routingStore: store });
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(outcome).toEqual({
      routing: [],
      conditions: [],
      switches: [],
      failures: [{ record: RECORD.name, step: 'read', message: 'Error: RequestTimeout' }],
    });
    expect(router.changes).toEqual([]);
  });
});

describe('createFailoverController: exactly once under races, retries and crashes', () => {
  it('many concurrent reconciles produce exactly one change', async () => {
    const { clock, store, router, controller } = setup();
    await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    const now = clock.now();
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, () => controller.reconcile({ targets: primaryDown(now), now })),
    );
    expect(router.changes).toHaveLength(1);
    expect(outcomes.flatMap((outcome) => outcome.switches)).toHaveLength(1);
    expect(outcomes.flatMap((outcome) => outcome.failures)).toEqual([]);
    expect(await store.get(RECORD.name)).toMatchObject({ activeSite: 'backup', version: 3 });
  });

  it(
    'a run that died after writing its intent (before the change) is rolled back ' +
      'after the lease, then the policy decides again',
    async () => {
      const { clock, store, router, audit, controller } = setup();
      await store.put(
        { ...leftIntent(START, '2026-11-20T08:02:00.000Z'), version: 1, pending: undefined } as RoutingState,
        0,
      );
      await store.put(leftIntent(START, '2026-11-20T08:02:00.000Z'), 1);

      clock.set('2026-11-20T08:02:10.000Z'); // lease over, grace not yet: hands off
      const early = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(early.switches).toEqual([]);
      expect(router.changes).toEqual([]);

      clock.set('2026-11-20T08:02:31.000Z');
      const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(audit.entries[0]).toMatchObject({
        action: 'routing.repaired',
        detail: { outcome: 'rolled-back', from: 'primary', to: 'backup', intentAt: START },
      });
      expect(audit.actions()).toEqual(['routing.repaired', 'routing.switched']);
      expect(router.changes).toHaveLength(1);
      expect(outcome.switches).toEqual([expect.objectContaining({ from: 'primary', to: 'backup' })]);
      expect(await store.get(RECORD.name)).toMatchObject({ activeSite: 'backup', version: 5 });
    },
  );

  it(
    'a run that died after the Route 53 change (before confirming) is finished by ' +
      'the next run, without a second change',
    async () => {
      const { clock, store, router, audit, controller } = setup();
      await store.put(
        { ...leftIntent(START, '2026-11-20T08:02:00.000Z'), version: 1, pending: undefined } as RoutingState,
        0,
      );
      await store.put(leftIntent(START, '2026-11-20T08:02:00.000Z'), 1);
      router.answers.set(RECORD.name, 'backup');

      clock.set('2026-11-20T08:03:00.000Z');
      const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(router.changes).toEqual([]);
      expect(outcome.switches).toEqual([
        {
          record: RECORD.name,
          from: 'primary',
          to: 'backup',
          at: START,
          actor: 'controller',
          reason: 'primary verification failing (timeout)',
          repaired: true,
        },
      ]);
      expect(await store.get(RECORD.name)).toEqual({
        record: RECORD.name,
        activeSite: 'backup',
        since: START,
        lastSwitchedAt: START,
        reason: 'primary verification failing (timeout)',
        actor: 'controller',
        version: 3,
      });
      expect(audit.entries).toEqual([
        expect.objectContaining({
          action: 'routing.repaired',
          actor: 'controller',
          detail: expect.objectContaining({ outcome: 'finished' }),
        }),
      ]);
    },
  );

  it(
    'a change that timed out after Route 53 applied it is finished at once from ' +
      'Route 53’s answer — never sent twice',
    async () => {
      const { clock, store, router, audit, controller } = setup();
      await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
      router.failNext = { error: Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), when: 'after' };
      const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(outcome.failures).toEqual([
        {
          record: RECORD.name,
          step: 'switch',
          message: expect.stringContaining('the intent stays pending until Route 53 answers either site'),
        },
      ]);
      // No "cannot fail over" story, and no pending switch left: Route 53 answers the backup.
      expect(outcome.conditions).toEqual([]);
      expect(outcome.switches).toEqual([expect.objectContaining({ to: 'backup', repaired: true })]);
      expect(router.changes).toHaveLength(1);
      expect(await store.get(RECORD.name)).toMatchObject({ activeSite: 'backup', lastSwitchedAt: START });
      expect(await store.get(RECORD.name)).not.toHaveProperty('pending');
      expect(audit.actions()).toEqual(['routing.initialized', 'routing.switch-failed', 'routing.repaired']);
    },
  );

  it(
    'a change that timed out before it applied is a switch in progress until the ' +
      'grace ends, then rolled back and made once',
    async () => {
      const { clock, store, router, controller } = setup();
      await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
      router.failNext = { error: Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), when: 'before' };
      const first = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(first.switches).toEqual([]);
      expect(first.conditions).toEqual([
        {
          kind: 'switch-in-progress',
          record: RECORD.name,
          title: `switch in progress: ${RECORD.name} primary → backup unconfirmed since ${START}`,
          detail: expect.stringContaining(
            'the Route 53 call failed without a known outcome (TimeoutError: socket hang up)',
          ),
        },
      ]);
      expect((await store.get(RECORD.name))?.pending).toMatchObject({ toSite: 'backup', failedAt: START });

      // Within the grace, still in progress (a change sent just before the timeout may land).
      clock.advance(3_000);
      const during = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(during.conditions).toMatchObject([{ kind: 'switch-in-progress' }]);
      expect(router.changes).toEqual([]);

      clock.advance(3_000);
      const after = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
      expect(after.conditions).toEqual([]);
      expect(after.switches).toEqual([expect.objectContaining({ from: 'primary', to: 'backup' })]);
      expect(after.switches[0]).not.toHaveProperty('repaired');
      expect(router.changes).toHaveLength(1);
    },
  );

  it('a 5xx from Route 53 leaves the intent pending (it may have applied), never rolled back at once', async () => {
    const { clock, store, router, audit, controller } = setup();
    await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    const internal = Object.assign(new Error('We encountered an internal error'), {
      name: 'InternalFailure',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    router.failNext = { error: internal, when: 'before' };
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect((await store.get(RECORD.name))?.pending).toMatchObject({
      toSite: 'backup',
      error: expect.stringContaining('InternalFailure'),
    });
    expect(outcome.conditions).toMatchObject([{ kind: 'switch-in-progress' }]);
    expect(audit.entries.at(-1)).toMatchObject({ action: 'routing.switch-failed', detail: { rolledBack: false } });
  });

  it('submits the Route 53 change only within the intent’s lease', async () => {
    const { clock, store, router, controller } = setup();
    await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    const seen: Date[] = [];
    const route = router.route.bind(router);
    router.route = async (record, site, options) => {
      seen.push(options.notAfter);
      return route(record, site, options);
    };
    await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    const intent = store.writes.find((write) => write.pending)!;
    expect(seen).toEqual([new Date(intent.pending!.leaseUntil!)]);
    expect(Date.parse(intent.pending!.leaseUntil!) - Date.parse(intent.pending!.requestedAt)).toBe(30_000);
  });

  it(
    'an owner that confirms after a repairer already finished its switch does not ' + 'report it a second time',
    async () => {
      const store = new MemoryRoutingStore();
      const fake = new FakeRouter(manualClock(START));
      fake.answers.set(RECORD.name, 'primary');
      const audit = new MemoryAuditLog();
      const late = manualClock('2026-11-20T08:10:00.000Z');
      const repairer = createFailoverController({
        config: CONFIG,
        records: [RECORD],
        routingStore: store,
        router: fake,
        auditLog: audit,
        clock: late,
      });
      let repairedOutcome: Awaited<ReturnType<typeof repairer.reconcile>> | undefined;
      const slowOwner = createFailoverController({
        config: CONFIG,
        records: [RECORD],
        routingStore: store,
        auditLog: audit,
        clock: manualClock(START),
        router: {
          read: (record, signal) => fake.read(record, signal),
          // The change applies, then the owner stalls past its lease and a repairer finishes first.
          route: async (record, site, options) => {
            const result = await fake.route(record, site, options);
            repairedOutcome = await repairer.reconcile({ targets: primaryDown(late.now()), now: late.now() });
            return result;
          },
          awaitChange: (changeId) => fake.awaitChange(changeId),
        },
      });
      const owner = await slowOwner.reconcile({ targets: primaryDown(new Date(START)), now: new Date(START) });
      expect(repairedOutcome?.switches).toEqual([expect.objectContaining({ to: 'backup', repaired: true })]);
      expect(owner.switches).toEqual([]);
      expect(owner.failures).toEqual([]);
      expect(owner.routing).toMatchObject([{ activeSite: 'backup' }]);
      expect(fake.changes).toHaveLength(1);
      expect(audit.actions()).toEqual(['routing.initialized', 'routing.repaired']);
    },
  );

  it('rolls the intent back at once when the router says Route 53 did not apply the change, and says so', async () => {
    const { clock, store, router, audit, controller } = setup();
    await controller.reconcile({ targets: targetStates(clock.now()), now: clock.now() });
    const refused = new ChangeNotAppliedError('Route 53 refused the change: Throttling: Rate exceeded');
    router.failNext = { error: refused, when: 'before' };
    const outcome = await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() });
    expect(outcome.conditions[0]?.detail).toBe(
      `the switch of ${RECORD.name} from primary to backup failed: ` +
        `ChangeNotAppliedError: Route 53 refused the change: Throttling: Rate exceeded; ` +
        `the intent was rolled back`,
    );
    expect(await store.get(RECORD.name)).toMatchObject({ activeSite: 'primary', version: 3 });
    expect(await store.get(RECORD.name)).not.toHaveProperty('pending');
    expect(audit.actions()).toEqual(['routing.initialized', 'routing.switch-failed']);

    // The next round tries again and succeeds.
    clock.advance(60_000);
    expect((await controller.reconcile({ targets: primaryDown(clock.now()), now: clock.now() })).switches).toHaveLength(
      1,
    );
  });
});

describe('createFailoverController: operator commands', () => {
  it('fails over by hand with the operator as actor and the reason in the audit log', async () => {
    const { clock, audit, router, controller } = setup();
    const results = await controller.failover({
      to: 'backup',
      reason: 'primary DC power work',
      force: false,
      actor: OPERATOR,
      targets: targetStates(clock.now()),
    });
    expect(results).toEqual([
      {
        record: RECORD.name,
        result: 'switched',
        message: `${RECORD.name} from primary to backup (Route 53 change C1, INSYNC)`,
        activeSite: 'backup',
        switches: [expect.objectContaining({ actor: OPERATOR, reason: 'primary DC power work' })],
      },
    ]);
    expect(router.changes[0]?.comment).toBe(
      `hcguard manual ${RECORD.name} primary->backup by ${OPERATOR}; primary DC power work`,
    );
    expect(audit.entries.at(-1)).toMatchObject({
      actor: OPERATOR,
      action: 'routing.switched',
      detail: { cause: 'manual', reason: 'primary DC power work', forced: false },
    });
  });

  it(
    'refuses a manual switch to a broken backup and records the refusal; --force ' +
      'overrides it and records what it overrode',
    async () => {
      const { clock, audit, router, controller } = setup();
      const broken = targetStates(clock.now(), { 'backup.collection': 'failing' });
      const refused = await controller.failover({
        to: 'backup',
        reason: 'test',
        force: false,
        actor: OPERATOR,
        targets: broken,
      });
      expect(refused).toEqual([
        {
          record: RECORD.name,
          result: 'refused',
          message:
            `cannot switch ${RECORD.name} from primary to backup: backup unhealthy: ` + `collection failing (timeout)`,
          activeSite: 'primary',
          switches: [],
        },
      ]);
      expect(audit.entries.at(-1)).toMatchObject({
        actor: OPERATOR,
        action: 'routing.switch-refused',
        detail: { codes: 'target-unhealthy' },
      });
      expect(router.changes).toEqual([]);

      const forced = await controller.failover({
        to: 'backup',
        reason: 'primary is on fire; backup collection lag accepted',
        force: true,
        actor: OPERATOR,
        targets: broken,
      });
      expect(forced[0]).toMatchObject({
        result: 'switched',
        message: expect.stringContaining('FORCED over: backup unhealthy: collection failing (timeout)'),
      });
      expect(router.changes[0]?.comment).toContain('; FORCED; primary is on fire');
      expect(audit.entries.at(-1)).toMatchObject({
        action: 'routing.switched',
        detail: { forced: true, overridden: 'backup unhealthy: collection failing (timeout)' },
      });
    },
  );

  it('fails back on approval only once the primary has been stable, and names an unknown record', async () => {
    const { clock, router, controller } = setup();
    await controller.failover({
      to: 'backup',
      reason: 'maintenance',
      force: false,
      actor: OPERATOR,
      targets: targetStates(clock.now()),
    });
    clock.advance(6 * 60_000);
    const recent = targetStates(clock.now()).map((state) =>
      state.site === 'primary' ? { ...state, since: new Date(clock.now().getTime() - 120_000).toISOString() } : state,
    );
    expect((await controller.failback({ actor: OPERATOR, targets: recent }))[0]).toMatchObject({
      result: 'refused',
      message: expect.stringContaining('primary healthy only since'),
    });
    const stable = await controller.failback({ actor: OPERATOR, targets: targetStates(clock.now()) });
    expect(stable[0]).toMatchObject({ result: 'switched', activeSite: 'primary' });
    expect(router.changes.map((change) => change.site)).toEqual(['backup', 'primary']);
    expect(
      await controller.failback({
        actor: OPERATOR,
        targets: targetStates(clock.now()),
        record: 'other.hc.example.com',
      }),
    ).toEqual([
      {
        record: 'other.hc.example.com',
        result: 'refused',
        message: `other.hc.example.com is not a managed record (managed: ${RECORD.name})`,
        switches: [],
      },
    ]);
  });

  it('treats results older than two intervals plus 30 s as no quorum for a manual switch', async () => {
    const { clock, controller } = setup();
    const old = targetStates(new Date(clock.now().getTime() - 151_000));
    expect(
      (await controller.failover({ to: 'backup', reason: 'x', force: false, actor: OPERATOR, targets: old }))[0]
        ?.message,
    ).toContain('no quorum on backup');
  });
});

describe('resolveManagedRecords', () => {
  const config = {
    records: [
      {
        zone: { name: 'hc.example.com' },
        name: 'Verify.HC.example.com.',
        type: 'A',
        ttl: 60,
        stage: 'verification',
        values: RECORD.values,
      },
      {
        zone: { id: 'ZCONFIGZONE', name: 'hc.example.com' },
        name: 'collect.hc.example.com',
        type: 'CNAME',
        ttl: 30,
        stage: 'collection',
        values: { primary: { values: ['a.example.net'] }, backup: { values: ['b.example.net'] } },
      },
    ],
  } as unknown as Pick<HcguardConfig, 'records'>;

  it('takes the deployed zone id first, else the config’s, and normalizes names', () => {
    expect(
      resolveManagedRecords(config, {
        hostedZoneIds: { 'verify.hc.example.com': 'ZDEPLOYED', 'collect.hc.example.com': 'ZDEPLOYED2' },
      }),
    ).toMatchObject([
      { name: 'verify.hc.example.com', hostedZoneId: 'ZDEPLOYED', type: 'A', ttl: 60, stage: 'verification' },
      { name: 'collect.hc.example.com', hostedZoneId: 'ZDEPLOYED2' },
    ]);
    expect(
      resolveManagedRecords(config, { hostedZoneIds: { 'verify.hc.example.com': 'ZDEPLOYED' } })[1]?.hostedZoneId,
    ).toBe('ZCONFIGZONE');
  });

  it('names the record whose zone id is nowhere', () => {
    expect(() => resolveManagedRecords(config, { hostedZoneIds: {} })).toThrow(ConfigError);
    expect(() => resolveManagedRecords(config, { hostedZoneIds: {} })).toThrow(
      /records\[0\]\.zone\.id: no hosted zone id for verify\.hc\.example\.com/,
    );
  });
});
