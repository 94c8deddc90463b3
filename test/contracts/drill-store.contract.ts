// The drill store's contract: every DrillStore (the in-memory fake, DynamoDB on moto) must behave
// exactly like this. Run it with `drillStoreContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { newDrill } from '../../lambdas/core/drill/new-drill.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { findScenario } from '../../lambdas/core/drill/scenarios.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../lambdas/core/errors.ts';
import type { DrillStore } from '../../lambdas/ports.ts';
import { testConfig } from '../fakes/config.ts';

const config = testConfig();
export const drillAt = (id: string, startedAt: string, dryRun = false): DrillRecord => {
  const scenario = findScenario(config, 'verification-outage');
  if (!scenario) throw new Error('scenario');
  return newDrill({ id, actor: 'operator:alice@host', now: new Date(startedAt), policy: config, dryRun, scenario });
};

/** The next tick: the current phase ends, the next starts, the version moves on. */
export const advanced = (drill: DrillRecord, at: string): DrillRecord => {
  const phases = [...drill.phases];
  const last = phases.length - 1;
  phases[last] = { ...phases[last]!, outcome: 'passed', endedAt: at, detail: 'done' };
  phases.push({
    name: 'inject',
    index: phases.length,
    startedAt: at,
    outcome: 'running',
    detail: 'injecting',
    checks: [],
  });
  return { ...drill, phases, marks: { ...drill.marks, faultInjectedAt: at }, version: drill.version + 1 };
};

export const drillStoreContract = (name: string, setup: () => Promise<DrillStore>): void => {
  describe(`DrillStore contract: ${name}`, () => {
    let store: DrillStore;

    beforeEach(async () => {
      store = await setup();
    });

    it('stores a drill with its phases and the running-drill item, then refuses a second drill', async () => {
      const first = drillAt('drill-a', '2026-11-20T02:00:00.000Z');
      await store.create(first, { claimActive: true });
      expect(await store.get('drill-a')).toEqual(first);
      expect(await store.active()).toEqual({
        drillId: 'drill-a',
        startedAt: first.startedAt,
        scenario: 'verification-outage',
        targets: ['primary#verification'],
        simulatedFaults: [],
      });

      const second = drillAt('drill-b', '2026-11-20T02:01:00.000Z');
      await expect(store.create(second, { claimActive: true })).rejects.toThrow(
        new AlreadyExistsError('running drill drill-a'),
      );
      expect(await store.get('drill-b')).toBeUndefined();
      // Recorded without the claim, its pre-flight can refuse it and say why.
      await store.create(second, { claimActive: false });
      expect((await store.active())?.drillId).toBe('drill-a');

      // Releasing is only for the holder.
      await store.release('drill-b');
      expect((await store.active())?.drillId).toBe('drill-a');
      await store.release('drill-a');
      expect(await store.active()).toBeUndefined();
      await store.release('drill-a');
    });

    it('never overwrites a drill with the same id', async () => {
      const drill = drillAt('drill-dup', '2026-11-20T03:00:00.000Z', true);
      await store.create(drill, { claimActive: false });
      await expect(store.create(drill, { claimActive: false })).rejects.toThrow(
        new AlreadyExistsError('drill drill-dup'),
      );
    });

    it('saves each tick against the version read, with the phases that changed', async () => {
      const drill = drillAt('drill-c', '2026-11-20T04:00:00.000Z', true);
      await store.create(drill, { claimActive: false });
      const next = advanced(drill, '2026-11-20T04:00:01.000Z');
      await store.save(next, drill);
      expect(await store.get('drill-c')).toEqual(next);
      // A second runner that also read version 1 loses.
      await expect(store.save({ ...advanced(drill, '2026-11-20T04:00:02.000Z') }, drill)).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get('drill-c')).toEqual(next);
      // A tick without a phase change saves too.
      const quiet = { ...next, refusals: ['held by dwell'], version: next.version + 1 };
      await store.save(quiet, next);
      expect(await store.get('drill-c')).toEqual(quiet);
      await expect(store.save({ ...quiet, version: 7 }, quiet)).rejects.toThrow(/version 7 must be 4/);
    });

    it('records an abort request in one conditional update that moves the version on', async () => {
      const drill = drillAt('drill-abort', '2026-11-20T04:30:00.000Z', true);
      await store.create(drill, { claimActive: false });
      const request = {
        by: 'operator:bob@ops' as const,
        reason: 'checkpoints report trouble',
        at: '2026-11-20T04:31:00.000Z',
      };
      expect(await store.requestAbort('drill-abort', request)).toBe(true);
      expect(await store.get('drill-abort')).toEqual({ ...drill, abortRequested: request, version: 2 });
      // Once is enough; a finished drill has nothing to stop; an unknown one is an error.
      expect(await store.requestAbort('drill-abort', request)).toBe(false);
      const stored = (await store.get('drill-abort'))!;
      await store.save({ ...stored, status: 'finished', version: 3 }, stored);
      expect(await store.requestAbort('drill-abort', { ...request, reason: 'again' })).toBe(false);
      await expect(store.requestAbort('drill-none', request)).rejects.toThrow(new NotFoundError('drill drill-none'));
    });

    it('lists drills newest first', async () => {
      for (const [id, at] of [
        ['drill-1', '2026-11-20T01:00:00.000Z'],
        ['drill-3', '2026-11-20T03:00:00.000Z'],
        ['drill-2', '2026-11-20T02:00:00.000Z'],
      ] as const) {
        await store.create(drillAt(id, at, true), { claimActive: false });
      }
      expect((await store.list({})).map((drill) => drill.id)).toEqual(['drill-3', 'drill-2', 'drill-1']);
      expect(await store.list({ limit: 1 })).toEqual([
        {
          id: 'drill-3',
          scenario: 'verification-outage',
          dryRun: true,
          status: 'running',
          startedBy: 'operator:alice@host',
          startedAt: '2026-11-20T03:00:00.000Z',
          detail: 'preflight: checking that the drill can start safely',
        },
      ]);
    });

    it('sets simulated faults only while the drill holds the running-drill item', async () => {
      await store.create(drillAt('drill-s', '2026-11-20T05:00:00.000Z'), { claimActive: true });
      const faults = [{ site: 'primary' as const, stage: 'verification' as const, mode: 'error' as const }];
      await store.setSimulatedFaults('drill-s', faults);
      expect((await store.active())?.simulatedFaults).toEqual(faults);
      await expect(store.setSimulatedFaults('drill-other', faults)).rejects.toThrow(
        new NotFoundError('running-drill item of drill drill-other'),
      );
      await store.setSimulatedFaults('drill-s', []);
      expect((await store.active())?.simulatedFaults).toEqual([]);
    });
  });
};
