import { describe, expect, it } from 'vitest';
import { runRound } from '../../lambdas/app/round.ts';
import type { RoundMemory, RoundSummary } from '../../lambdas/app/round/types.ts';
import type { SwitchEvent } from '../../lambdas/core/model/routing.ts';
import { testConfig } from '../fakes/config.ts';
import { MemoryStateStore } from '../fakes/memory-state-store.ts';
import { FakeFailover, RecordingNotifier, ScriptedProbes } from '../fakes/round.ts';
import { manualClock } from '../fakes/routing.ts';

const RECORD = 'verify.hc.example.com';
const TIMEOUT = { outcome: 'failed', failureClass: 'timeout', message: 'no answer within 2000 ms' } as const;

const setup = (memory: RoundMemory = {}) => {
  const clock = manualClock('2026-11-26T18:00:00.000Z');
  const config = testConfig();
  const store = new MemoryStateStore();
  const probes = new ScriptedProbes(clock);
  const failover = new FakeFailover();
  const notifier = new RecordingNotifier();
  const deps = { config, clock, probes, store, notifier, failover, memory };
  /** One round, 30 s after the previous one. */
  const round = async (options: { drillId?: string; signal?: AbortSignal } = {}): Promise<RoundSummary> => {
    clock.advance(30_000);
    return runRound(deps, options);
  };
  return { clock, config, store, probes, failover, notifier, deps, round };
};

describe('runRound: verification failing on the serving site, then recovering', () => {
  it('opens one SEV1 incident after the threshold with exactly one alert, and resolves it with one alert', async () => {
    const { store, probes, notifier, round } = setup();
    expect((await round()).targets.every((target) => target.health === 'healthy')).toBe(true);

    probes.set('primary', 'verification', TIMEOUT);
    const first = await round();
    const second = await round();
    expect([first, second].map((summary) => summary.incidents)).toEqual([[], []]);
    expect(notifier.published).toEqual([]);

    const third = await round();
    expect(third.transitions).toEqual([
      expect.objectContaining({ site: 'primary', stage: 'verification', from: 'healthy', to: 'failing' }),
    ]);
    expect(third.actions).toEqual(['record-results', ...Array.from({ length: 6 }, () => 'save-target')]);
    expect(third.incidents).toEqual([
      expect.objectContaining({
        dedupKey: 'probe/primary/verification/timeout',
        severity: 'SEV1',
        change: 'open',
        outcome: 'applied',
      }),
    ]);
    expect(third.alerts).toEqual({
      sent: [{ id: `${third.incidents[0]?.id}/open`, topic: 'SEV1', messageId: 'msg-1' }],
      failed: [],
      pending: 0,
    });
    expect(notifier.published.map((alert) => alert.message.subject)).toEqual([
      '[SEV1] OPEN verification failing on primary: timed out (' + third.incidents[0]?.id + ')',
    ]);
    expect(third.problems).toEqual([]);

    for (let index = 0; index < 4; index++) expect((await round()).alerts.sent).toEqual([]);

    probes.set('primary', 'verification', 'ok');
    await round();
    const recovered = await round();
    expect(recovered.incidents).toEqual([
      expect.objectContaining({ change: 'resolve', status: 'resolved', outcome: 'applied' }),
    ]);
    expect(notifier.published.map((alert) => [alert.kind, alert.topic, alert.message.attributes.severity])).toEqual([
      ['open', 'SEV1', 'SEV1'],
      ['resolve', 'SEV1', 'SEV4'],
    ]);
    expect(await store.listOpenIncidents()).toEqual([]);
    const incident = await store.getIncident(third.incidents[0]?.id as string);
    expect(incident?.timeline.map((event) => event.type)).toEqual(['opened', 'alerted', 'resolved', 'alerted']);
    expect(store.results).toHaveLength(6 * 10);
  });

  it('tells the failover controller the evaluated targets, the round start and the open incidents', async () => {
    const { failover, probes, round, clock } = setup();
    probes.set('primary', 'verification', TIMEOUT);
    for (let index = 0; index < 3; index++) await round();
    await round();
    const last = failover.inputs.at(-1);
    expect(last?.roundStartedAt).toEqual(clock.now());
    expect(last?.targets.find((target) => target.site === 'primary' && target.stage === 'verification')?.health).toBe(
      'failing',
    );
    expect(last?.openIncidents?.map((incident) => incident.kind)).toEqual(['probe']);
  });

  it('says the switch in the open alert when the controller switches in the threshold round', async () => {
    const { failover, probes, notifier, round } = setup();
    probes.set('primary', 'verification', TIMEOUT);
    // As the real controller reports it: the routing item records the switch it made.
    let switchedAt: string | undefined;
    failover.next = (input) => {
      const failing = input.targets.some(
        (target) => target.site === 'primary' && target.stage === 'verification' && target.health === 'failing',
      );
      const switches: SwitchEvent[] =
        failing && !switchedAt
          ? [
              {
                record: RECORD,
                from: 'primary',
                to: 'backup',
                at: input.now.toISOString(),
                actor: 'controller',
                reason: 'verification failing on primary',
                changeId: 'C1',
              },
            ]
          : [];
      switchedAt ??= switches[0]?.at;
      return {
        routing: [
          switchedAt
            ? {
                record: RECORD,
                activeSite: 'backup',
                since: switchedAt,
                lastSwitchedAt: switchedAt,
                lastChange: { id: 'C1', status: 'INSYNC', at: switchedAt },
                reason: 'verification failing on primary',
                actor: 'controller',
                version: 3,
              }
            : {
                record: RECORD,
                activeSite: 'primary',
                since: input.now.toISOString(),
                reason: 'x',
                actor: 'controller',
                version: 1,
              },
        ],
        conditions: [],
        switches,
        failures: [],
      };
    };
    await round();
    await round();
    const third = await round();
    expect(third.switches).toHaveLength(1);
    expect(notifier.published).toHaveLength(1);
    expect(notifier.published[0]?.message.subject).toBe(
      `[SEV1] OPEN verification failing on primary: timed out - switched to backup (${third.incidents[0]?.id})`,
    );
    expect(notifier.published[0]?.message.body).toContain(
      `Doing:    hcguard switched ${RECORD} from primary to backup (Hangzhou DC-2) at `,
    );
  });
});

