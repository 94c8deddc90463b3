import { describe, expect, it } from 'vitest';
import { abortInto, stopCondition } from '../../../lambdas/core/drill/stops.ts';
import { advanceDrill } from '../../../lambdas/core/drill/machine.ts';
import { applyActionResult } from '../../../lambdas/core/drill/outcomes.ts';
import { currentPhase } from '../../../lambdas/core/drill/state.ts';
import { newDrill } from '../../../lambdas/core/drill/new-drill.ts';
import { observationNeeds, type DrillObservation } from '../../../lambdas/core/drill/observation.ts';
import { preflightChecks } from '../../../lambdas/core/drill/phase-preflight.ts';
import { drillMetrics } from '../../../lambdas/core/drill/metrics.ts';
import type { ActionResult, DrillAction, DrillRecord } from '../../../lambdas/core/drill/model.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import { at, drillPolicy, incident, iso, observation, RECORD, routing, T0, targets } from './fixtures.ts';

const policy = drillPolicy({
  drills: { awaitAck: true, objectives: { rtoSeconds: 120, rpoRecords: 0, detectSeconds: 30 } },
});
const scenario = (name: string, config = policy) => {
  const found = findScenario(config, name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

const start = (
  name = 'verification-outage',
  change: Partial<Parameters<typeof newDrill>[0]> = {},
  config = policy,
): DrillRecord =>
  newDrill({
    id: 'd1',
    actor: 'operator:alice',
    now: at(0),
    policy: config,
    dryRun: false,
    scenario: scenario(name, config),
    ...change,
  });

interface Tick {
  readonly drill: DrillRecord;
  readonly actions: readonly DrillAction[];
}

/** One runner tick: advance, then report every action as done (or as `results` says) at the same instant. */
const tick = (
  drill: DrillRecord,
  seen: DrillObservation,
  results: (action: DrillAction) => ActionResult | undefined = () => undefined,
  config = policy,
): Tick => {
  const step = advanceDrill(drill, seen, config);
  let next = step.drill;
  for (const action of step.actions)
    next = applyActionResult(next, action, results(action) ?? { ok: true, at: seen.now.toISOString() });
  return { drill: next, actions: step.actions };
};

const phaseNames = (drill: DrillRecord) => drill.phases.map((phase) => `${phase.name}:${phase.outcome}`);
const kinds = (actions: readonly DrillAction[]) => actions.map((action) => action.kind);

describe('a verification-outage drill, tick by tick', () => {
  it('walks every phase, measures each step and ends with routing restored', () => {
    let state = tick(start(), observation(0));
    expect(kinds(state.actions)).toEqual(['inject']);
    expect(phaseNames(state.drill)).toEqual(['preflight:passed', 'inject:running']);
    expect(state.drill.marks.faultInjectedAt).toBe(iso(0));

    // The fault is in: identify waits, and the first record for the RPO is written to the serving site.
    state = tick(state.drill, observation(2));
    expect(phaseNames(state.drill)).toEqual(['preflight:passed', 'inject:passed', 'identify:running']);
    expect(state.actions).toEqual([{ kind: 'write-record', site: 'primary', seq: 1, recordId: 'd1-1' }]);

    // The pipeline opened the incident at 10 s and its alert reached the audit queue at 11 s.
    const opened = incident({ drillId: 'd1', openedAt: iso(10) });
    const alert = {
      alertId: 'a-open',
      kind: 'open',
      severity: 'SEV1',
      incidentId: 'inc-1',
      drillId: 'd1',
      drill: true,
      deliveredAt: iso(11),
    };
    state = tick(state.drill, observation(12, { incidents: [opened], alerts: [alert] }));
    expect(phaseNames(state.drill).slice(2)).toEqual(['identify:passed', 'notify:passed', 'decide:running']);
    expect(currentPhase(state.drill).detail).toBe('waiting for an operator: hcguard ack inc-1');

    // The operator acknowledges at 40 s; meanwhile the controller wrote its intent.
    const acknowledged = {
      ...opened,
      status: 'acknowledged' as const,
      acknowledgedAt: iso(40),
      acknowledgedBy: 'operator:bob',
    };
    const pending = routing('primary', {
      pending: { toSite: 'backup', requestedAt: iso(42), reason: 'failing', actor: 'controller' },
    });
    state = tick(
      state.drill,
      observation(43, { incidents: [acknowledged], drillIncident: acknowledged, routing: [pending] }),
    );
    expect(phaseNames(state.drill).slice(4)).toEqual(['decide:passed', 'activate:running']);
    expect(state.drill.marks.switchRequestedAt).toBe(iso(42));

    // Switched and INSYNC at 45 s, but no backup probe has passed since.
    const switched = routing('backup', {
      since: iso(45),
      lastSwitchedAt: iso(45),
      lastChange: { id: 'C1', status: 'INSYNC', at: iso(43) },
      version: 2,
    });
    state = tick(
      state.drill,
      observation(46, { incidents: [acknowledged], routing: [switched], targets: targets(44) }),
    );
    expect(currentPhase(state.drill)).toMatchObject({
      name: 'activate',
      outcome: 'running',
      detail: 'switched; waiting for a verification probe on the backup to pass',
    });
    expect(state.drill.marks).toMatchObject({ switchedAt: iso(45), insyncAt: iso(45) });

    // A backup verification result at 50 s: citizens are served; restore clears the fault.
    state = tick(
      state.drill,
      observation(51, { incidents: [acknowledged], routing: [switched], targets: targets(50) }),
    );
    expect(state.drill.marks.backupServingAt).toBe(iso(50));
    expect(phaseNames(state.drill).slice(5)).toEqual(['activate:passed', 'restore:running']);
    expect(kinds(state.actions)).toEqual(['clear-faults', 'write-record']);
    expect(state.actions[1]).toMatchObject({ site: 'backup' });
    expect(state.drill.marks.faultClearedAt).toBe(iso(51));

    // The primary is not fresh yet: no failback (and no write: one per half interval at most).
    state = tick(state.drill, observation(52, { routing: [switched], targets: targets(50) }));
    expect(state.actions).toEqual([]);

    // Primary healthy with results after the fault was cleared: the drill approves the failback.
    state = tick(state.drill, observation(60, { routing: [switched] }));
    expect(state.drill.marks.primaryHealthyAt).toBe(iso(51));
    expect(state.actions).toEqual([
      { kind: 'failback', reason: 'drill d1: repair done, failback approved by the drill' },
      { kind: 'write-record', site: 'backup', seq: 6, recordId: 'd1-6' },
    ]);

    // Back on the primary: the written records are read back there.
    const back = routing('primary', { since: iso(61), lastSwitchedAt: iso(61), version: 4 });
    state = tick(state.drill, observation(62, { routing: [back] }));
    expect(state.drill.marks.failbackAt).toBe(iso(61));
    expect(state.actions).toEqual([]);
    expect(observationNeeds(state.drill, at(62), policy).recordCounts).toEqual([
      'd1-1',
      'd1-2',
      'd1-3',
      'd1-4',
      'd1-5',
      'd1-6',
    ]);

    const counts = { 'd1-1': 1, 'd1-2': 1, 'd1-3': 1, 'd1-4': 1, 'd1-5': 1, 'd1-6': 1 };
    state = tick(state.drill, observation(63, { routing: [back], recordCounts: counts }));
    expect(state.drill.status).toBe('finished');
    expect(state.drill.outcome).toBe('passed');
    expect(kinds(state.actions)).toEqual(['release']);
    expect(phaseNames(state.drill)).toEqual([
      'preflight:passed',
      'inject:passed',
      'identify:passed',
      'notify:passed',
      'decide:passed',
      'activate:passed',
      'restore:passed',
      'summary:passed',
    ]);
    expect(drillMetrics(state.drill)).toEqual({
      detectMs: 10_000,
      notifyMs: 1_000,
      ackMs: 29_000,
      switchMs: 35_000,
      rtoMs: 50_000,
      recordsWritten: 6,
      recordsLost: 0,
      recordsDuplicated: 0,
    });
    expect(state.drill.data.onBackup).toEqual([4, 5, 6]);
  });

  it('does nothing more once finished', () => {
    const finished = { ...start(), status: 'finished' as const };
    expect(advanceDrill(finished, observation(1), policy)).toEqual({ drill: finished, actions: [] });
  });

  it('waits for an operator in manual failover mode, and says so', () => {
    const manual = drillPolicy({ failover: { mode: 'manual' } });
    let drill = tick(start('verification-outage', {}, manual), observation(0), undefined, manual).drill;
    const opened = incident({ drillId: 'd1' });
    const alert = {
      alertId: 'a',
      kind: 'open',
      severity: 'SEV1',
      incidentId: 'inc-1',
      drillId: 'd1',
      drill: true,
      deliveredAt: iso(11),
    };
    drill = tick(drill, observation(12, { incidents: [opened], alerts: [alert] }), undefined, manual).drill;
    expect(currentPhase(drill)).toMatchObject({
      name: 'activate',
      detail: 'failover.mode is manual: waiting for an operator to run `hcguard failover --to backup --reason …`',
    });
  });

  it('reports the controller refusing to switch and keeps the refusal for the report', () => {
    let drill = tick(start('verification-outage', {}, drillPolicy()), observation(0), undefined, drillPolicy()).drill;
    const opened = incident({ drillId: 'd1' });
    const refusing = routing('primary', {
      refusal: { toSite: 'backup', codes: ['dwell'], message: 'cannot switch: dwell until 03:00', since: iso(12) },
    });
    drill = tick(
      drill,
      observation(12, {
        incidents: [opened],
        routing: [refusing],
        alerts: [
          {
            alertId: 'a',
            kind: 'open',
            severity: 'SEV1',
            incidentId: 'inc-1',
            drillId: 'd1',
            drill: true,
            deliveredAt: iso(11),
          },
        ],
      }),
      undefined,
      drillPolicy(),
    ).drill;
    expect(currentPhase(drill)).toMatchObject({
      name: 'activate',
      detail: 'the controller refuses to switch: cannot switch: dwell until 03:00',
    });
    expect(drill.refusals).toEqual(['cannot switch: dwell until 03:00']);
  });

  it('fails the notify phase when no alert arrives in time, and goes on', () => {
    const quick = drillPolicy();
    let drill = tick(start('verification-outage', {}, quick), observation(0), undefined, quick).drill;
    drill = tick(drill, observation(12, { incidents: [incident({ drillId: 'd1' })] }), undefined, quick).drill;
    expect(currentPhase(drill).name).toBe('notify');
    drill = tick(drill, observation(12 + 60, { incidents: [incident({ drillId: 'd1' })] }), undefined, quick).drill;
    expect(drill.phases.find((phase) => phase.name === 'notify')).toMatchObject({
      outcome: 'failed',
      detail:
        'no drill alert about incident inc-1 reached the audit queue within 1 min: the ' +
        'alert was not published or not delivered',
    });
    expect(currentPhase(drill).name).toBe('activate');
  });
});

describe('when citizens were served again', () => {
  it('is the first good backup result after the switch, even when the drill looked much later', () => {
    let drill = tick(start(), observation(0)).drill;
    const alert = {
      alertId: 'a',
      kind: 'open',
      severity: 'SEV1',
      incidentId: 'inc-1',
      drillId: 'd1',
      drill: true,
      deliveredAt: iso(11),
    };
    const acknowledged = incident({ drillId: 'd1', acknowledgedAt: iso(12), status: 'acknowledged' });
    const switched = routing('backup', {
      since: iso(15),
      lastSwitchedAt: iso(15),
      lastChange: { id: 'C1', status: 'INSYNC', at: iso(15) },
    });
    drill = tick(
      drill,
      observation(16, { incidents: [acknowledged], alerts: [alert], routing: [switched], targets: targets(14) }),
    ).drill;
    expect(observationNeeds(drill, at(17), policy).backupResultsSince).toEqual({
      stages: ['verification'],
      since: iso(15),
    });
    const result = (seconds: number, outcome: 'ok' | 'failed') => ({
      probeId: 'verification-check',
      site: 'backup' as const,
      stage: 'verification' as const,
      startedAt: iso(seconds),
      durationMs: 400,
      outcome,
      steps: [],
    });
    // Looked at only 90 s later: the stored results say when it really happened.
    const late = tick(
      drill,
      observation(105, {
        incidents: [acknowledged],
        routing: [switched],
        backupResults: [result(100, 'ok'), result(20, 'ok'), result(16, 'failed')],
      }),
    );
    expect(late.drill.marks.backupServingAt).toBe('2026-11-20T02:00:20.400Z');
  });
});

describe('scenarios without a failover', () => {
  it('collection-data-loss: activate is skipped, the read-back counts lost and duplicated records', () => {
    let state = tick(start('collection-data-loss'), observation(0));
    state = tick(state.drill, observation(2));
    state = tick(state.drill, observation(6));
    state = tick(state.drill, observation(10));
    expect(state.drill.data.attempts).toBe(3);
    const opened = incident({
      drillId: 'd1',
      stage: 'collection',
      failureClass: 'assertion',
      severity: 'SEV3',
      acknowledgedAt: iso(13),
      status: 'acknowledged',
    });
    const alert = {
      alertId: 'a',
      kind: 'open',
      severity: 'SEV3',
      incidentId: 'inc-1',
      drillId: 'd1',
      drill: true,
      deliveredAt: iso(11),
    };
    state = tick(state.drill, observation(14, { incidents: [opened], alerts: [alert] }));
    expect(state.drill.phases.map((phase) => `${phase.name}:${phase.outcome}`).slice(5)).toEqual([
      'activate:skipped',
      'restore:running',
    ]);
    expect(state.drill.phases[5]?.detail).toBe(
      'no managed record follows collection: traffic stays on the primary, as expected',
    );
    state = tick(state.drill, observation(20));
    expect(state.drill.marks.primaryHealthyAt).toBe(iso(14));
    expect(state.drill.data.attempts).toBe(4);
    // First read-back misses two records; the check is repeated after the recheck interval before counting them lost.
    state = tick(state.drill, observation(21, { recordCounts: { 'd1-1': 1, 'd1-2': 0, 'd1-3': 2, 'd1-4': 1 } }));
    expect(state.drill.status).toBe('running');
    expect(observationNeeds(state.drill, at(22), policy).recordCounts).toBeUndefined();
    expect(observationNeeds(state.drill, at(26), policy).recordCounts).toEqual(['d1-1', 'd1-2', 'd1-3', 'd1-4']);
    state = tick(state.drill, observation(26, { recordCounts: { 'd1-1': 1, 'd1-2': 0, 'd1-3': 2, 'd1-4': 1 } }));
    state = tick(state.drill, observation(31, { recordCounts: { 'd1-1': 1, 'd1-2': 0, 'd1-3': 2, 'd1-4': 1 } }));
    expect(state.drill).toMatchObject({ status: 'finished', outcome: 'failed' });
    expect(state.drill.phases.find((phase) => phase.name === 'restore')).toMatchObject({
      outcome: 'failed',
      detail: 'fault cleared; traffic never left the primary; 4 record(s) written, 1 lost, 1 duplicated',
    });
    expect(drillMetrics(state.drill)).toMatchObject({
      recordsWritten: 4,
      recordsLost: 1,
      recordsDuplicated: 1,
      switchMs: null,
      rtoMs: null,
    });
  });
});

describe('pre-flight', () => {
  const cases: { name: string; seen: Partial<DrillObservation>; check: string; detail: RegExp }[] = [
    {
      name: 'another drill runs',
      seen: { activeDrillId: 'd0' },
      check: 'no other drill running',
      detail: /drill d0 is running: finish it with `hcguard drill --resume d0`/,
    },
    {
      name: 'an incident is open',
      seen: { incidents: [incident({ openedAt: iso(-100) })] },
      check: 'no real incident open',
      detail: /open: inc-1 SEV1/,
    },
    {
      name: 'routing is locked',
      seen: { lock: { reason: 'maintenance', actor: 'operator:carol', at: iso(-50) } },
      check: 'no routing lock',
      detail: /locked by operator:carol/,
    },
    {
      name: 'traffic is on the backup',
      seen: { routing: [routing('backup')] },
      check: 'traffic on the primary',
      detail: /verify\.hc\.example\.com/,
    },
    {
      name: 'the backup has no fresh result',
      seen: { targets: targets(-300) },
      check: 'backup ready on all three stages',
      detail: /no quorum on backup: collection has no fresh result .* is the prober running\?/,
    },
    {
      name: 'backup transmission degraded',
      seen: { targets: targets(0, { 'backup#transmission': { health: 'degraded', lastFailureClass: 'timeout' } }) },
      check: 'backup ready on all three stages',
      detail: /backup unhealthy: transmission degraded \(timeout\)/,
    },
    {
      name: 'primary failing',
      seen: { targets: targets(0, { 'primary#collection': { health: 'failing' } }) },
      check: 'primary healthy',
      detail: /primary: collection failing/,
    },
    {
      name: 'a switch within the dwell time',
      seen: { routing: [routing('primary', { lastSwitchedAt: iso(-60) })] },
      check: 'no dwell hold',
      detail: /switched at 2026-11-20T01:59:00.000Z; next switch allowed after 2026-11-20T02:04:00.000Z/,
    },
  ];

  it.each(cases)('refuses when $name, and says why', ({ seen, check, detail }) => {
    const { drill, actions } = tick(start(), observation(0, seen));
    expect(actions).toEqual([{ kind: 'release' }]);
    expect(drill).toMatchObject({ status: 'finished', outcome: 'refused' });
    expect(phaseNames(drill)).toEqual(['preflight:failed', 'summary:failed']);
    const failed = drill.phases[0]?.checks.filter((entry) => !entry.ok);
    expect(failed?.map((entry) => entry.name)).toEqual([check]);
    expect(failed?.[0]?.detail).toMatch(detail);
    expect(drill.phases[0]?.detail).toMatch(/^refused: /);
  });

  it('refuses when a required environment check fails (no fault injector)', () => {
    const environment = {
      preflight: [
        { name: 'fault injector', ok: false, detail: 'no sandbox running and no drills.faultHookUrl', required: true },
      ],
    };
    const { drill } = tick(start(), observation(0, { environment }));
    expect(drill.outcome).toBe('refused');
    expect(drill.phases[0]?.detail).toBe('refused: fault injector: no sandbox running and no drills.faultHookUrl');
  });

  it('warns, without refusing, when the drill would bring a flap hold on its faulted target', () => {
    // Default flap limit: 4 changes in 10 min. Two recent ones plus the drill's two reach it.
    const recent = [-400, -200].map(iso);
    const seen = observation(0, { targets: targets(0, { 'primary#verification': { recentChanges: recent } }) });
    const flap = preflightChecks(start(), seen, policy).find((entry) => entry.name === 'no flap hold ahead');
    expect(flap).toEqual({
      name: 'no flap hold ahead',
      ok: false,
      required: false,
      detail:
        "primary/verification changed health 2 time(s) in the last 10 min; the drill's two changes would hold " +
        `it at failing (flap limit 4): start after ${new Date(T0 + 200_000).toISOString()}, or end the hold ` +
        'later with `hcguard hold clear primary/verification --reason "..."`',
    });
    const { drill } = tick(start(), seen);
    expect(drill.phases[0]).toMatchObject({
      outcome: 'passed',
      detail: '7 of 8 check(s) passed; warning: no flap hold ahead',
    });
    const quiet = observation(0, {
      targets: targets(0, { 'primary#verification': { recentChanges: recent.slice(1) } }),
    });
    expect(preflightChecks(start(), quiet, policy).find((entry) => entry.name === 'no flap hold ahead')?.ok).toBe(true);
  });

  it('a notify process test only needs no other drill', () => {
    const drill = newDrill({ id: 'd2', actor: 'operator:alice', now: at(0), policy, dryRun: false, step: 'notify' });
    expect(
      preflightChecks(
        drill,
        observation(0, { incidents: [incident()], lock: { reason: 'x', actor: 'operator:a', at: iso(0) } }),
        policy,
      ).map((entry) => entry.name),
    ).toEqual(['no other drill running']);
  });
});

describe('stop conditions', () => {
  /** A drill with its fault in and its incident open, in identify or later. */
  const running = (): DrillRecord => {
    let drill = tick(start(), observation(0)).drill;
    drill = tick(drill, observation(12, { incidents: [incident({ drillId: 'd1' })] })).drill;
    return drill;
  };
  const drillIncident = incident({ drillId: 'd1' });

  const cases: { name: string; seen: Partial<DrillObservation>; seconds: number; code: string; reason: RegExp }[] = [
    {
      name: "a real incident opens (not the drill's site and stage)",
      seconds: 20,
      seen: {
        incidents: [
          drillIncident,
          incident({
            id: 'inc-2',
            drillId: 'd1',
            site: 'primary',
            stage: 'transmission',
            title: 'transmission failing on primary',
          }),
        ],
      },
      code: 'real-incident',
      reason: /inc-2 SEV1 transmission failing on primary/,
    },
    {
      name: "an incident without the drill id that is not the drill's fault",
      seconds: 20,
      seen: {
        incidents: [
          drillIncident,
          incident({
            id: 'inc-3',
            kind: 'heartbeat',
            site: undefined,
            stage: undefined,
            title: 'prober heartbeat missing',
          }),
        ],
      },
      code: 'real-incident',
      reason: /inc-3/,
    },
    {
      name: 'the backup degrades',
      seconds: 20,
      seen: {
        incidents: [drillIncident],
        targets: targets(20, { 'backup#verification': { health: 'degraded', lastFailureClass: 'timeout' } }),
      },
      code: 'backup-degraded',
      reason: /the backup degraded during the drill: verification degraded \(timeout\)/,
    },
    {
      name: 'the time limit passes',
      seconds: 30 * 60,
      seen: { incidents: [drillIncident] },
      code: 'time-limit',
      reason: /drills\.timeLimitMinutes \(30 min\) while in notify/,
    },
  ];

  it.each(cases)('aborts when $name and restores', ({ seen, seconds, code, reason }) => {
    const { drill, actions } = tick(running(), observation(seconds, seen));
    expect(drill.abort).toMatchObject({ code, phase: 'notify' });
    expect(drill.abort?.reason).toMatch(reason);
    expect(phaseNames(drill).slice(-2)).toEqual(['notify:aborted', 'restore:running']);
    expect(kinds(actions)).toContain('clear-faults');
  });

  it('says the backup degraded rather than "a real incident" when the backup\'s trouble also opened one', () => {
    const backupIncident = incident({
      id: 'inc-5',
      drillId: 'd1',
      site: 'backup',
      stage: 'collection',
      title: 'collection failing on backup',
    });
    const seen = observation(20, {
      incidents: [drillIncident, backupIncident],
      targets: targets(20, { 'backup#collection': { health: 'failing', lastFailureClass: 'status' } }),
    });
    expect(stopCondition(running(), seen, policy)).toEqual({
      code: 'backup-degraded',
      reason: 'the backup degraded during the drill: collection failing (status)',
    });
  });

  it("does not stop for the drill's own incidents or the routing condition its fault causes", () => {
    const condition = incident({
      id: 'inc-4',
      kind: 'cannot-fail-over',
      site: undefined,
      stage: undefined,
      record: RECORD,
      drillId: 'd1',
    });
    expect(
      stopCondition(running(), observation(20, { incidents: [drillIncident, condition] }), policy),
    ).toBeUndefined();
  });

  it('an operator abort is acted on at the next tick', () => {
    const drill: DrillRecord = {
      ...running(),
      abortRequested: { by: 'operator:bob', reason: 'checkpoint complaints', at: iso(20) },
    };
    const next = tick(drill, observation(21, { incidents: [drillIncident] })).drill;
    expect(next.abort).toMatchObject({ code: 'operator', reason: 'operator:bob: checkpoint complaints' });
    expect(next.abortRequested).toBeUndefined();
  });

  it('after an abort on the backup, switches back with --force only once the primary passes pre-flight', () => {
    const onBackup = routing('backup', {
      lastSwitchedAt: iso(15),
      since: iso(15),
      lastChange: { id: 'C1', status: 'INSYNC', at: iso(14) },
    });
    let state = tick(running(), observation(20, { incidents: [drillIncident], routing: [onBackup] }));
    state = tick(abortInto(state.drill, 'operator', 'stop', at(21)), observation(21, { routing: [onBackup] }));
    expect(kinds(state.actions)).toEqual(['clear-faults']);
    // Primary verification still failing (stale): no switch back yet.
    state = tick(
      state.drill,
      observation(23, {
        routing: [onBackup],
        targets: targets(23, { 'primary#verification': { health: 'failing', lastResultAt: iso(23) } }),
      }),
    );
    expect(currentPhase(state.drill).detail).toMatch(
      /^fault cleared at .*; waiting for the primary to recover \(verification failing\)/,
    );
    // Held there by a flap hold: the wait says why, until when, and how to end it.
    const changes = [1, 2, 3, 4].map((minute) => new Date(T0 + minute * 60_000).toISOString());
    const held = tick(
      state.drill,
      observation(24, {
        routing: [onBackup],
        targets: targets(24, {
          'primary#verification': { health: 'failing', flapping: true, recentChanges: changes, lastResultAt: iso(24) },
        }),
      }),
    );
    expect(currentPhase(held.drill).detail).toContain(
      `(verification failing (4 health changes within 10 min (flap limit 4): held at failing until ` +
        `${new Date(T0 + 11 * 60_000).toISOString()}; ` +
        '`hcguard hold clear primary/verification --reason "..."` ends it))',
    );
    state = tick(state.drill, observation(30, { routing: [onBackup] }));
    expect(state.actions[0]).toEqual({
      kind: 'switch',
      to: 'primary',
      force: true,
      reason: 'drill d1 aborted (operator): returning traffic to the primary',
    });
    // A refused attempt is retried after the retry interval, not on every tick.
    const refused = tick(state.drill, observation(30, { routing: [onBackup] }), () => ({
      ok: false,
      at: iso(30),
      error: 'throttled',
    }));
    expect(
      tick(refused.drill, observation(31, { routing: [onBackup] })).actions.filter(
        (action) => action.kind === 'switch',
      ),
    ).toEqual([]);
  });

  it('a time limit during restore turns the normal failback into a forced one', () => {
    const noAck = drillPolicy();
    const onBackup = routing('backup', {
      since: iso(15),
      lastSwitchedAt: iso(15),
      lastChange: { id: 'C1', status: 'INSYNC', at: iso(14) },
    });
    const alert = {
      alertId: 'a',
      kind: 'open',
      severity: 'SEV1',
      incidentId: 'inc-1',
      drillId: 'd1',
      drill: true,
      deliveredAt: iso(11),
    };
    let drill = tick(start('verification-outage', {}, noAck), observation(0), undefined, noAck).drill;
    drill = tick(
      drill,
      observation(20, { incidents: [drillIncident], routing: [onBackup], alerts: [alert] }),
      undefined,
      noAck,
    ).drill;
    expect(currentPhase(drill).name).toBe('restore');
    // Normal restore: `hcguard failback`, which the policy refuses until the primary is stable.
    let state = tick(
      drill,
      observation(30, { routing: [onBackup] }),
      (action) =>
        action.kind === 'failback' ? { ok: false, at: iso(30), error: 'primary not stable yet' } : undefined,
      noAck,
    );
    expect(kinds(state.actions)).toContain('failback');
    expect(state.drill.restore.lastRefusal).toBe('primary not stable yet');
    expect(
      currentPhase(tick(state.drill, observation(31, { routing: [onBackup] }), undefined, noAck).drill).detail,
    ).toBe('failing back verify.hc.example.com through `hcguard failback` (last answer: primary not stable yet)');
    state = tick(state.drill, observation(30 * 60, { routing: [onBackup] }), undefined, noAck);
    expect(state.drill.abort).toMatchObject({ code: 'time-limit', phase: 'restore' });
    expect(state.actions.filter((action) => action.kind === 'switch')).toEqual([
      {
        kind: 'switch',
        to: 'primary',
        force: true,
        reason: 'drill d1 aborted (time-limit): returning traffic to the primary',
      },
    ]);
  });
});

describe('dry run', () => {
  it("walks every phase's checks in one tick and touches nothing", () => {
    const environment = {
      preflight: [
        { name: 'fault injector reachable', ok: true, detail: 'sandbox at http://127.0.0.1:18080', required: true },
      ],
      notify: [
        { name: 'audit queue readable', ok: false, detail: 'AccessDenied on sqs:GetQueueAttributes', required: true },
      ],
      activate: [
        {
          name: 'Route 53 record readable',
          ok: true,
          detail: 'verify.hc.example.com A 10.0.0.1 (primary)',
          required: true,
        },
      ],
    };
    const drill = newDrill({
      id: 'd3',
      actor: 'operator:alice',
      now: at(0),
      policy,
      dryRun: true,
      scenario: scenario('verification-outage'),
    });
    expect(observationNeeds(drill, at(0), policy).environment).toEqual(drill.plan);
    const { drill: done, actions } = tick(drill, observation(0, { environment }));
    expect(actions).toEqual([]);
    expect(done).toMatchObject({ status: 'finished', outcome: 'failed' });
    expect(phaseNames(done)).toEqual([
      'preflight:passed',
      'inject:passed',
      'identify:passed',
      'notify:failed',
      'decide:passed',
      'activate:passed',
      'restore:passed',
      'summary:failed',
    ]);
    expect(done.phases[3]?.detail).toBe('dry run: 0 of 1 check(s) passed; failed: audit queue readable');
  });
});

describe('process tests (--step)', () => {
  it('notify: one test alert per severity topic, each confirmed', () => {
    let drill = newDrill({ id: 'd4', actor: 'operator:alice', now: at(0), policy, dryRun: false, step: 'notify' });
    let state = tick(drill, observation(0));
    expect(state.actions).toEqual([
      { kind: 'publish-test-alert', severity: 'SEV1', alertId: 'test-d4-sev1' },
      { kind: 'publish-test-alert', severity: 'SEV2', alertId: 'test-d4-sev2' },
      { kind: 'publish-test-alert', severity: 'SEV3', alertId: 'test-d4-sev3' },
      { kind: 'publish-test-alert', severity: 'SEV4', alertId: 'test-d4-sev4' },
    ]);
    drill = state.drill;
    const delivered = (severity: string, seconds: number) => ({
      alertId: `test-d4-${severity}`,
      kind: 'test',
      severity,
      drillId: 'd4',
      drill: true,
      deliveredAt: iso(seconds),
    });
    state = tick(
      drill,
      observation(1, { alerts: [delivered('sev1', 0.4), delivered('sev2', 0.5), delivered('sev3', 0.2)] }),
    );
    expect(currentPhase(state.drill).detail).toBe('waiting for test alerts on SEV4 (1.0 s so far)');
    state = tick(state.drill, observation(2, { alerts: [delivered('sev4', 1.5)] }));
    expect(state.drill).toMatchObject({ status: 'finished', outcome: 'passed' });
    expect(state.drill.phases[1]?.detail).toBe(
      'test alert delivered on every topic: SEV1 400 ms, SEV2 500 ms, SEV3 200 ms, SEV4 1.5 s',
    );
    expect(drillMetrics(state.drill).notifyMs).toBe(1500);
  });

  it('notify on chosen topics (alerts test --severity): those only; a publish the sent log lacks is said', () => {
    const drill = newDrill({
      id: 'd5',
      actor: 'operator:alice',
      now: at(0),
      policy,
      dryRun: false,
      step: 'notify',
      severities: ['SEV2'],
    });
    const first = tick(drill, observation(0));
    expect(first.actions).toEqual([{ kind: 'publish-test-alert', severity: 'SEV2', alertId: 'test-d5-sev2' }]);
    const action = first.actions[0] as DrillAction;
    const published = applyActionResult(first.drill, action, {
      ok: true,
      at: iso(0.1),
      startedAt: iso(0),
      detail: 'published; not in the sent log: throttled',
    });
    const alert = { alertId: 'test-d5-sev2', kind: 'test', severity: 'sev2', drillId: 'd5', drill: true };
    const done = tick(published, observation(1, { alerts: [{ ...alert, deliveredAt: iso(0.3) }] }));
    expect(done.drill).toMatchObject({ status: 'finished', outcome: 'passed' });
    expect(done.drill.phases[1]?.detail).toBe(
      'test alert delivered on SEV2: SEV2 300 ms; SEV2 (published; not in the sent log: throttled)',
    );
    expect(drillMetrics(done.drill).notifyMs).toBe(300);
  });

  it('switch: through the operator path and back with --force', () => {
    const drill = newDrill({ id: 'd5', actor: 'operator:alice', now: at(0), policy, dryRun: false, step: 'switch' });
    let state = tick(drill, observation(0));
    expect(state.actions).toEqual([
      { kind: 'switch', to: 'backup', force: false, reason: 'drill d5: process test of the switch procedure' },
    ]);
    const onBackup = routing('backup', {
      since: iso(2),
      lastSwitchedAt: iso(2),
      lastChange: { id: 'C', status: 'INSYNC', at: iso(1) },
    });
    state = tick(state.drill, observation(3, { routing: [onBackup], targets: targets(1) }));
    expect(state.actions).toEqual([]);
    state = tick(state.drill, observation(6, { routing: [onBackup], targets: targets(5) }));
    expect(state.actions).toEqual([
      {
        kind: 'switch',
        to: 'primary',
        force: true,
        reason: 'drill d5: process test of the switch procedure, returning traffic',
      },
    ]);
    const back = routing('primary', { since: iso(7), lastSwitchedAt: iso(7) });
    state = tick(state.drill, observation(8, { routing: [back] }));
    expect(state.drill).toMatchObject({ status: 'finished', outcome: 'passed' });
    expect(drillMetrics(state.drill)).toMatchObject({ switchMs: 2000, recordsWritten: null });
  });

  it('switch: a refused switch to the backup ends the test without touching anything else', () => {
    const drill = newDrill({ id: 'd6', actor: 'operator:alice', now: at(0), policy, dryRun: false, step: 'switch' });
    const state = tick(drill, observation(0), () => ({
      ok: false,
      at: iso(0),
      error: 'backup unhealthy: verification failing',
      refusal: true,
    }));
    expect(state.drill.abort).toMatchObject({
      code: 'inject-failed',
      reason: 'the switch to the backup was refused: backup unhealthy: verification failing',
    });
  });
});

describe('inject failure', () => {
  it('aborts and still clears whatever may have been injected', () => {
    const state = tick(start(), observation(0), () => ({ ok: false, at: iso(0), error: 'sandbox unreachable' }));
    expect(state.drill.abort).toMatchObject({
      code: 'inject-failed',
      reason: 'injecting error on primary verification failed: sandbox unreachable',
    });
    const next = tick(state.drill, observation(1));
    expect(kinds(next.actions)).toEqual(['clear-faults']);
  });
});
