import { describe, expect, it } from 'vitest';
import { acknowledgeIncident } from '../../../lambdas/core/incidents/acknowledge.ts';
import { decideIncidents } from '../../../lambdas/core/incidents/decide.ts';
import { drillIdFor } from '../../../lambdas/core/incidents/scope.ts';
import { incidentId, normalizeIncidentId } from '../../../lambdas/core/incidents/ids.ts';
import type { IncidentDecisions, IncidentInput } from '../../../lambdas/core/incidents/types.ts';
import type { RoutingCondition, SwitchEvent } from '../../../lambdas/core/model/routing.ts';
import type { FailureClass, Site, Stage } from '../../../lambdas/core/model/vocabulary.ts';
import type { Incident } from '../../../lambdas/core/model/incidents.ts';
import type { TargetHealth, TargetState } from '../../../lambdas/core/model/probing.ts';
import type { RoutingView } from '../../../lambdas/core/severity.ts';
import { testConfig } from '../../fakes/config.ts';

const T0 = Date.parse('2026-11-20T18:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const iso = (minutes: number): string => at(minutes).toISOString();
const config = testConfig();
const RECORD = 'verify.hc.example.com';

const target = (site: Site, stage: Stage, health: TargetHealth, extra: Partial<TargetState> = {}): TargetState => ({
  site,
  stage,
  health,
  since: iso(0),
  consecutiveFailures: health === 'failing' ? 3 : 0,
  consecutiveSuccesses: health === 'healthy' ? 2 : 0,
  recentChanges: [],
  flapping: false,
  version: 3,
  ...(health === 'failing'
    ? { lastFailureClass: 'timeout' as FailureClass, lastMessage: 'no answer within 2000 ms' }
    : {}),
  ...extra,
});

/** Plays rounds against an in-memory set of unresolved incidents, as the store would keep them. */
class Incidents {
  open: Incident[] = [];
  apply(decisions: IncidentDecisions): IncidentDecisions {
    for (const change of decisions.changes) {
      this.open = this.open.filter((incident) => incident.id !== change.incident.id);
      if (change.incident.status !== 'resolved') this.open.push(change.incident);
    }
    return decisions;
  }
  round(minutes: number, targets: TargetState[], extra: Partial<IncidentInput> = {}): IncidentDecisions {
    return this.apply(
      decideIncidents({
        policy: config,
        targets,
        open: this.open,
        routing: [{ record: RECORD, activeSite: 'primary' }],
        conditions: [],
        unannounced: [],
        now: at(minutes),
        ...extra,
      }),
    );
  }
}

const alerts = (decisions: IncidentDecisions) =>
  [...decisions.changes.flatMap((change) => (change.alert ? [change.alert] : [])), ...decisions.notices].map(
    (alert) => ({
      kind: alert.kind,
      topic: alert.topic,
      severity: alert.severity,
      incident: alert.incident?.title,
    }),
  );

describe('probe incidents: a sequence of rounds', () => {
  it('opens one SEV1 incident when verification fails where traffic is served, alerts once, resolves once', () => {
    const incidents = new Incidents();
    const failing = target('primary', 'verification', 'failing');

    const opened = incidents.round(0, [failing]);
    expect(opened.changes).toHaveLength(1);
    const [change] = opened.changes;
    expect(change).toMatchObject({
      type: 'open',
      incident: {
        dedupKey: 'probe/primary/verification/timeout',
        kind: 'probe',
        site: 'primary',
        stage: 'verification',
        failureClass: 'timeout',
        severity: 'SEV1',
        severityReason: 'citizens cannot be verified at checkpoints',
        status: 'open',
        title: 'verification failing on primary: timed out',
        detail: 'no answer within 2000 ms',
        openedAt: iso(0),
        reminders: 0,
        version: 1,
      },
      events: [
        { type: 'opened', at: iso(0), detail: 'verification failing on primary: timed out (no answer within 2000 ms)' },
      ],
    });
    expect(change?.incident.id).toMatch(/^INC-[0-9A-Z]{7}$/);
    expect(alerts(opened)).toEqual([
      { kind: 'open', topic: 'SEV1', severity: 'SEV1', incident: 'verification failing on primary: timed out' },
    ]);

    // Still failing: nothing to say (no alert per failed probe).
    for (const minute of [1, 2, 5, 10]) expect(incidents.round(minute, [failing]).changes).toEqual([]);

    const resolved = incidents.round(12, [target('primary', 'verification', 'healthy')]);
    expect(resolved.changes).toEqual([
      expect.objectContaining({
        type: 'update',
        reason: 'resolve',
        expectedVersion: 1,
        releaseDedupKey: true,
        incident: expect.objectContaining({ status: 'resolved', resolvedAt: iso(12), version: 2 }),
      }),
    ]);
    // The all-clear goes to the people paged (SEV1 topic) at the recovered level, so pagers stay quiet.
    expect(alerts(resolved)).toEqual([
      { kind: 'resolve', topic: 'SEV1', severity: 'SEV4', incident: 'verification failing on primary: timed out' },
    ]);
    expect(incidents.open).toEqual([]);
    expect(incidents.round(13, [target('primary', 'verification', 'healthy')]).changes).toEqual([]);
  });

  it('gives the standby a lower level than the serving site', () => {
    const incidents = new Incidents();
    const decisions = incidents.round(0, [
      target('backup', 'verification', 'failing', { lastFailureClass: 'connect' }),
    ]);
    expect(decisions.changes[0]?.incident).toMatchObject({
      severity: 'SEV2',
      severityReason: 'the standby site is broken: no failover is possible',
    });
  });

  it('opens a separate incident per failure class and resolves them together when the target is healthy', () => {
    const incidents = new Incidents();
    incidents.round(0, [target('primary', 'transmission', 'failing', { lastFailureClass: 'status' })]);
    const tampering = incidents.round(3, [
      target('primary', 'transmission', 'failing', { lastFailureClass: 'integrity' }),
    ]);
    expect(
      tampering.changes.map((change) => [change.type, change.incident.dedupKey, change.incident.severity]),
    ).toEqual([['open', 'probe/primary/transmission/integrity', 'SEV2']]);
    // Back to the first class: its incident is still open, so nothing new.
    expect(
      incidents.round(4, [target('primary', 'transmission', 'failing', { lastFailureClass: 'status' })]).changes,
    ).toEqual([]);
    const healthy = incidents.round(6, [target('primary', 'transmission', 'healthy')]);
    expect(healthy.changes.map((change) => [change.incident.dedupKey, change.incident.status])).toEqual([
      ['probe/primary/transmission/status', 'resolved'],
      ['probe/primary/transmission/integrity', 'resolved'],
    ]);
  });

  it('keeps incidents open while the target is only degraded again, and opens a SEV3 one for slowness', () => {
    const incidents = new Incidents();
    incidents.round(0, [target('primary', 'verification', 'failing')]);
    const slow = incidents.round(2, [target('primary', 'verification', 'degraded')]);
    expect(slow.changes.map((change) => [change.type, change.incident.title, change.incident.severity])).toEqual([
      ['open', 'verification degraded on primary: slow or partial', 'SEV3'],
    ]);
    expect(incidents.open).toHaveLength(2);
  });

  it('says "flapping" in the title of an incident opened while flap detection holds the target', () => {
    const incidents = new Incidents();
    const flapping = target('primary', 'verification', 'failing', {
      flapping: true,
      lastFailureClass: 'status',
      recentChanges: [iso(-4), iso(-3), iso(-2), iso(-1)],
    });
    const decisions = incidents.round(0, [flapping]);
    expect(decisions.changes[0]?.incident.title).toBe('verification flapping on primary: bad HTTP status');
    expect(decisions.changes[0]?.alert?.facts.flapping).toBe(
      '4 state changes within 10 min; held at failing until it settles',
    );
  });

  it('escalates when the same finding becomes more serious: the broken standby starts serving', () => {
    const incidents = new Incidents();
    const backupFailing = target('backup', 'verification', 'failing', { lastFailureClass: 'status' });
    incidents.round(0, [backupFailing]);
    expect(incidents.open[0]?.severity).toBe('SEV2');
    const decisions = incidents.round(1, [backupFailing], { routing: [{ record: RECORD, activeSite: 'backup' }] });
    expect(decisions.changes).toEqual([
      expect.objectContaining({
        type: 'update',
        reason: 'escalate',
        incident: expect.objectContaining({
          severity: 'SEV1',
          severityReason: 'citizens cannot be verified at checkpoints',
        }),
        events: [
          expect.objectContaining({
            type: 'escalated',
            detail: 'now SEV1: citizens cannot be verified at checkpoints',
          }),
        ],
      }),
    ]);
    expect(alerts(decisions)).toEqual([
      {
        kind: 'escalate',
        topic: 'SEV1',
        severity: 'SEV1',
        incident: 'verification failing on backup: bad HTTP status',
      },
    ]);
    expect(decisions.changes[0]?.alert?.previousSeverity).toBe('SEV2');
  });
});

describe('escalation and reminders over time', () => {
  it('escalates an unacknowledged SEV2 to SEV1 after 15 minutes, once, then reminds every 30 minutes', () => {
    const incidents = new Incidents();
    const backupFailing = target('backup', 'verification', 'failing', { lastFailureClass: 'status' });
    const kinds: Record<number, string[]> = {};
    for (const minute of [0, 5, 14, 15, 16, 44, 45, 46, 75, 76]) {
      kinds[minute] = alerts(incidents.round(minute, [backupFailing])).map(
        (alert) => `${alert.kind} ${alert.severity}`,
      );
    }
    expect(kinds).toEqual({
      0: ['open SEV2'],
      5: [],
      14: [],
      15: ['escalate SEV1'],
      16: [],
      44: [],
      45: ['remind SEV1'],
      46: [],
      75: ['remind SEV1'],
      76: [],
    });
    expect(incidents.open[0]).toMatchObject({
      severity: 'SEV1',
      escalatedAt: iso(15),
      reminders: 2,
      lastNotifiedAt: iso(75),
    });
  });

  it('re-announces an unacknowledged SEV1 as escalated after 15 minutes, staying SEV1', () => {
    const incidents = new Incidents();
    const failing = target('primary', 'verification', 'failing');
    incidents.round(0, [failing]);
    const decisions = incidents.round(15, [failing]);
    expect(decisions.changes[0]).toMatchObject({
      reason: 'escalate',
      incident: { severity: 'SEV1', escalatedAt: iso(15) },
    });
    expect(decisions.changes[0]?.events[0]?.detail).toBe('unacknowledged for 15 min (escalates after 15 min)');
  });

  it('does not escalate levels outside severity.escalate, but reminds them', () => {
    const incidents = new Incidents();
    const slow = target('primary', 'verification', 'degraded');
    incidents.round(0, [slow]);
    expect(incidents.round(15, [slow]).changes).toEqual([]);
    expect(alerts(incidents.round(30, [slow]))).toEqual([
      {
        kind: 'remind',
        topic: 'SEV3',
        severity: 'SEV3',
        incident: 'verification degraded on primary: slow or partial',
      },
    ]);
  });

  it('goes quiet once acknowledged: no escalation, no reminders; the resolve alert still goes out', () => {
    const incidents = new Incidents();
    const failing = target('primary', 'verification', 'failing');
    incidents.round(0, [failing]);
    const open = incidents.open[0] as Incident;
    const ack = acknowledgeIncident(open, 'operator:li', at(3));
    expect(ack).toEqual({
      ok: true,
      change: {
        type: 'update',
        reason: 'acknowledge',
        incident: {
          ...open,
          status: 'acknowledged',
          acknowledgedAt: iso(3),
          acknowledgedBy: 'operator:li',
          version: 2,
        },
        expectedVersion: 1,
        events: [{ incidentId: open.id, at: iso(3), type: 'acknowledged', detail: 'acknowledged by operator:li' }],
        releaseDedupKey: false,
      },
    });
    incidents.open = [ack.ok ? ack.change.incident : open];
    for (const minute of [15, 30, 60, 90]) expect(incidents.round(minute, [failing]).changes).toEqual([]);
    expect(alerts(incidents.round(91, [target('primary', 'verification', 'healthy')]))).toEqual([
      { kind: 'resolve', topic: 'SEV1', severity: 'SEV4', incident: 'verification failing on primary: timed out' },
    ]);
  });

  it('refuses to acknowledge twice or after resolution, saying why', () => {
    const base = {
      id: 'INC-0000001',
      status: 'acknowledged',
      acknowledgedBy: 'operator:wang',
      acknowledgedAt: iso(1),
    } as Incident;
    expect(acknowledgeIncident(base, 'operator:li', at(2))).toEqual({
      ok: false,
      reason: `INC-0000001 was already acknowledged by operator:wang at ${iso(1)}`,
    });
    expect(acknowledgeIncident({ ...base, status: 'resolved', resolvedAt: iso(5) }, 'operator:li', at(6))).toEqual({
      ok: false,
      reason: `INC-0000001 is already resolved (at ${iso(5)})`,
    });
  });
});

describe('routing conditions', () => {
  const refusal: RoutingCondition = {
    kind: 'cannot-fail-over',
    record: RECORD,
    title: `cannot fail over ${RECORD}: backup unhealthy`,
    detail: 'backup transmission is failing (integrity since 18:01)',
  };

  it('opens one incident per reported condition at its fixed level, and resolves it when no longer reported', () => {
    const incidents = new Incidents();
    const first = incidents.round(0, [], { conditions: [refusal] });
    expect(first.changes).toEqual([
      expect.objectContaining({
        type: 'open',
        incident: expect.objectContaining({
          dedupKey: `cannot-fail-over/${RECORD}`,
          kind: 'cannot-fail-over',
          record: RECORD,
          stage: 'verification',
          severity: 'SEV1',
          title: refusal.title,
          detail: refusal.detail,
        }),
      }),
    ]);
    expect(incidents.round(1, [], { conditions: [refusal] }).changes).toEqual([]);
    // Reconcile failed: we know nothing, so the incident stays as it is.
    expect(incidents.round(2, [], { conditions: undefined }).changes).toEqual([]);
    const resolved = incidents.round(3, [], { conditions: [] });
    expect(resolved.changes.map((change) => [change.incident.kind, change.incident.status])).toEqual([
      ['cannot-fail-over', 'resolved'],
    ]);
  });

  it('keeps the condition incident of a record the controller could not read this round', () => {
    const incidents = new Incidents();
    incidents.round(0, [], { conditions: [refusal] });
    expect(incidents.round(1, [], { conditions: [], conditionsUnknownFor: [`${RECORD}.`] }).changes).toEqual([]);
    expect(
      incidents.round(2, [], { conditions: [], conditionsUnknownFor: ['other.hc.example.com'] }).changes,
    ).toHaveLength(1);
  });

  it('uses severity.fixed.noHealthySite for no-healthy-site', () => {
    const custom = testConfig({ severity: { fixed: { noHealthySite: 'SEV2' } } });
    const decisions = decideIncidents({
      policy: custom,
      targets: [],
      open: [],
      routing: [],
      conditions: [
        {
          kind: 'no-healthy-site',
          record: RECORD,
          title: 'no healthy site for verify',
          detail: 'both sites fail verification',
        },
      ],
      unannounced: [],
      now: at(0),
    });
    expect(decisions.changes[0]?.incident.severity).toBe('SEV2');
  });

  it.each([
    { kind: 'cannot-fail-over' as const, level: { cannotFailOver: 'SEV3' as const } },
    { kind: 'switch-in-progress' as const, level: { switchInProgress: 'SEV2' as const } },
  ])('uses the fixed level of $kind', ({ kind, level }) => {
    const custom = testConfig({ severity: { fixed: level } });
    const decisions = decideIncidents({
      policy: custom,
      targets: [],
      open: [],
      routing: [],
      conditions: [{ kind, record: RECORD, title: `${kind} for verify`, detail: 'why' }],
      unannounced: [],
      now: at(0),
    });
    expect(decisions.changes[0]?.incident).toMatchObject({ kind, severity: Object.values(level)[0], record: RECORD });
  });

  it('tells the verification incident that hcguard cannot fail over', () => {
    const incidents = new Incidents();
    const decisions = incidents.round(0, [target('primary', 'verification', 'failing')], { conditions: [refusal] });
    const probe = decisions.changes.find((change) => change.incident.kind === 'probe');
    expect(probe?.alert?.facts.cannotFailOver).toBe(refusal.detail);
  });
});

describe('switches', () => {
  const failover: SwitchEvent = {
    record: RECORD,
    from: 'primary',
    to: 'backup',
    at: iso(0),
    actor: 'controller',
    reason: 'verification failing on primary; backup passed pre-flight',
    changeId: 'C0123',
  };
  const afterSwitch: RoutingView[] = [{ record: RECORD, activeSite: 'backup' }];

  it('says the switch in the open alert when the incident opens in the same round, still as SEV1', () => {
    const incidents = new Incidents();
    const decisions = incidents.round(0, [target('primary', 'verification', 'failing')], {
      unannounced: [failover],
      routing: afterSwitch,
    });
    expect(decisions.changes).toHaveLength(1);
    expect(decisions.changes[0]).toMatchObject({
      type: 'open',
      incident: { severity: 'SEV1' },
      events: [
        { type: 'opened' },
        { type: 'switched', detail: `hcguard switched ${RECORD} from primary to backup: ${failover.reason}` },
      ],
      alert: { kind: 'open', facts: { switched: failover } },
    });
    expect(decisions.notices).toEqual([]);
  });

  it('every alert that tells a switch carries its announcement, so the store marks it told in the same write', () => {
    const incidents = new Incidents();
    const opened = incidents.round(0, [target('primary', 'verification', 'failing')], {
      unannounced: [failover],
      routing: afterSwitch,
    });
    expect(opened.changes[0]?.alert?.announces).toEqual({ record: RECORD, switchedAt: failover.at });
    const quiet = incidents.round(1, [target('primary', 'verification', 'failing')], { routing: afterSwitch });
    expect(quiet.changes.flatMap((change) => (change.alert?.announces ? [change.alert.announces] : []))).toEqual([]);
    const failback = { ...failover, from: 'backup' as const, to: 'primary' as const, at: iso(30) };
    const notice = new Incidents().round(30, [], { unannounced: [failback] });
    expect(notice.notices.map((alert) => alert.announces)).toEqual([{ record: RECORD, switchedAt: iso(30) }]);
  });

  it('sends an update alert when traffic moves after the incident opened', () => {
    const incidents = new Incidents();
    incidents.round(0, [target('primary', 'verification', 'failing')]);
    const later = { ...failover, at: iso(6) };
    const decisions = incidents.round(6, [target('primary', 'verification', 'failing')], {
      unannounced: [later],
      routing: afterSwitch,
    });
    expect(decisions.changes).toEqual([
      expect.objectContaining({
        type: 'update',
        reason: 'switched',
        expectedVersion: 1,
        events: [expect.objectContaining({ type: 'switched' })],
        alert: expect.objectContaining({
          kind: 'update',
          topic: 'SEV1',
          severity: 'SEV1',
          facts: expect.objectContaining({ switched: later }),
        }),
      }),
    ]);
    expect(decisions.changes[0]?.alert?.id).toBe(`${incidents.open[0]?.id}/update/${iso(6)}`);
  });

  it('announces a switch no open incident explains (a failback) as a notice at the recovered level', () => {
    const incidents = new Incidents();
    const failback: SwitchEvent = {
      record: RECORD,
      from: 'backup',
      to: 'primary',
      at: iso(30),
      actor: 'operator:li',
      reason: 'operator approved failback',
    };
    const decisions = incidents.round(30, [target('primary', 'verification', 'healthy')], { unannounced: [failback] });
    expect(decisions.changes).toEqual([]);
    expect(decisions.notices).toEqual([
      expect.objectContaining({
        id: `switch/${RECORD}/${iso(30)}`,
        kind: 'update',
        topic: 'SEV4',
        severity: 'SEV4',
        dedupKey: `switch/${RECORD}`,
      }),
    ]);
  });
});

describe('drills', () => {
  it('marks incidents opened during a drill, and their alerts', () => {
    const incidents = new Incidents();
    const decisions = incidents.round(0, [target('primary', 'verification', 'failing')], {
      drill: { drillId: 'DRILL-7' },
    });
    expect(decisions.changes[0]?.incident.drillId).toBe('DRILL-7');
    expect(decisions.changes[0]?.alert?.drillId).toBe('DRILL-7');
    // Later alerts of the same incident stay drill alerts, even after the drill's round.
    const resolved = incidents.round(5, [target('primary', 'verification', 'healthy')]);
    expect(resolved.changes[0]?.alert?.drillId).toBe('DRILL-7');
  });

  it.each<[string, readonly string[] | undefined, Parameters<typeof drillIdFor>[1], string | undefined]>([
    ['a drilled target', ['primary#verification'], { site: 'primary', stage: 'verification' }, 'DRILL-8'],
    [
      'another stage of the drilled site',
      ['primary#verification'],
      { site: 'primary', stage: 'transmission' },
      undefined,
    ],
    [
      'the same stage on the other site',
      ['primary#verification'],
      { site: 'backup', stage: 'verification' },
      undefined,
    ],
    ['a routing condition of a drilled stage', ['primary#verification'], { stage: 'verification' }, 'DRILL-8'],
    ['a routing condition of another stage', ['primary#verification'], { stage: 'collection' }, undefined],
    ['anything, when the drill names no targets', undefined, { site: 'backup', stage: 'collection' }, 'DRILL-8'],
  ])('belongs to the drill only when it is about what the drill breaks: %s', (_, targets, where, expected) => {
    expect(drillIdFor({ drillId: 'DRILL-8', ...(targets ? { targets } : {}) }, where)).toBe(expected);
  });
});

describe('incident ids', () => {
  it('are short, deterministic and differ per dedup key and opening instant', () => {
    const a = incidentId('probe/primary/verification/timeout', iso(0));
    expect(a).toMatch(/^INC-[0-9A-HJKMNP-TV-Z]{7}$/);
    expect(incidentId('probe/primary/verification/timeout', iso(0))).toBe(a);
    expect(incidentId('probe/primary/verification/timeout', iso(1))).not.toBe(a);
    expect(incidentId('probe/backup/verification/timeout', iso(0))).not.toBe(a);
  });

  it('spread: 5000 openings of one key give 5000 ids', () => {
    const ids = new Set(
      Array.from({ length: 5000 }, (_, minute) => incidentId('probe/primary/verification/timeout', iso(minute))),
    );
    expect(ids.size).toBe(5000);
  });

  it.each([
    ['INC-7K3QZ2M', 'INC-7K3QZ2M'],
    ['inc-7k3qz2m', 'INC-7K3QZ2M'],
    ['7K3QZ2M', 'INC-7K3QZ2M'],
    [' INC-7K3QZ2O ', 'INC-7K3QZ20'],
    ['INC-7K3QZL1', 'INC-7K3QZ11'],
    ['INC-12', undefined],
    ['INC-7K3QZ2M; DROP', undefined],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeIncidentId(input)).toBe(expected);
  });
});

