// Announcing a switch is level-triggered: the rounds after a switch keep telling it until a
// committed alert has, whatever write failed in between — and never tell it twice.
import { describe, expect, it } from 'vitest';
import { createFailoverController } from '../../lambdas/app/failover.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import { runRound } from '../../lambdas/app/round.ts';
import type { RoundSummary } from '../../lambdas/app/round/types.ts';
import { testConfig } from '../fakes/config.ts';
import { MemoryStateStore } from '../fakes/memory-state-store.ts';
import { RecordingNotifier, ScriptedProbes } from '../fakes/round.ts';
import { FakeRouter, manualClock, MemoryAuditLog, MemoryRoutingStore } from '../fakes/routing.ts';

const RECORD = 'verify.hc.example.com';
const TIMEOUT = { outcome: 'failed', failureClass: 'timeout', message: 'no answer within 2000 ms' } as const;
const THROTTLED = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
  name: 'ProvisionedThroughputExceededException',
});

/** Rounds 30 s apart through the real failover controller, on in-memory stores. */
const world = () => {
  const clock = manualClock('2026-11-26T18:00:00.000Z');
  const config = testConfig({ failover: { dwellMinutes: 1, failbackAfterHealthyMinutes: 1 } });
  const store = new MemoryStateStore();
  const probes = new ScriptedProbes(clock);
  const notifier = new RecordingNotifier();
  const router = new FakeRouter(clock);
  router.answers.set(RECORD, 'primary');
  const routingStore = new MemoryRoutingStore();
  const failover = createFailoverController({
    config,
    records: resolveManagedRecords(config, { hostedZoneIds: {} }),
    routingStore,
    router,
    auditLog: new MemoryAuditLog(),
    clock,
  });
  const round = async (): Promise<RoundSummary> => {
    clock.advance(30_000);
    return runRound({ config, clock, probes, store, notifier, failover, memory: {} });
  };
  const subjects = () => notifier.published.map((alert) => alert.message.subject);
  return { store, probes, router, routingStore, round, subjects };
};

describe('runRound: a switch is announced from durable state', () => {
  it(
    'a failed incident write in the switching round: the next round opens the SEV1 ' + 'with the switch text, once',
    async () => {
      const { store, probes, router, round, subjects } = world();
      await round();
      probes.set('primary', 'verification', TIMEOUT);
      await round();
      await round();
      store.failNext('applyIncidentChange', THROTTLED);
      const switching = await round();
      expect(switching.switches).toEqual([expect.objectContaining({ from: 'primary', to: 'backup' })]);
      expect(switching.incidents).toEqual([expect.objectContaining({ change: 'open', outcome: 'failed' })]);
      expect(subjects()).toEqual([]);

      // The primary is the standby now, but until the switch is announced it is judged as serving.
      const next = await round();
      expect(next.incidents).toEqual([
        expect.objectContaining({ change: 'open', severity: 'SEV1', outcome: 'applied' }),
      ]);
      expect(subjects()).toEqual([
        `[SEV1] OPEN verification failing on primary: timed out - switched to backup (${next.incidents[0]?.id})`,
      ]);
      expect(router.changes).toHaveLength(1);

      // Announced: later rounds say nothing more about the switch.
      await round();
      await round();
      expect(subjects()).toHaveLength(1);
      expect(await store.loadAnnouncements()).toEqual([{ record: RECORD, switchedAt: switching.switches[0]!.at }]);
    },
  );

  it(
    'a failback no incident explains is a notice; a lost notice is queued again next ' + 'round, then never again',
    async () => {
      const { store, probes, round, subjects, routingStore } = world();
      await round();
      probes.set('primary', 'verification', TIMEOUT);
      for (let index = 0; index < 3; index++) await round();
      await round(); // announced with its incident
      expect(subjects()).toHaveLength(1);

      // Recovered and stable; an operator's failback arrives as a routing change between rounds.
      probes.set('primary', 'verification', 'ok');
      for (let index = 0; index < 4; index++) await round();
      const state = (await routingStore.get(RECORD))!;
      const at = '2026-11-26T18:05:15.000Z';
      await routingStore.put(
        {
          ...state,
          activeSite: 'primary',
          since: at,
          lastSwitchedAt: at,
          reason: 'failback approved by operator:li@ops-1',
          actor: 'operator:li@ops-1',
          version: state.version + 1,
        },
        state.version,
      );
      const before = subjects().length;
      store.failNext('queueAlert', THROTTLED);
      const lost = await round();
      expect(lost.problems).toEqual([
        expect.objectContaining({ step: 'queue-alert', alertId: `switch/${RECORD}/${at}` }),
      ]);
      expect(subjects()).toHaveLength(before);

      await round();
      expect(subjects().slice(before)).toEqual([`[SEV4] UPDATE traffic for ${RECORD} moved to primary`]);
      await round();
      expect(subjects()).toHaveLength(before + 1);
    },
  );
});
