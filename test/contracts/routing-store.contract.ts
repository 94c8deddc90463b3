// The routing store's contract: every RoutingStore (the in-memory fake, DynamoDB on moto) must
// behave exactly like this. Run it with `routingStoreContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../lambdas/core/errors.ts';
import type { RoutingLock, RoutingState } from '../../lambdas/core/model/routing.ts';
import type { RoutingStore } from '../../lambdas/ports.ts';

export const initial = (record: string): RoutingState => ({
  record,
  activeSite: 'primary',
  since: '2026-11-20T08:00:00.000Z',
  reason: 'initialized from Route 53',
  actor: 'controller',
  version: 1,
});

const withIntent = (state: RoutingState, actor: RoutingState['actor'] = 'controller'): RoutingState => ({
  ...state,
  pending: {
    toSite: 'backup',
    requestedAt: '2026-11-20T08:05:00.000Z',
    reason: 'primary verification failing (timeout)',
    actor,
    leaseUntil: '2026-11-20T08:07:00.000Z',
    incidentId: 'INC-7QX',
  },
  version: state.version + 1,
});

const lock: RoutingLock = {
  reason: 'primary DB failover rehearsal',
  actor: 'operator:li@ops-1',
  at: '2026-11-20T09:00:00.000Z',
};

export const routingStoreContract = (name: string, setup: () => Promise<RoutingStore>): void => {
  describe(`RoutingStore contract: ${name}`, () => {
    let store: RoutingStore;
    beforeEach(async () => {
      store = await setup();
    });

    it('creates a routing item once, then replaces it only from the version read', async () => {
      const first = initial('verify.hc.example.com');
      expect(await store.get(first.record)).toBeUndefined();
      await store.put(first, 0);
      await expect(store.put({ ...first, reason: 'second creator' }, 0)).rejects.toBeInstanceOf(VersionConflictError);
      expect(await store.get(first.record)).toEqual(first);

      const intent = withIntent(first);
      await store.put(intent, 1);
      expect(await store.get(first.record)).toEqual(intent);

      // A second controller that also read version 1 loses: exactly one intent is recorded.
      await expect(store.put(withIntent(first, 'drill:d-1'), 1)).rejects.toMatchObject({
        name: 'VersionConflictError',
        expectedVersion: 1,
      });
      expect((await store.get(first.record))?.pending?.actor).toBe('controller');
    });

    it('keeps every field it was given, optional ones included, and drops what a later version drops', async () => {
      const full: RoutingState = {
        ...initial('full.hc.example.com'),
        incidentId: 'INC-7QX',
        drillId: 'DRILL-9',
        pending: {
          toSite: 'backup',
          requestedAt: '2026-11-20T08:05:00.000Z',
          reason: 'operator failover',
          actor: 'operator:li@ops-1',
          changeId: 'C2682N5HXP0BZ4',
          leaseUntil: '2026-11-20T08:05:30.000Z',
          drillId: 'DRILL-9',
          forced: true,
          failedAt: '2026-11-20T08:05:20.000Z',
          error: 'socket hang up',
        },
        lastSwitchedAt: '2026-11-20T07:00:00.000Z',
        forced: true,
        lastChange: { id: 'C1', status: 'PENDING', at: '2026-11-20T07:00:00.000Z' },
        refusal: {
          toSite: 'backup',
          codes: ['dwell'],
          message: 'dwell until 08:10',
          since: '2026-11-20T08:04:00.000Z',
        },
      };
      await store.put(full, 0);
      expect(await store.get(full.record)).toEqual(full);
      const settled: RoutingState = { ...initial(full.record), version: 2 };
      await store.put(settled, 1);
      expect(await store.get(full.record)).toEqual(settled);
    });

    it('rejects a state whose version is not the expected one plus one, before writing', async () => {
      await expect(store.put({ ...initial('bad-version.hc.example.com'), version: 3 }, 0)).rejects.toThrow(
        /version 3 must be 1/,
      );
      expect(await store.get('bad-version.hc.example.com')).toBeUndefined();
    });

    it('lists every record and nothing else (not the lock)', async () => {
      await store.put(initial('a.hc.example.com'), 0);
      await store.put(initial('b.hc.example.com'), 0);
      await store.setLock(lock);
      expect((await store.list()).map((state) => state.record).sort()).toEqual([
        'a.hc.example.com',
        'b.hc.example.com',
      ]);
    });

    it('locks once, refuses a second lock, and unlocks once', async () => {
      expect(await store.getLock()).toBeUndefined();
      await store.setLock(lock);
      await expect(store.setLock({ ...lock, actor: 'operator:wang@ops-2' })).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.getLock()).toEqual(lock);
      expect(await store.clearLock()).toEqual(lock);
      await expect(store.clearLock()).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getLock()).toBeUndefined();
    });

    it('hands out copies: changing what it returned changes nothing stored', async () => {
      const state = initial('copy.hc.example.com');
      await store.put(state, 0);
      const read = (await store.get(state.record)) as { reason: string };
      read.reason = 'mutated by the caller';
      expect((await store.get(state.record))?.reason).toBe(state.reason);
    });
  });
};