describe('one event, one page: SEV1 incidents grouped with the earliest', () => {
  const noHealthySite: RoutingCondition = {
    kind: 'no-healthy-site',
    record: RECORD,
    title: 'no healthy site for verify.hc.example.com',
    detail: 'both sites fail verification',
  };
  const bothFailing = [target('primary', 'verification', 'failing'), target('backup', 'verification', 'failing')];
  const paging = (decisions: IncidentDecisions) =>
    decisions.changes.flatMap((change) =>
      change.alert
        ? [
            {
              kind: change.alert.kind,
              topic: change.alert.topic,
              severity: change.alert.severity,
              incident: change.incident.title,
              groupedWith: change.alert.facts.groupedWith?.id,
              grouped: change.alert.facts.grouped?.map((other) => other.id),
            },
          ]
        : [],
    );

  it('pages once when both sites fail verification in one round: the serving site lists the rest', () => {
    const incidents = new Incidents();
    const round = incidents.round(0, bothFailing, { conditions: [noHealthySite] });
    const byKind = Object.fromEntries(round.changes.map((change) => [change.incident.title, change.incident.id]));
    const lead = byKind['verification failing on primary: timed out'];
    const none = byKind['no healthy site for verify.hc.example.com'];
    expect(paging(round)).toEqual([
      {
        kind: 'open',
        topic: 'SEV1',
        severity: 'SEV1',
        incident: 'verification failing on primary: timed out',
        groupedWith: undefined,
        grouped: [none],
      },
      {
        kind: 'open',
        topic: 'SEV2',
        severity: 'SEV2',
        incident: 'verification failing on backup: timed out',
        groupedWith: undefined,
        grouped: undefined,
      },
      {
        kind: 'open',
        topic: 'SEV2',
        severity: 'SEV2',
        incident: 'no healthy site for verify.hc.example.com',
        groupedWith: lead,
        grouped: undefined,
      },
    ]);
    // The grouped one keeps its own level: it is as serious, it just does not page again.
    expect(round.changes[2]?.incident).toMatchObject({ severity: 'SEV1', groupedWith: lead });
    expect(round.changes.filter((change) => change.alert?.topic === 'SEV1')).toHaveLength(1);
  });

  const cannotFailOver: RoutingCondition = {
    kind: 'cannot-fail-over',
    record: RECORD,
    title: `cannot fail over ${RECORD}: backup unhealthy`,
    detail: 'backup collection is failing',
  };
  const primaryFailing = [target('primary', 'verification', 'failing')];
  const primaryHealthy = [target('primary', 'verification', 'healthy')];
  const refused = { conditions: [cannotFailOver] };

  it('groups a SEV1 that opens later with the open one, and promotes it with a page when the lead resolves', () => {
    const incidents = new Incidents();
    const lead = incidents.round(0, primaryFailing).changes[0]?.incident.id as string;

    const later = incidents.round(1, primaryFailing, refused);
    const follower = later.changes[0]?.incident.id as string;
    expect(paging(later)).toEqual([
      expect.objectContaining({ kind: 'open', topic: 'SEV2', severity: 'SEV2', groupedWith: lead }),
    ]);

    // Unacknowledged, both escalate: the lead pages and lists it, it goes to the SEV2 topic.
    expect(paging(incidents.round(16, primaryFailing, refused))).toEqual([
      expect.objectContaining({ kind: 'escalate', topic: 'SEV1', severity: 'SEV1', grouped: [follower] }),
      expect.objectContaining({ kind: 'escalate', topic: 'SEV2', severity: 'SEV2', groupedWith: lead }),
    ]);

    // The lead resolves: its all-clear says what is still open, and that one pages on its own now.
    const resolved = incidents.round(20, primaryHealthy, refused);
    expect(paging(resolved)).toEqual([
      expect.objectContaining({ kind: 'resolve', topic: 'SEV1', severity: 'SEV4', grouped: [follower] }),
      expect.objectContaining({ kind: 'update', topic: 'SEV1', severity: 'SEV1', groupedWith: undefined }),
    ]);
    expect(resolved.changes[1]?.alert?.facts.reason).toBe(
      `${lead} is resolved and this incident is still open: it pages on its own now`,
    );
    expect(incidents.open.find((incident) => incident.id === follower)).not.toHaveProperty('groupedWith');
    expect(paging(incidents.round(21, primaryHealthy, refused))).toEqual([]);
  });

  it('promotes again next round when the write that promoted was lost (derived from the stored incidents)', () => {
    const incidents = new Incidents();
    incidents.round(0, primaryFailing);
    incidents.round(1, primaryFailing, refused);
    const first = decideIncidents({
      policy: config,
      targets: primaryHealthy,
      open: incidents.open,
      routing: [{ record: RECORD, activeSite: 'primary' }],
      unannounced: [],
      now: at(5),
      ...refused,
    });
    expect(paging(first).map((alert) => alert.kind)).toEqual(['resolve', 'update']);
    // Only the lead's resolve landed.
    incidents.apply({ ...first, changes: first.changes.filter((change) => change.incident.kind === 'probe') });
    const retried = incidents.round(6, primaryHealthy, refused);
    expect(paging(retried)).toEqual([
      expect.objectContaining({ kind: 'update', topic: 'SEV1', severity: 'SEV1', incident: cannotFailOver.title }),
    ]);
    expect(retried.changes[0]?.alert?.id).not.toBe(first.changes[1]?.alert?.id);
  });

  it('leads with the earliest, a probe incident before a routing one opened in the same round', () => {
    const round = new Incidents().round(0, primaryFailing, refused);
    expect(round.changes.map((change) => [change.incident.kind, change.alert?.topic])).toEqual([
      ['probe', 'SEV1'],
      ['cannot-fail-over', 'SEV2'],
    ]);
    // The same two, stored ungrouped and listed the other way round: still the probe leads.
    const [probe, routing] = round.changes.map(({ incident: { groupedWith: _none, ...incident } }) => incident);
    const again = decideIncidents({
      policy: config,
      targets: primaryFailing,
      open: [routing as Incident, probe as Incident],
      routing: [{ record: RECORD, activeSite: 'primary' }],
      unannounced: [],
      now: at(1),
      ...refused,
    });
    expect(again.changes.map((change) => [change.incident.kind, change.incident.groupedWith])).toEqual([
      ['cannot-fail-over', probe?.id],
    ]);
  });

  it('keeps a drill page apart from a real one: each scope has its own lead', () => {
    const real = new Incidents().round(0, primaryFailing).changes[0]?.incident as Incident;
    const drill = decideIncidents({
      policy: config,
      targets: [target('backup', 'verification', 'failing')],
      open: [],
      routing: [{ record: RECORD, activeSite: 'backup' }],
      unannounced: [],
      conditions: [],
      now: at(1),
      drill: { drillId: 'drill-2', targets: ['backup#verification'] },
    }).changes[0];
    expect(drill?.incident).toMatchObject({ severity: 'SEV1', drillId: 'drill-2' });
    expect(drill?.alert?.topic).toBe('SEV1');
    const next = decideIncidents({
      policy: config,
      targets: primaryFailing,
      open: [real, drill?.incident as Incident],
      routing: [{ record: RECORD, activeSite: 'primary' }],
      unannounced: [],
      conditions: [],
      now: at(2),
    });
    expect(next.changes.filter((change) => change.incident.groupedWith !== undefined)).toEqual([]);
  });
});
