// The switching protocol's transitions, one table per step: what each writes (with the version it
// is conditional on), what it audits, which switch it reports, and what a failure means.
import { describe, expect, it } from 'vitest';
import { type ManagedRecord, type RoutingState, lastSwitchOf } from '../../../lambdas/core/model/routing.ts';
import { needsReading, planPass, type PassInput } from '../../../lambdas/core/routing/plan.ts';
import type { SwitchDecision } from '../../../lambdas/core/routing/policy.ts';
import {
  confirmation,
  incidentExplaining,
  insyncWrite,
  intentFor,
  reconfirm,
  routeFailure,
  type RunContext,
} from '../../../lambdas/core/routing/protocol.ts';
import { initialRouting, refusalSync } from '../../../lambdas/core/routing/bookkeeping.ts';
import { repairStep } from '../../../lambdas/core/routing/pending.ts';
import { targetStates } from '../../fakes/routing.ts';

const T0 = '2026-11-20T08:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000);
const RECORD: ManagedRecord = {
  name: 'verify.hc.example.com',
  type: 'A',
  ttl: 60,
  hostedZoneId: 'Z0HCGUARD',
  stage: 'verification',
  values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
};
const CONTROLLER: RunContext = { request: { kind: 'automatic', actor: 'controller' } };
const OPERATOR: RunContext = {
  request: { kind: 'failover', to: 'backup', reason: 'power work', force: false, actor: 'operator:li@ops-1' },
};
const STORED: RoutingState = {
  record: RECORD.name,
  activeSite: 'primary',
  since: T0,
  reason: 'initialized from Route 53 (A 192.0.2.10)',
  actor: 'controller',
  version: 4,
};
const FAILOVER: SwitchDecision = {
  kind: 'switch',
  from: 'primary',
  to: 'backup',
  cause: 'failover',
  reason: 'primary verification failing (timeout) since 2026-11-20T07:59:00.000Z',
  forced: false,
  overridden: [],
};
const FAILOVER_POLICY = {
  mode: 'automatic' as const,
  dwellMinutes: 5,
  failback: 'manual' as const,
  failbackAfterHealthyMinutes: 10,
  insyncTimeoutSeconds: 120,
};

const intentOf = (ctx: RunContext = CONTROLLER, decision = FAILOVER) =>
  intentFor({ record: RECORD, stored: STORED, decision, ctx, now: at(0), leaseSeconds: 30 });

describe('initialRouting: a record seen the first time', () => {
  it.each([
    { reading: { exists: true, site: 'primary' as const, description: 'A 192.0.2.10' }, kind: 'initialized' },
    {
      reading: { exists: true, description: 'A 203.0.113.9' },
      kind: 'unrecognised',
      title: "holds neither site's value (A 203.0.113.9)",
    },
    {
      reading: { exists: false, description: 'no A record' },
      kind: 'unrecognised',
      title: 'does not exist in its hosted zone',
    },
  ])('Route 53 answering $reading.description → $kind', ({ reading, kind, title }) => {
    const init = initialRouting(RECORD, reading, CONTROLLER, at(0));
    expect(init.kind).toBe(kind);
    if (init.kind === 'initialized') {
      expect(init.write).toEqual({
        state: {
          record: RECORD.name,
          activeSite: 'primary',
          since: T0,
          reason: 'initialized from Route 53 (A 192.0.2.10)',
          actor: 'controller',
          version: 1,
        },
        expectedVersion: 0,
      });
      expect(init.audit).toEqual({
        at: T0,
        actor: 'controller',
        action: 'routing.initialized',
        subject: RECORD.name,
        detail: { activeSite: 'primary', value: 'A 192.0.2.10' },
      });
    } else {
      expect(init.condition).toMatchObject({
        kind: 'cannot-fail-over',
        title: `cannot fail over: ${RECORD.name} ${title}`,
      });
    }
  });
});

