import { describe, expect, it } from 'vitest';
import {
  decideFailover,
  type FailoverDecision,
  type FailoverPolicy,
  type FailoverRequest,
  type PolicyInput,
} from '../../../lambdas/core/routing/policy.ts';
import { freshSince, intentLeaseUntil, preflight, repairableAt } from '../../../lambdas/core/routing/checks.ts';
import { STAGES, type FailureClass, type Site, type Stage } from '../../../lambdas/core/model/vocabulary.ts';
import type { RoutingState } from '../../../lambdas/core/model/routing.ts';
import type { TargetHealth, TargetState } from '../../../lambdas/core/model/probing.ts';

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const iso = (minutes: number): string => at(minutes).toISOString();

const RECORD = { name: 'verify.hc.example.com', stage: 'verification' as Stage };
const POLICY: FailoverPolicy = {
  mode: 'automatic',
  dwellMinutes: 5,
  failback: 'manual',
  failbackAfterHealthyMinutes: 10,
};
const AUTOMATIC: FailoverRequest = { kind: 'automatic', actor: 'controller' };
const OPERATOR = 'operator:li@ops-1' as const;

interface TargetSpec {
  readonly health?: TargetHealth;
  readonly since?: number;
  readonly resultAt?: number | null;
  readonly failureClass?: FailureClass;
  readonly flapping?: boolean;
}

const target = (site: Site, stage: Stage, spec: TargetSpec = {}, minute = 0): TargetState => ({
  site,
  stage,
  health: spec.health ?? 'healthy',
  since: iso(spec.since ?? -60),
  consecutiveFailures: spec.health === 'failing' ? 3 : 0,
  consecutiveSuccesses: spec.health === 'healthy' || spec.health === undefined ? 5 : 0,
  ...(spec.resultAt === null ? {} : { lastResultAt: iso(spec.resultAt ?? minute) }),
  ...(spec.failureClass ? { lastFailureClass: spec.failureClass } : {}),
  recentChanges: [],
  flapping: spec.flapping ?? false,
  version: 1,
});

/** Every (site, stage) healthy for an hour with a result from `minute`, except the overrides. */
const targets = (overrides: Partial<Record<`${Site}.${Stage}`, TargetSpec>> = {}, minute = 0): TargetState[] =>
  (['primary', 'backup'] as const).flatMap((site) =>
    STAGES.map((stage) => target(site, stage, overrides[`${site}.${stage}`], minute)),
  );

const routing = (activeSite: Site, extra: Partial<RoutingState> = {}): RoutingState => ({
  record: RECORD.name,
  activeSite,
  since: iso(-120),
  reason: 'initialized from Route 53',
  actor: 'controller',
  version: 4,
  ...extra,
});

const input = (overrides: Partial<PolicyInput> = {}): PolicyInput => ({
  record: RECORD,
  routing: routing('primary'),
  targets: targets(),
  policy: POLICY,
  now: at(0),
  freshSince: at(0),
  request: AUTOMATIC,
  ...overrides,
});

const codes = (decision: FailoverDecision): string[] =>
  decision.kind === 'refuse' ? decision.refusals.map((refusal) => refusal.code) : [];