describe('runRound: faults in DynamoDB, SNS and the controller', () => {
  it('keeps evaluating and alerting when the controller fails, and keeps routing incidents as they are', async () => {
    const { failover, probes, notifier, store, round } = setup();
    failover.next = () => ({
      routing: [],
      conditions: [
        {
          kind: 'cannot-fail-over',
          record: RECORD,
          title: `cannot fail over ${RECORD}`,
          detail: 'backup verification is failing',
        },
      ],
      switches: [],
      failures: [],
    });
    await round();
    expect((await store.listOpenIncidents()).map((incident) => incident.kind)).toEqual(['cannot-fail-over']);

    failover.next = () => {
      throw new Error('Route 53 unreachable');
    };
    probes.set('primary', 'verification', TIMEOUT);
    const summaries = [await round(), await round(), await round()];
    expect(summaries.map((summary) => summary.problems)).toEqual([
      [{ step: 'reconcile', message: 'Error: Route 53 unreachable' }],
      [{ step: 'reconcile', message: 'Error: Route 53 unreachable' }],
      [{ step: 'reconcile', message: 'Error: Route 53 unreachable' }],
    ]);
    expect((await store.listOpenIncidents()).map((incident) => incident.kind)).toEqual(['cannot-fail-over', 'probe']);
    expect(notifier.published.map((alert) => alert.kind)).toEqual(['open', 'open']);

    // A record the controller could not read: its condition incident stays; others resolve.
    failover.next = () => ({
      routing: [],
      conditions: [],
      switches: [],
      failures: [{ record: RECORD, step: 'read', message: 'ThrottlingException' }],
    });
    const partial = await round();
    expect(partial.problems).toEqual([{ step: 'reconcile', message: 'read: ThrottlingException', record: RECORD }]);
    expect((await store.listOpenIncidents()).map((incident) => incident.kind)).toEqual(['cannot-fail-over', 'probe']);
  });

  it(
    'keeps an alert SNS refused in the outbox, reports it with the incident id, and ' +
      'sends it next round exactly once',
    async () => {
      const { probes, notifier, round, store } = setup();
      probes.set('backup', 'transmission', {
        outcome: 'failed',
        failureClass: 'integrity',
        message: 'receipt hash mismatch',
      });
      await round();
      await round();
      notifier.failures.push(new Error('SNS throttled'));
      const third = await round();
      const id = third.incidents[0]?.id as string;
      expect(third.alerts).toEqual({
        sent: [],
        failed: [{ id: `${id}/open`, error: 'Error: SNS throttled' }],
        pending: 1,
      });
      expect(third.problems).toEqual([
        { step: 'publish', message: 'Error: SNS throttled', alertId: `${id}/open`, incidentId: id },
      ]);
      expect((await store.pendingAlerts())[0]).toMatchObject({
        id: `${id}/open`,
        attempts: 1,
        lastError: 'Error: SNS throttled',
      });

      const fourth = await round();
      expect(fourth.alerts.sent.map((alert) => alert.id)).toEqual([`${id}/open`]);
      expect((await round()).alerts.sent).toEqual([]);
      expect(notifier.published.map((alert) => alert.id)).toEqual([`${id}/open`]);
    },
  );

  it(
    'delivers at least once: published but not marked sent, the alert goes out exactly once ' +
      'more after its lease, with the same alertId and dedupKey, and nothing is lost',
    async () => {
      const { probes, notifier, round, store } = setup();
      probes.set('primary', 'verification', TIMEOUT);
      await round();
      await round();
      store.failNext('markAlertSent', new Error('ProvisionedThroughputExceededException'));
      const third = await round();
      const id = `${third.incidents[0]?.id}/open`;
      expect(third.alerts.sent.map((alert) => alert.id)).toEqual([id]);
      expect(third.problems).toEqual([
        expect.objectContaining({ step: 'mark-sent', alertId: id, message: expect.stringContaining('Throughput') }),
      ]);
      expect((await store.pendingAlerts()).map((alert) => alert.id)).toEqual([id]);

      // The next round sits inside the 2-minute lease: nothing goes out twice at once.
      expect((await round()).alerts.sent).toEqual([]);
      // After the lease (30 s rounds): the copy goes out once, then the outbox is empty for good.
      const later = [];
      for (let index = 0; index < 6; index++) later.push(...(await round()).alerts.sent.map((alert) => alert.id));
      expect(later).toEqual([id]);
      expect(await store.pendingAlerts()).toEqual([]);
      const copies = notifier.published.filter((alert) => alert.id === id);
      expect(copies).toHaveLength(2);
      // The copy is the same message: a subscriber drops it by alertId (or the dedupKey attribute).
      expect(copies[1]?.message).toEqual(copies[0]?.message);
      expect(copies[0]?.message.document).toMatchObject({
        alertId: id,
        dedupKey: 'probe/primary/verification/timeout',
      });
      expect(copies[0]?.message.attributes).toMatchObject({ dedupKey: 'probe/primary/verification/timeout' });
      expect(notifier.published.map((alert) => alert.id)).toEqual([id, id]);
    },
  );

  it('still evaluates when DynamoDB fails, reports every failed write, and catches up when it is back', async () => {
    const memory: RoundMemory = {};
    const { probes, store, notifier, round } = setup(memory);
    await round();
    probes.set('primary', 'verification', TIMEOUT);
    await round();
    await round();
    const outage = new Error('DynamoDB unavailable');
    for (const method of [
      'loadTargets',
      'saveTargets',
      'recordResults',
      'listOpenIncidents',
      'applyIncidentChange',
      'pendingAlerts',
      'activeDrill',
    ] as const) {
      store.failNext(method, outage);
    }
    const third = await round();
    // Evaluated from the last targets this process knew: the threshold is reached all the same.
    expect(third.targets.find((target) => target.site === 'primary' && target.stage === 'verification')?.health).toBe(
      'failing',
    );
    // Targets and results are written in parallel: compare regardless of order.
    expect(
      third.problems.map((problem) => `${problem.step}${problem.incidentId ? ' (incident id)' : ''}`).toSorted(),
    ).toEqual([
      'active-drill',
      'incident (incident id)',
      'load-incidents',
      'load-targets',
      'pending-alerts',
      'record-results',
      'save-targets',
    ]);
    expect(third.incidents).toEqual([expect.objectContaining({ change: 'open', outcome: 'failed' })]);
    expect(notifier.published).toEqual([]);

    const next = await round();
    expect(next.problems).toEqual([]);
    expect(next.incidents).toEqual([expect.objectContaining({ change: 'open', outcome: 'applied' })]);
    expect(notifier.published.map((alert) => alert.kind)).toEqual(['open']);
  });

  it('reports a probe runner that fails as a whole, without a heartbeat-worthy round', async () => {
    const { probes, round, store } = setup();
    await round();
    const before = await store.loadTargets();
    probes.failWith = new Error('secret transmission-key is missing');
    const summary = await round();
    expect(summary).toMatchObject({
      probed: false,
      results: [],
      problems: [{ step: 'probe', message: 'Error: secret transmission-key is missing' }],
    });
    expect(await store.loadTargets()).toEqual(before);
  });

  it('reports each probe the prober could not run, so a missing secret is not watched in silence', async () => {
    const { probes, round } = setup();
    const cannotRun = {
      outcome: 'failed',
      failureClass: 'aborted',
      proberError: true,
      message: 'prober error: secret "transmissionKey" is not set',
    } as const;
    probes.set('primary', 'transmission', cannotRun).set('backup', 'transmission', cannotRun);
    const summary = await round();
    expect(summary.probed).toBe(true);
    expect(summary.problems).toEqual([
      { step: 'probe', message: 'transmission-check on primary: prober error: secret "transmissionKey" is not set' },
      { step: 'probe', message: 'transmission-check on backup: prober error: secret "transmissionKey" is not set' },
    ]);
    expect(summary.targets.filter((target) => target.stage === 'transmission')).toEqual([]);
  });

  it('sends no heartbeat when every probe was aborted: nothing was observed', async () => {
    const { probes, round } = setup();
    for (const site of ['primary', 'backup'] as const) {
      for (const stage of ['collection', 'transmission', 'verification'] as const) {
        probes.set(site, stage, {
          outcome: 'failed',
          failureClass: 'aborted',
          message: "the prober's deadline came before step 1",
        });
      }
    }
    expect((await round()).probed).toBe(false);
  });
});