describe('refusalSync: the refusal kept on the item', () => {
  const refuse = (codes: string[]) => ({
    kind: 'refuse' as const,
    from: 'primary' as const,
    to: 'backup' as const,
    refusals: codes.map((code) => ({ code: code as 'dwell', detail: code })),
    message: `cannot switch: ${codes.join('; ')}`,
  });
  const refused = {
    ...STORED,
    refusal: { toSite: 'backup' as const, codes: ['dwell'], message: 'cannot switch: dwell', since: T0 },
  };
  it.each([
    {
      name: 'a new refusal is written and audited once',
      stored: STORED,
      decision: refuse(['dwell']),
      writes: true,
      audits: 1,
    },
    {
      name: 'the same refusal again writes nothing',
      stored: refused,
      decision: refuse(['dwell']),
      writes: false,
      audits: 0,
    },
    {
      name: 'a changed refusal is written and audited',
      stored: refused,
      decision: refuse(['dwell', 'locked']),
      writes: true,
      audits: 1,
    },
    {
      name: 'no refusal any more clears it, without audit',
      stored: refused,
      decision: { kind: 'nothing' as const, note: 'ok' },
      writes: true,
      audits: 0,
    },
    {
      name: 'nothing to refuse and none stored writes nothing',
      stored: STORED,
      decision: { kind: 'nothing' as const, note: 'ok' },
      writes: false,
      audits: 0,
    },
    {
      name: 'an item with an intent in flight is never touched',
      stored: {
        ...STORED,
        pending: { toSite: 'backup' as const, requestedAt: T0, reason: 'x', actor: 'controller' as const },
      },
      decision: refuse(['dwell']),
      writes: false,
      audits: 0,
    },
  ])('$name', ({ stored, decision, writes, audits }) => {
    const sync = refusalSync(stored, decision, CONTROLLER, at(60));
    expect(sync.write !== undefined).toBe(writes);
    expect(sync.audit).toHaveLength(audits);
    if (sync.write) {
      expect(sync.write.expectedVersion).toBe(stored.version);
      expect(sync.write.state.version).toBe(stored.version + 1);
    }
  });
});

describe('intentFor: step 1', () => {
  it(
    'writes the intent at version + 1 with a lease, names the incident that explains ' +
      'it, and bounds the change by the lease',
    () => {
      const intent = intentFor({
        record: RECORD,
        stored: { ...STORED, refusal: { toSite: 'backup', codes: ['dwell'], message: 'x', since: T0 } },
        decision: FAILOVER,
        ctx: { ...CONTROLLER, drillId: 'drill-1' },
        now: at(0),
        leaseSeconds: 30,
        openIncidents: [
          { id: 'INC-OTHER', kind: 'probe', site: 'backup', stage: 'verification', status: 'open' },
          { id: 'INC-7QX', kind: 'probe', site: 'primary', stage: 'verification', status: 'open' },
        ],
      });
      expect(intent.write.expectedVersion).toBe(4);
      expect(intent.write.state).not.toHaveProperty('refusal');
      expect(intent.write.state.pending).toEqual({
        toSite: 'backup',
        requestedAt: T0,
        reason: FAILOVER.reason,
        actor: 'controller',
        leaseUntil: at(30).toISOString(),
        incidentId: 'INC-7QX',
        drillId: 'drill-1',
      });
      expect(intent.route).toEqual({
        to: 'backup',
        comment:
          `hcguard failover ${RECORD.name} primary->backup by controller; incident ` +
          `INC-7QX; drill drill-1; ${FAILOVER.reason}`,
        notAfter: at(30).toISOString(),
      });
    },
  );

  it('names no incident for an operator’s switch, and marks a forced one', () => {
    const forced = intentOf(OPERATOR, { ...FAILOVER, cause: 'manual', forced: true, reason: 'power work' });
    expect(forced.write.state.pending).toMatchObject({ actor: 'operator:li@ops-1', forced: true });
    expect(forced.write.state.pending).not.toHaveProperty('incidentId');
    expect(forced.route.comment).toBe(
      `hcguard manual ${RECORD.name} primary->backup by operator:li@ops-1; FORCED; power work`,
    );
  });

  it.each([
    { incidents: [], expected: undefined },
    {
      incidents: [
        {
          id: 'A',
          kind: 'probe' as const,
          site: 'primary' as const,
          stage: 'verification' as const,
          status: 'resolved' as const,
        },
      ],
      expected: undefined,
    },
    {
      incidents: [
        {
          id: 'B',
          kind: 'probe' as const,
          site: 'primary' as const,
          stage: 'collection' as const,
          status: 'open' as const,
        },
      ],
      expected: undefined,
    },
    {
      incidents: [
        {
          id: 'C',
          kind: 'cannot-fail-over' as const,
          site: 'primary' as const,
          stage: 'verification' as const,
          status: 'open' as const,
        },
      ],
      expected: undefined,
    },
    {
      incidents: [
        {
          id: 'D',
          kind: 'probe' as const,
          site: 'primary' as const,
          stage: 'verification' as const,
          status: 'acknowledged' as const,
        },
      ],
      expected: 'D',
    },
  ])('incidentExplaining → $expected', ({ incidents, expected }) => {
    expect(incidentExplaining(incidents, 'primary', RECORD)).toBe(expected);
  });
});

