// The drill runner's bookkeeping against the sandbox and moto: the running-drill item of a drill
// that finished without releasing it, and a drill another process holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrillWorld, type DrillWorld } from '../support/drill-world.ts';

let world: DrillWorld;
beforeAll(async () => {
  world = await startDrillWorld();
  await world.settle();
});
afterAll(async () => {
  await world?.stop();
});

describe('the drill runner', () => {
  it('clears the running-drill item a finished drill left behind, then claims it', async () => {
    const service = world.drillService();
    const first = await service.create({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' });
    // Finished, but the release was lost (the process died right after the summary).
    await world.services.drills.save(
      { ...first, status: 'finished', outcome: 'aborted', endedAt: first.startedAt, version: first.version + 1 },
      first,
    );
    const second = await service.create({ scenario: 'collection-data-loss', dryRun: false, actor: 'operator:bob@ops' });
    expect((await world.services.drills.active())?.drillId).toBe(second.id);
    await world.services.drills.release(second.id);
    await world.services.drills.save(
      { ...second, status: 'finished', outcome: 'aborted', endedAt: second.startedAt, version: second.version + 1 },
      second,
    );
  });

  it('watches a drill another process holds instead of acting on it, until the deadline', async () => {
    const service = world.drillService({ runnerId: 'runner-watcher' });
    const drill = await service.create({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' });
    const leaseUntil = new Date(world.clock.now().getTime() + 10 * 60_000).toISOString();
    await world.services.drills.save(
      { ...drill, runner: { id: 'runner-elsewhere', leaseUntil }, version: drill.version + 1 },
      drill,
    );
    const result = await service.advance(drill.id, { deadline: new Date(world.clock.now().getTime() + 5_000) });
    expect(result.state).toBe('busy');
    const stored = await world.services.drills.get(drill.id);
    expect(stored).toMatchObject({ version: drill.version + 1, runner: { id: 'runner-elsewhere' } });
    expect(stored?.phases).toEqual(drill.phases);
    expect(world.testbed.sandbox.faults.listNow()).toEqual([]);
    // Its own abort is only a request on the item; the holder acts on it.
    const aborted = await service.abort(drill.id, 'operator:bob@ops', 'not now', {
      deadline: new Date(world.clock.now().getTime() + 3_000),
    });
    expect(aborted.state).toBe('busy');
    expect(await world.services.drills.get(drill.id)).toMatchObject({
      abortRequested: { by: 'operator:bob@ops', reason: 'not now' },
      runner: { id: 'runner-elsewhere' },
    });
    await world.services.drills.release(drill.id);
  });
});