describe('runRound: exactly once under concurrency', () => {
  it('two overlapping rounds open one incident and send one alert', async () => {
    const { probes, notifier, store, deps, clock } = setup();
    probes.set('primary', 'verification', TIMEOUT);
    for (let index = 0; index < 2; index++) {
      clock.advance(30_000);
      await runRound(deps);
    }
    clock.advance(30_000);
    const [a, b] = await Promise.all([runRound(deps), runRound(deps)]);
    const outcomes = [...(a?.incidents ?? []), ...(b?.incidents ?? [])].map((incident) => incident.outcome).toSorted();
    expect(outcomes).toEqual(['applied', 'superseded']);
    expect(await store.listOpenIncidents()).toHaveLength(1);
    expect(notifier.published).toHaveLength(1);
    // Both rounds' observations count: the loser re-read the targets and added its own.
    expect(
      (await store.loadTargets()).find((target) => target.site === 'primary' && target.stage === 'verification')
        ?.consecutiveFailures,
    ).toBe(4);
  });
});

describe('runRound: drills', () => {
  it('tags incidents and alerts of the running drill', async () => {
    const { probes, store, notifier, round } = setup();
    store.drill = { drillId: 'DRILL-20261126-01', targets: ['primary#verification'] };
    probes.set('primary', 'verification', TIMEOUT);
    await round();
    await round();
    const third = await round();
    expect(third.drillId).toBe('DRILL-20261126-01');
    expect(probes.requests.at(-1)?.drillId).toBe('DRILL-20261126-01');
    expect((await store.listOpenIncidents())[0]?.drillId).toBe('DRILL-20261126-01');
    expect(notifier.published[0]).toMatchObject({
      drillId: 'DRILL-20261126-01',
      message: { attributes: { drill: 'true' } },
    });
    expect(notifier.published[0]?.message.subject.startsWith('[DRILL] ')).toBe(true);
  });

  it('pages a real problem during a drill as real: only the drilled targets are drill incidents', async () => {
    const { probes, store, notifier, round } = setup();
    store.drill = { drillId: 'DRILL-20261126-02', targets: ['primary#verification'] };
    probes.set('primary', 'verification', TIMEOUT).set('primary', 'transmission', {
      outcome: 'failed',
      failureClass: 'integrity',
      message: 'receipt hash mismatch',
    });
    for (let index = 0; index < 3; index++) await round();
    const incidents = await store.listOpenIncidents();
    expect(incidents.map((incident) => [incident.stage, incident.drillId ?? 'real']).sort()).toEqual([
      ['transmission', 'real'],
      ['verification', 'DRILL-20261126-02'],
    ]);
    const real = notifier.published.find((alert) => alert.message.attributes.stage === 'transmission');
    expect(real?.message.attributes.drill).toBe('false');
    expect(real?.message.subject.startsWith('[DRILL]')).toBe(false);
  });

  it('uses an explicit drill id over the store', async () => {
    const { store, round } = setup();
    store.drill = { drillId: 'DRILL-A' };
    expect((await round({ drillId: 'DRILL-B' })).drillId).toBe('DRILL-B');
  });
});

describe('runRound: the deadline', () => {
  it('stops doing I/O once the signal aborts, and reports instead of throwing', async () => {
    const { round } = setup();
    const summary = await round({ signal: AbortSignal.abort(new Error('deadline')) });
    expect(summary.probed).toBe(false);
    expect(new Set(summary.problems.map((problem) => problem.message))).toEqual(new Set(['Error: deadline']));
  });
});