describe('confirmation and INSYNC: steps 3 and 4', () => {
  const intent = intentOf().write.state;
  const reading = { exists: true, site: 'backup' as const, description: 'A 198.51.100.10' };

  it.each([
    { status: 'INSYNC' as const, changeId: 'C1', awaits: undefined },
    { status: 'PENDING' as const, changeId: 'C1', awaits: 'C1' },
    { status: 'INSYNC' as const, changeId: undefined, awaits: undefined },
  ])(
    'a change $changeId reported $status: confirmed on top of the intent, waits for INSYNC: $awaits',
    ({ status, changeId, awaits }) => {
      const confirmed = confirmation(
        intent,
        FAILOVER,
        { changed: changeId !== undefined, status, reading, ...(changeId ? { changeId } : {}) },
        CONTROLLER,
        at(2),
      );
      expect(confirmed.write.expectedVersion).toBe(intent.version);
      expect(confirmed.write.state).toMatchObject({
        activeSite: 'backup',
        since: at(2).toISOString(),
        lastSwitchedAt: at(2).toISOString(),
        version: intent.version + 1,
      });
      expect(confirmed.write.state).not.toHaveProperty('pending');
      expect(confirmed.awaitChange).toBe(awaits);
      expect(confirmed.switch).toEqual(lastSwitchOf(confirmed.write.state));
      expect(confirmed.audit.detail).toMatchObject({
        changeId: changeId ?? 'none (Route 53 already answered the new site)',
        status,
      });
    },
  );

  it('records INSYNC once, for the change the item holds', () => {
    const confirmed = confirmation(
      intent,
      FAILOVER,
      { changed: true, changeId: 'C1', status: 'PENDING', reading },
      CONTROLLER,
      at(2),
    ).write.state;
    expect(insyncWrite(confirmed, 'C1', at(40))).toEqual({
      state: {
        ...confirmed,
        lastChange: { id: 'C1', status: 'INSYNC', at: at(40).toISOString() },
        version: confirmed.version + 1,
      },
      expectedVersion: confirmed.version,
    });
    expect(insyncWrite(confirmed, 'C9', at(40))).toBeUndefined();
    expect(
      insyncWrite({ ...confirmed, lastChange: { id: 'C1', status: 'INSYNC', at: T0 } }, 'C1', at(40)),
    ).toBeUndefined();
  });

  it.each([
    {
      name: 'a repairer finished it',
      current: { ...intent, pending: undefined, activeSite: 'backup' as const, version: 7 },
      kind: 'done-by-other',
    },
    {
      name: 'the item still holds this intent (lease given back meanwhile)',
      current: { ...intent, pending: { ...intent.pending!, failedAt: T0 }, version: 7 },
      kind: 'retry',
    },
    {
      name: 'someone else’s intent',
      current: { ...intent, pending: { ...intent.pending!, actor: 'operator:x@y' as const }, version: 7 },
      kind: 'lost',
    },
    { name: 'rolled back and still on the primary', current: { ...STORED, version: 7 }, kind: 'lost' },
    { name: 'the item is gone', current: undefined, kind: 'lost' },
  ])('a lost confirmation: $name → $kind', ({ current, kind }) => {
    const confirmed = confirmation(
      intent,
      FAILOVER,
      { changed: true, changeId: 'C1', status: 'INSYNC', reading },
      CONTROLLER,
      at(2),
    ).write;
    const next = reconfirm(current as RoutingState | undefined, confirmed, intent);
    expect(next.kind).toBe(kind);
    if (next.kind === 'retry')
      expect(next.write).toMatchObject({ expectedVersion: 7, state: { activeSite: 'backup', version: 8 } });
  });
});

describe('routeFailure: step 2 failed', () => {
  const intent = intentOf().write.state;
  it('known not applied: rolled back at once, reported as cannot fail over', () => {
    const failed = routeFailure(intent, FAILOVER, { notApplied: true, message: 'refused' }, CONTROLLER, at(3));
    expect(failed.write.state).not.toHaveProperty('pending');
    expect(failed.write).toMatchObject({
      expectedVersion: intent.version,
      state: { activeSite: 'primary', version: intent.version + 1 },
    });
    expect(failed.settled?.condition).toMatchObject({ kind: 'cannot-fail-over' });
    expect(failed.audit.detail).toMatchObject({ rolledBack: true });
  });

  it('outcome unknown: the intent stays, its lease given back with the error, and the pass goes on', () => {
    const failed = routeFailure(
      intent,
      FAILOVER,
      { notApplied: false, message: 'TimeoutError: socket hang up' },
      CONTROLLER,
      at(3),
    );
    expect(failed.write.state.pending).toEqual({
      ...intent.pending,
      failedAt: at(3).toISOString(),
      error: 'TimeoutError: socket hang up',
    });
    expect(failed.settled).toBeUndefined();
    expect(failed.failure).toMatchObject({ step: 'switch', record: RECORD.name });
    expect(failed.audit.detail).toMatchObject({ rolledBack: false });
  });
});