describe('decideFailover: automatic, primary serving', () => {
  it.each([
    { name: 'everything healthy', overrides: {}, kind: 'nothing' },
    {
      name: 'primary verification degraded (slow, not failing)',
      overrides: { 'primary.verification': { health: 'degraded' } },
      kind: 'nothing',
    },
    {
      name: 'primary verification unknown (no results yet)',
      overrides: { 'primary.verification': { health: 'unknown' } },
      kind: 'nothing',
    },
    {
      name: 'primary collection failing while the record follows verification',
      overrides: { 'primary.collection': { health: 'failing' } },
      kind: 'nothing',
    },
    {
      name: 'backup failing while the primary serves (an alert, not a switch)',
      overrides: { 'backup.verification': { health: 'failing' } },
      kind: 'nothing',
    },
  ] satisfies { name: string; overrides: Parameters<typeof targets>[0]; kind: string }[])(
    '$name → $kind',
    ({ overrides, kind }) => {
      expect(decideFailover(input({ targets: targets(overrides) })).kind).toBe(kind);
    },
  );

  it('switches to a backup that passes pre-flight when verification fails on the primary', () => {
    const decision = decideFailover(
      input({
        targets: targets({ 'primary.verification': { health: 'failing', since: -2, failureClass: 'timeout' } }),
      }),
    );
    expect(decision).toEqual({
      kind: 'switch',
      from: 'primary',
      to: 'backup',
      cause: 'failover',
      reason: `primary verification failing (timeout) since ${iso(-2)}`,
      forced: false,
      overridden: [],
    });
  });

  it('follows the stage the record is configured for', () => {
    const decision = decideFailover(
      input({
        record: { ...RECORD, stage: 'collection' },
        targets: targets({ 'primary.collection': { health: 'failing' } }),
      }),
    );
    expect(decision).toMatchObject({ kind: 'switch', to: 'backup' });
  });

  it.each([
    {
      name: 'backup verification failing too (both sites failing)',
      overrides: { 'backup.verification': { health: 'failing', failureClass: 'connect' } },
      expected: ['no-healthy-site', 'target-unhealthy'],
      condition: 'no-healthy-site',
      says: 'verification is failing on both primary and backup',
    },
    {
      name: 'backup transmission degraded',
      overrides: { 'backup.transmission': { health: 'degraded' } },
      expected: ['target-unhealthy'],
      condition: 'cannot-fail-over',
      says: 'backup unhealthy: transmission degraded',
    },
    {
      name: 'backup collection failing with a class and flapping',
      overrides: { 'backup.collection': { health: 'failing', failureClass: 'assertion', flapping: true } },
      expected: ['target-unhealthy'],
      condition: 'cannot-fail-over',
      says: 'collection failing (assertion, flapping)',
    },
    {
      name: 'backup collection state unknown',
      overrides: { 'backup.collection': { health: 'unknown' } },
      expected: ['no-quorum'],
      condition: 'cannot-fail-over',
      says: 'no quorum on backup: collection state unknown',
    },
    {
      name: "backup transmission's last result is from before this round",
      overrides: { 'backup.transmission': { resultAt: -1 } },
      expected: ['no-quorum'],
      condition: 'cannot-fail-over',
      says: `transmission has no fresh result (last ${iso(-1)}, needed at or after ${iso(0)})`,
    },
    {
      name: 'backup verification never produced a result',
      overrides: { 'backup.verification': { resultAt: null } },
      expected: ['no-quorum'],
      condition: 'cannot-fail-over',
      says: 'verification has no fresh result (last never',
    },
  ] satisfies {
    name: string;
    overrides: Parameters<typeof targets>[0];
    expected: string[];
    condition: string;
    says: string;
  }[])('refuses when $name', ({ overrides, expected, condition, says }) => {
    const decision = decideFailover(
      input({ targets: targets({ 'primary.verification': { health: 'failing' }, ...overrides }) }),
    );
    expect(decision.kind).toBe('refuse');
    expect(codes(decision)).toEqual(expected);
    if (decision.kind !== 'refuse') return;
    expect(decision.message).toContain(says);
    expect(decision.condition).toMatchObject({ kind: condition, record: RECORD.name });
  });

  it('refuses during the dwell time and says until when', () => {
    const decision = decideFailover(
      input({
        routing: routing('primary', { lastSwitchedAt: iso(-2) }),
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(codes(decision)).toEqual(['dwell']);
    expect(decision).toMatchObject({
      condition: { kind: 'cannot-fail-over', title: `cannot fail over: ${RECORD.name} stays on primary — dwell time` },
    });
    if (decision.kind === 'refuse') expect(decision.message).toContain(`next switch allowed after ${iso(3)}`);
  });

  it('switches once the dwell time has passed', () => {
    const decision = decideFailover(
      input({
        routing: routing('primary', { lastSwitchedAt: iso(-5) }),
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(decision.kind).toBe('switch');
  });

  it('does not count the dwell time from a record that was never switched', () => {
    const decision = decideFailover(
      input({
        routing: routing('primary', { since: iso(-1) }),
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(decision.kind).toBe('switch');
  });

  it('refuses while routing is locked and says who locked it and why', () => {
    const decision = decideFailover(
      input({
        lock: { actor: OPERATOR, at: iso(-30), reason: 'backup DB migration' },
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(codes(decision)).toEqual(['locked']);
    if (decision.kind === 'refuse')
      expect(decision.message).toContain(`routing locked by ${OPERATOR} since ${iso(-30)}: backup DB migration`);
  });

  it('only alerts in failover.mode manual, naming the command to run', () => {
    const decision = decideFailover(
      input({
        policy: { ...POLICY, mode: 'manual' },
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(codes(decision)).toEqual(['automatic-off']);
    if (decision.kind === 'refuse') expect(decision.message).toContain('hcguard failover --to backup');
  });

  it('lists every reason at once, so the operator fixes them in one go', () => {
    const decision = decideFailover(
      input({
        lock: { actor: OPERATOR, at: iso(-30), reason: 'maintenance' },
        routing: routing('primary', { lastSwitchedAt: iso(-1) }),
        targets: targets({
          'primary.verification': { health: 'failing' },
          'backup.transmission': { health: 'failing' },
        }),
      }),
    );
    expect(codes(decision)).toEqual(['locked', 'dwell', 'target-unhealthy']);
    expect(decision).toMatchObject({
      condition: {
        title: `cannot fail over: ${RECORD.name} stays on primary — routing locked, dwell time, backup unhealthy`,
      },
    });
  });
});

describe('decideFailover: automatic, backup serving', () => {
  const onBackup = routing('backup', { lastSwitchedAt: iso(-30), since: iso(-30) });

  it(
    'moves back to a healthy primary when the backup itself fails (no approval ' + 'needed to leave a failing site)',
    () => {
      const decision = decideFailover(
        input({ routing: onBackup, targets: targets({ 'backup.verification': { health: 'failing' } }) }),
      );
      expect(decision).toMatchObject({ kind: 'switch', from: 'backup', to: 'primary', cause: 'failover' });
    },
  );

  it('does not fail back by default, and tells the operator how to', () => {
    const decision = decideFailover(
      input({ routing: onBackup, targets: targets({ 'primary.verification': { since: -20 } }) }),
    );
    expect(decision.kind).toBe('nothing');
    if (decision.kind === 'nothing') expect(decision.note).toContain('run `hcguard failback`');
  });

  it.each([
    { name: 'healthy long enough', since: -10, kind: 'switch' },
    { name: 'healthy for 9 minutes only', since: -9, kind: 'nothing' },
  ])('fails back automatically with failback automatic when the primary was $name', ({ since, kind }) => {
    const decision = decideFailover(
      input({
        routing: onBackup,
        policy: { ...POLICY, failback: 'automatic' },
        targets: targets({ 'primary.transmission': { since } }),
      }),
    );
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'switch')
      expect(decision).toMatchObject({
        to: 'primary',
        cause: 'failback',
        reason: `automatic failback: primary healthy on every stage since ${iso(-10)}`,
      });
  });

  it.each([
    { name: 'the primary is degraded', overrides: { 'primary.collection': { health: 'degraded' } } },
    { name: "the primary's results are stale", overrides: { 'primary.verification': { resultAt: -3 } } },
  ] satisfies { name: string; overrides: Parameters<typeof targets>[0] }[])(
    'does not fail back automatically when $name',
    ({ overrides }) => {
      const decision = decideFailover(
        input({ routing: onBackup, policy: { ...POLICY, failback: 'automatic' }, targets: targets(overrides) }),
      );
      expect(decision.kind).toBe('nothing');
    },
  );

  it('holds an automatic failback while locked or within the dwell time', () => {
    const automatic = { ...POLICY, failback: 'automatic' as const };
    const locked = decideFailover(
      input({
        routing: onBackup,
        policy: automatic,
        lock: { actor: OPERATOR, at: iso(-1), reason: 'primary patching' },
      }),
    );
    expect(locked).toMatchObject({ kind: 'nothing', note: expect.stringContaining('primary patching') });
    const dwelling = decideFailover(input({ routing: { ...onBackup, lastSwitchedAt: iso(-1) }, policy: automatic }));
    expect(dwelling).toMatchObject({ kind: 'nothing', note: expect.stringContaining('dwell') });
  });
});

describe('decideFailover: operator requests', () => {
  const failover = (to: Site, force = false): FailoverRequest => ({
    kind: 'failover',
    to,
    reason: 'planned primary maintenance',
    force,
    actor: OPERATOR,
  });

  it('switches by hand when pre-flight passes, with the operator’s reason', () => {
    expect(decideFailover(input({ request: failover('backup') }))).toEqual({
      kind: 'switch',
      from: 'primary',
      to: 'backup',
      cause: 'manual',
      reason: 'planned primary maintenance',
      forced: false,
      overridden: [],
    });
  });

  it('refuses a switch to the site already active', () => {
    const decision = decideFailover(input({ request: failover('primary') }));
    expect(codes(decision)).toEqual(['already-active']);
    expect(decision).not.toHaveProperty('condition');
  });

  it.each([
    {
      name: 'a broken backup',
      overrides: { 'backup.verification': { health: 'failing', failureClass: 'status' } },
      routingExtra: {},
      expected: ['target-unhealthy'],
    },
    { name: 'the dwell time', overrides: {}, routingExtra: { lastSwitchedAt: iso(-1) }, expected: ['dwell'] },
    {
      name: 'stale backup results',
      overrides: { 'backup.collection': { resultAt: -10 } },
      routingExtra: {},
      expected: ['no-quorum'],
    },
  ] satisfies {
    name: string;
    overrides: Parameters<typeof targets>[0];
    routingExtra: Partial<RoutingState>;
    expected: string[];
  }[])(
    'applies the same safety checks ($name) and --force overrides them, listing what it overrode',
    ({ overrides, routingExtra, expected }) => {
      const base = { targets: targets(overrides), routing: routing('primary', routingExtra), freshSince: at(-3) };
      const refused = decideFailover(input({ ...base, request: failover('backup') }));
      expect(codes(refused)).toEqual(expected);
      const forced = decideFailover(input({ ...base, request: failover('backup', true) }));
      expect(forced).toMatchObject({ kind: 'switch', to: 'backup', forced: true, cause: 'manual' });
      if (forced.kind === 'switch') expect(forced.overridden.map((refusal) => refusal.code)).toEqual(expected);
    },
  );

  it('lets an operator switch while routing is locked (the lock freezes automatic switching only)', () => {
    const decision = decideFailover(
      input({ request: failover('backup'), lock: { actor: OPERATOR, at: iso(-5), reason: 'maintenance' } }),
    );
    expect(decision.kind).toBe('switch');
  });

  it('a forced switch is not marked forced when nothing had to be overridden', () => {
    expect(decideFailover(input({ request: failover('backup', true) }))).toMatchObject({
      kind: 'switch',
      forced: false,
      overridden: [],
    });
  });

  describe('failback approval', () => {
    const request: FailoverRequest = { kind: 'failback', actor: OPERATOR };
    const onBackup = routing('backup', { lastSwitchedAt: iso(-40), since: iso(-40) });

    it.each([
      {
        name: 'the primary already serves',
        routingState: routing('primary'),
        overrides: {},
        expected: ['already-active'],
      },
      {
        name: 'the primary is still failing',
        routingState: onBackup,
        overrides: { 'primary.verification': { health: 'failing' } },
        expected: ['target-unhealthy'],
      },
      {
        name: 'the primary recovered 4 minutes ago',
        routingState: onBackup,
        overrides: { 'primary.verification': { since: -4 } },
        expected: ['not-stable'],
      },
      {
        name: 'the last switch was 2 minutes ago',
        routingState: { ...onBackup, lastSwitchedAt: iso(-2) },
        overrides: {},
        expected: ['dwell'],
      },
    ] satisfies {
      name: string;
      routingState: RoutingState;
      overrides: Parameters<typeof targets>[0];
      expected: string[];
    }[])('is refused when $name', ({ routingState, overrides, expected }) => {
      expect(codes(decideFailover(input({ request, routing: routingState, targets: targets(overrides) })))).toEqual(
        expected,
      );
    });

    it('returns to the primary once it has been healthy long enough', () => {
      expect(decideFailover(input({ request, routing: onBackup }))).toMatchObject({
        kind: 'switch',
        from: 'backup',
        to: 'primary',
        cause: 'failback',
        reason: expect.stringContaining(`failback approved by ${OPERATOR}`),
      });
    });

    it('says how long the operator still has to wait', () => {
      const decision = decideFailover(
        input({ request, routing: onBackup, targets: targets({ 'primary.collection': { since: -4 } }) }),
      );
      if (decision.kind !== 'refuse') throw new Error('expected a refusal');
      expect(decision.message).toContain(`failback allowed after ${iso(6)}`);
    });
  });
});

describe('decideFailover: an intent left pending', () => {
  const pending = (requestedAt: number): RoutingState =>
    routing('primary', {
      pending: {
        toSite: 'backup',
        requestedAt: iso(requestedAt),
        reason: 'primary verification failing',
        actor: 'controller',
        leaseUntil: intentLeaseUntil(at(requestedAt), 120).toISOString(),
      },
    });

  it('is left alone while its owner may still submit the change (lease + grace)', () => {
    expect(repairableAt(pending(0).pending!)).toEqual(new Date(T0 + 150_000));
    const decision = decideFailover(
      input({
        routing: pending(-2),
        actual: 'primary',
        targets: targets({ 'primary.verification': { health: 'failing' } }),
      }),
    );
    expect(decision).toMatchObject({ kind: 'nothing', note: expect.stringContaining('in progress') });
  });

  it('makes an operator request wait for it', () => {
    const decision = decideFailover(
      input({
        routing: pending(-1),
        actual: 'primary',
        request: { kind: 'failover', to: 'backup', reason: 'x', force: true, actor: OPERATOR },
      }),
    );
    expect(codes(decision)).toEqual(['switch-in-progress']);
  });

  it.each([
    { actual: 'backup', expected: { kind: 'repair', outcome: 'finish', from: 'primary', to: 'backup' } },
    { actual: 'primary', expected: { kind: 'repair', outcome: 'rollback', from: 'primary', to: 'backup' } },
    {
      actual: 'neither',
      expected: {
        kind: 'refuse',
        refusals: [{ code: 'record-unrecognised' }],
        condition: { kind: 'cannot-fail-over' },
      },
    },
    { actual: 'missing', expected: { kind: 'refuse', refusals: [{ code: 'record-unrecognised' }] } },
  ] as const)('after the lease, Route 53 answering $actual → $expected.kind', ({ actual, expected }) => {
    expect(decideFailover(input({ routing: pending(-3), actual }))).toMatchObject(expected);
  });
});

describe('preflight and freshness', () => {
  it('passes a site healthy on every stage with fresh results', () => {
    expect(preflight(targets(), 'backup', at(0))).toEqual([]);
  });

  it('names every stage that is not ready', () => {
    expect(
      preflight(
        targets({
          'backup.collection': { health: 'failing', failureClass: 'timeout' },
          'backup.transmission': { health: 'degraded' },
          'backup.verification': { health: 'unknown' },
        }),
        'backup',
        at(0),
      ),
    ).toEqual([
      { code: 'target-unhealthy', detail: 'backup unhealthy: collection failing (timeout), transmission degraded' },
      { code: 'no-quorum', detail: 'no quorum on backup: verification state unknown' },
    ]);
  });

  it('counts the current round when its start is known, else the last two intervals plus 30 s', () => {
    expect(freshSince({ now: at(10), intervalSeconds: 60, roundStartedAt: at(9.5) })).toEqual(at(9.5));
    expect(freshSince({ now: at(10), intervalSeconds: 60 })).toEqual(new Date(at(10).getTime() - 150_000));
  });
});

/**
 * Runs the policy once a minute over a scripted timeline and applies its switches the way the
 * controller does (the routing state moves, the dwell clock restarts).
 */
const simulate = (
  minutes: number,
  health: (minute: number) => Parameters<typeof targets>[0],
  options: { policy?: FailoverPolicy; operator?: (minute: number) => FailoverRequest | undefined } = {},
) => {
  let state = routing('primary', { since: iso(-60) });
  const log: { minute: number; decision: FailoverDecision }[] = [];
  for (let minute = 0; minute < minutes; minute++) {
    const now = at(minute);
    const timeline = targets(health(minute), minute);
    const request = options.operator?.(minute) ?? AUTOMATIC;
    const decision = decideFailover({
      record: RECORD,
      routing: state,
      targets: timeline,
      policy: options.policy ?? POLICY,
      now,
      freshSince: now,
      request,
    });
    log.push({ minute, decision });
    if (decision.kind === 'switch') {
      state = {
        ...state,
        activeSite: decision.to,
        since: now.toISOString(),
        lastSwitchedAt: now.toISOString(),
        reason: decision.reason,
        version: state.version + 1,
      };
    }
  }
  return { log, switches: log.filter((entry) => entry.decision.kind === 'switch'), final: state };
};

describe('decideFailover over time', () => {
  it(
    'verification outage: one switch to the backup, no automatic failback after ' +
      'recovery, the operator fails back once stable',
    () => {
      const outage = (minute: number) =>
        minute >= 3 && minute < 12
          ? { 'primary.verification': { health: 'failing' as const, since: 3, failureClass: 'connect' as const } }
          : minute >= 12
            ? { 'primary.verification': { since: 12 } }
            : {};
      const run = simulate(40, outage, {
        operator: (minute) => (minute === 15 || minute === 25 ? { kind: 'failback', actor: OPERATOR } : undefined),
      });
      expect(run.switches.map(({ minute, decision }) => [minute, decision.kind === 'switch' && decision.to])).toEqual([
        [3, 'backup'],
        [25, 'primary'],
      ]);
      const early = run.log.find((entry) => entry.minute === 15)?.decision;
      expect(codes(early!)).toEqual(['not-stable']);
      expect(
        run.log
          .filter((entry) => entry.minute > 12 && entry.minute < 25)
          .every((entry) => entry.decision.kind !== 'switch'),
      ).toBe(true);
    },
  );

  it(
    'flapping primary with automatic failback: traffic moves once and stays on the ' + 'backup while the primary flaps',
    () => {
      const flapping = (minute: number) =>
        minute < 2
          ? {}
          : {
              'primary.verification':
                minute % 2 === 0 ? { health: 'failing' as const, since: minute } : { since: minute },
            };
      const run = simulate(45, flapping, { policy: { ...POLICY, failback: 'automatic' } });
      expect(run.switches).toHaveLength(1);
      expect(run.final.activeSite).toBe('backup');
    },
  );

  it(
    'flapping backup while the primary fails: the switch waits for a round in which ' +
      'the backup passes pre-flight, then happens once',
    () => {
      const run = simulate(20, (minute) => ({
        'primary.verification': { health: 'failing', since: 0 },
        'backup.transmission': minute % 2 === 0 ? { health: 'failing', since: minute } : { since: minute },
      }));
      expect(run.switches.map((entry) => entry.minute)).toEqual([1]);
      expect(codes(run.log[0]!.decision)).toEqual(['target-unhealthy']);
    },
  );

  it('both sites failing: traffic stays until the backup recovers, then moves once', () => {
    const run = simulate(12, (minute) => ({
      'primary.verification': { health: 'failing', since: 0 },
      'backup.verification': minute < 6 ? { health: 'failing', since: 0 } : { since: 6 },
    }));
    expect(
      run.log
        .slice(0, 6)
        .every((entry) => entry.decision.kind === 'refuse' && entry.decision.condition?.kind === 'no-healthy-site'),
    ).toBe(true);
    expect(run.switches.map((entry) => entry.minute)).toEqual([6]);
  });

  it('automatic failback: back to the primary exactly once after it has been healthy for the configured time', () => {
    const run = simulate(
      40,
      (minute) =>
        minute < 10
          ? { 'primary.verification': { health: 'failing', since: 0 } }
          : { 'primary.verification': { since: 10 } },
      {
        policy: { ...POLICY, failback: 'automatic' },
      },
    );
    expect(run.switches.map(({ minute, decision }) => [minute, decision.kind === 'switch' && decision.cause])).toEqual([
      [0, 'failover'],
      [20, 'failback'],
    ]);
  });

  it(
    'manual override with --force moves traffic to a backup pre-flight rejects, and ' +
      'the policy then keeps it there',
    () => {
      const run = simulate(10, () => ({ 'backup.collection': { health: 'degraded', since: 0 } }), {
        operator: (minute) =>
          minute === 2
            ? { kind: 'failover', to: 'backup', reason: 'primary DC power work', force: true, actor: OPERATOR }
            : undefined,
      });
      expect(run.switches).toHaveLength(1);
      expect(run.switches[0]!.decision).toMatchObject({ forced: true, overridden: [{ code: 'target-unhealthy' }] });
      expect(run.final.activeSite).toBe('backup');
    },
  );
});
