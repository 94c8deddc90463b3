// Drills that do not go to plan, end to end against the sandbox and moto: each stop condition
// aborts and restores routing, an operator's abort in the middle of a switch waits for the
// switch to settle and then returns traffic, and a drill whose process died is resumed by another.
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { startDrillWorld, tracking, type DrillWorld } from '../support/drill-world.ts';

let world: DrillWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const phaseOf = (drill: DrillRecord | undefined) => drill?.phases.at(-1);

/** After a stop, traffic is back, the drill's fault is gone and a new drill may start. */
const expectRestored = async (current: DrillWorld, drill: DrillRecord) => {
  expect(drill.status).toBe('finished');
  expect(drill.outcome).toBe('aborted');
  expect(drill.phases.find((phase) => phase.name === 'restore')?.outcome).toBe('aborted');
  expect(await current.recordValue()).toEqual(['127.0.0.1']);
  expect(await current.services.routing.get(current.recordName)).toMatchObject({ activeSite: 'primary' });
  expect(await current.services.drills.active()).toBeUndefined();
};

describe('stop conditions', () => {
  it(
    'a real incident (a stage the drill did not break) aborts the drill; traffic ' + 'returns once the primary is safe',
    async () => {
      world = await startDrillWorld();
      const current = world;
      await current.settle();
      let realFaultAt: number | undefined;
      current.onRound = async (round) => {
        const drill = current.latest;
        // Something else breaks on the primary once the drill's switch is done…
        if (realFaultAt === undefined && drill?.marks.backupServingAt) {
          realFaultAt = round;
          current.testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'transmission', mode: 'error' });
        }
        // …and is repaired a few rounds after the drill stopped.
        if (drill?.abort && realFaultAt !== undefined && round > realFaultAt + 6)
          current.testbed.sandbox.faults.clearNow({ site: 'primary', stage: 'transmission' });
      };
      const { drill } = await current
        .drillService()
        .start({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
      expect(drill.abort).toMatchObject({ code: 'real-incident' });
      expect(drill.abort?.reason).toMatch(/an incident the drill did not cause opened: INC-\w+ SEV\d transmission/);
      // Traffic stayed on the backup while the primary was unsafe, and returned after.
      expect(drill.phases.find((phase) => phase.name === 'restore')?.detail).toMatch(
        /^after abort: fault cleared; traffic back on the primary/,
      );
      expect(drill.marks.failbackAt! > drill.marks.primaryHealthyAt!).toBe(true);
      await expectRestored(current, drill);
    },
  );

  it('the backup degrading aborts the drill and returns traffic to the repaired primary', async () => {
    world = await startDrillWorld();
    const current = world;
    await current.settle();
    let broken = false;
    current.onRound = () => {
      // The backup breaks right after traffic moved to it.
      if (!broken && current.latest?.marks.switchedAt) {
        broken = true;
        current.testbed.sandbox.faults.injectNow({ site: 'backup', stage: 'collection', mode: 'error' });
      }
    };
    try {
      const { drill } = await current
        .drillService()
        .start({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
      expect(drill.abort).toMatchObject({ code: 'backup-degraded' });
      expect(drill.abort?.reason).toMatch(/^the backup degraded during the drill: collection (degraded|failing)/);
      await expectRestored(current, drill);
      // Only the drill's own fault was cleared: the backup's is the operator's to fix.
      expect(current.testbed.sandbox.faults.listNow().map((fault) => `${fault.site} ${fault.stage}`)).toEqual([
        'backup collection',
      ]);
    } finally {
      current.testbed.sandbox.faults.clearNow({});
    }
  });

  it(
    'the time limit aborts a drill nobody acknowledges, and traffic returns at once ' +
      '(dwell and stability overridden)',
    async () => {
      world = await startDrillWorld((input) => ({
        ...input,
        drills: { awaitAck: true, timeLimitMinutes: 1 },
        failover: { ...input.failover, dwellMinutes: 30, failbackAfterHealthyMinutes: 30 },
      }));
      const current = world;
      await current.settle();
      const { drill } = await current
        .drillService()
        .start({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
      expect(drill.abort).toMatchObject({ code: 'time-limit', phase: 'decide' });
      await expectRestored(current, drill);
      // Forced past dwell (30 min) and stability (30 min): the drill caused the switch.
      const audit = await new DynamoAuditLog({
        client: current.services.clients.dynamodb,
        tableName: current.services.resources.tableName,
      }).list({ drillId: undefined, limit: 50 });
      const back = audit.find((entry) => entry.action === 'routing.switched' && entry.detail?.to === 'primary');
      expect(back).toMatchObject({
        actor: `drill:${drill.id}`,
        detail: { forced: true, reason: `drill ${drill.id} aborted (time-limit): returning traffic to the primary` },
      });
    },
  );
});

describe('interruptions', () => {
  it('an abort in the middle of the switch waits for the switch to settle, then returns traffic', async () => {
    // The change is held until the abort lands; a lease longer than that hold on a loaded machine
    // keeps the switch the drill's own (not given back and repaired by a round).
    world = await startDrillWorld((input) => ({
      ...input,
      failover: { ...input.failover, insyncTimeoutSeconds: 60 },
    }));
    const current = world;
    await current.settle();
    current.detachRounds = true;
    const release = current.holdRoute53Changes();
    const runnerA = current.drillService({ runnerId: 'runner-a' });
    const runnerB = current.drillService({ runnerId: 'runner-b' });
    let aborting: ReturnType<typeof runnerB.abort> | undefined;
    let pendingAtAbort: unknown;
    let released = false;
    const started = runnerA.start(
      { scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' },
      {
        onProgress: (drill) => {
          current.latest = drill;
          // The controller wrote its intent and Route 53 is still working on the change: abort now.
          if (!aborting && drill.marks.switchRequestedAt) {
            aborting = (async () => {
              pendingAtAbort = (await current.services.routing.get(current.recordName))?.pending;
              return runnerB.abort(drill.id, 'operator:bob@ops', 'checkpoints report trouble', {
                onProgress: () => undefined,
              });
            })();
            // Should the abort fail, the held change must not hang the test.
            aborting.catch(() => release());
          }
          if (!released && drill.abort) {
            released = true;
            release();
          }
        },
      },
    );
    const a = await started;
    expect(aborting).toBeDefined();
    const b = await aborting!;
    expect(pendingAtAbort).toMatchObject({ toSite: 'backup' });
    expect(a.state).toBe('finished');
    expect(b.drill).toMatchObject({ id: a.drill.id, status: 'finished', outcome: 'aborted' });
    expect(a.drill.abort).toMatchObject({ code: 'operator', reason: 'operator:bob@ops: checkpoints report trouble' });
    // The switch that was in flight completed, and the drill then switched back.
    expect(a.drill.marks.switchedAt).toBeDefined();
    await current.drainRounds();
    await expectRestored(current, a.drill);
    const audit = await new DynamoAuditLog({
      client: current.services.clients.dynamodb,
      tableName: current.services.resources.tableName,
    }).list({ limit: 50 });
    expect(audit.filter((entry) => entry.action === 'routing.switched').map((entry) => entry.detail?.to)).toEqual([
      'backup',
      'primary',
    ]);
  });

  it('a drill whose process died is resumed by another once its lease lapses, and finishes', async () => {
    world = await startDrillWorld();
    const current = world;
    await current.settle();
    const crashing = current.drillService({ runnerId: 'runner-crashed' });
    const crash = new Error('the process was killed');
    await expect(
      crashing.start(
        { scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' },
        {
          onProgress: (drill) => {
            current.latest = drill;
            if (phaseOf(drill)?.name === 'activate') throw crash;
          },
        },
      ),
    ).rejects.toBe(crash);
    const orphan = current.latest!;
    const stored = await current.services.drills.get(orphan.id);
    // Left as it was: running, leased to the dead process, the fault still in.
    expect(stored).toMatchObject({ status: 'running', runner: { id: 'runner-crashed' } });
    expect(current.testbed.sandbox.faults.listNow().map((fault) => fault.mode)).toEqual(['error']);

    const resumer = current.drillService({ runnerId: 'runner-resumer' });
    const resumed = await resumer.advance(orphan.id, tracking(current));
    expect(resumed.state).toBe('finished');
    expect(resumed.drill.outcome).toBe('passed');
    expect(resumed.drill.phases.map((phase) => phase.name)).toEqual([
      'preflight',
      'inject',
      'identify',
      'notify',
      'decide',
      'activate',
      'restore',
      'summary',
    ]);
    expect(await current.recordValue()).toEqual(['127.0.0.1']);
    expect(current.testbed.sandbox.faults.listNow()).toEqual([]);
    expect(await current.services.drills.active()).toBeUndefined();
  });
});