describe('repairStep: an intent left pending', () => {
  const pendingState: RoutingState = {
    ...intentOf().write.state,
    pending: { ...intentOf().write.state.pending!, changeId: 'C5', forced: true },
  };
  it('finish: the switch as the intent described it, dated from the intent, reported as repaired', () => {
    const repair = repairStep(
      pendingState,
      { kind: 'repair', outcome: 'finish', from: 'primary', to: 'backup', note: 'n' },
      CONTROLLER,
      at(90),
    );
    expect(repair.write.state).toEqual({
      record: RECORD.name,
      activeSite: 'backup',
      since: T0,
      lastSwitchedAt: T0,
      reason: FAILOVER.reason,
      actor: 'controller',
      lastChange: { id: 'C5', status: 'PENDING', at: T0 },
      forced: true,
      version: pendingState.version + 1,
    });
    expect(repair.switch).toMatchObject({
      from: 'primary',
      to: 'backup',
      at: T0,
      repaired: true,
      changeId: 'C5',
      forced: true,
    });
    expect(repair.audit).toMatchObject({ action: 'routing.repaired', detail: { outcome: 'finished', intentAt: T0 } });
  });

  it('rollback: the item as it was before the intent, no switch', () => {
    const repair = repairStep(
      pendingState,
      { kind: 'repair', outcome: 'rollback', from: 'primary', to: 'backup', note: 'n' },
      CONTROLLER,
      at(90),
    );
    expect(repair.write.state).toEqual({ ...STORED, version: pendingState.version + 1 });
    expect(repair.switch).toBeUndefined();
    expect(repair.audit.detail).toMatchObject({ outcome: 'rolled-back' });
  });
});

describe('planPass: one pass over one record', () => {
  const base: PassInput = {
    record: RECORD,
    stored: STORED,
    ctx: CONTROLLER,
    policy: FAILOVER_POLICY,
    targets: targetStates(at(0)),
    now: at(0),
    freshSince: at(0),
    leaseSeconds: 30,
  };
  const down = targetStates(at(0), { 'primary.verification': 'failing' });
  const pending = (extra: Partial<NonNullable<RoutingState['pending']>>): RoutingState => ({
    ...STORED,
    pending: {
      toSite: 'backup',
      requestedAt: T0,
      reason: 'r',
      actor: 'controller',
      leaseUntil: at(30).toISOString(),
      ...extra,
    },
  });
  const backup = { exists: true, site: 'backup' as const, description: 'A 198.51.100.10' };
  const primary = { exists: true, site: 'primary' as const, description: 'A 192.0.2.10' };

  it.each([
    { name: 'all healthy', input: {}, kind: 'settle' },
    { name: 'primary failing', input: { targets: down }, kind: 'switch' },
    { name: 'a record never seen', input: { stored: undefined, reading: primary }, kind: 'continue' },
    {
      name: 'an owned intent',
      input: { stored: pending({}), reading: backup, now: at(10) },
      kind: 'settle',
      condition: undefined,
    },
    {
      name: 'a released intent Route 53 shows done',
      input: { stored: pending({ failedAt: at(2).toISOString() }), reading: backup, now: at(3) },
      kind: 'continue',
    },
    {
      name: 'a released intent in its grace',
      input: { stored: pending({ failedAt: at(2).toISOString() }), reading: primary, now: at(3) },
      kind: 'settle',
      condition: 'switch-in-progress',
    },
    {
      name: 'a released intent after its grace',
      input: { stored: pending({ failedAt: at(2).toISOString() }), reading: primary, now: at(8) },
      kind: 'continue',
    },
    {
      name: 'an expired lease in its grace',
      input: { stored: pending({}), reading: primary, now: at(40) },
      kind: 'settle',
      condition: 'switch-in-progress',
    },
    {
      name: 'an expired lease Route 53 shows done',
      input: { stored: pending({}), reading: backup, now: at(40) },
      kind: 'continue',
    },
  ])('$name → $kind', ({ input, kind, condition }) => {
    const plan = planPass({ ...base, ...input } as PassInput);
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'settle') expect(plan.condition?.kind).toBe(condition);
  });

  it('reads Route 53 only for a record never seen or with an intent pending', () => {
    expect([needsReading(undefined), needsReading(STORED), needsReading(pending({}))]).toEqual([true, false, true]);
  });

  it('an operator’s refusal is audited and answered, never stored on the item', () => {
    const plan = planPass({ ...base, ctx: OPERATOR, targets: targetStates(at(0), { 'backup.collection': 'failing' }) });
    expect(plan).toMatchObject({
      kind: 'settle',
      refusal: expect.stringContaining('backup unhealthy'),
      audit: [{ action: 'routing.switch-refused' }],
    });
    expect(plan.kind === 'settle' && plan.write).toBeFalsy();
  });
});
