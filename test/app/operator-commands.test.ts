import { describe, expect, it } from 'vitest';
import { createFailoverController } from '../../lambdas/app/failover.ts';
import {
  executeOperatorCommand,
  InvalidOperatorCommand,
  isOperatorCommand,
  parseOperatorCommand,
} from '../../lambdas/app/operator-commands.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { STAGES } from '../../lambdas/core/model/vocabulary.ts';
import type { TargetState } from '../../lambdas/core/model/probing.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import { MemoryStateStore } from '../fakes/memory-state-store.ts';
import { FakeRouter, manualClock, MemoryAuditLog, MemoryRoutingStore } from '../fakes/routing.ts';

const NOW = '2026-11-20T08:00:00.000Z';
const RECORD: ManagedRecord = {
  name: 'verify.hc.example.com',
  type: 'A',
  ttl: 60,
  hostedZoneId: 'Z0HCGUARD',
  stage: 'verification',
  values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
};
const CONFIG: Pick<HcguardConfig, 'failover' | 'schedule' | 'detection'> = {
  detection: { failureThreshold: 3, successThreshold: 2, flap: { changes: 4, windowMinutes: 10 } },
  failover: {
    mode: 'automatic',
    dwellMinutes: 5,
    failback: 'manual',
    failbackAfterHealthyMinutes: 10,
    insyncTimeoutSeconds: 120,
  },
  schedule: { intervalSeconds: 60, concurrency: 4 },
};
const ACTOR = 'operator:li@ops-1';

const healthy = (): TargetState[] =>
  (['primary', 'backup'] as const).flatMap((site) =>
    STAGES.map((stage) => ({
      site,
      stage,
      health: 'healthy' as const,
      since: '2026-11-20T07:00:00.000Z',
      consecutiveFailures: 0,
      consecutiveSuccesses: 3,
      lastResultAt: NOW,
      recentChanges: [],
      flapping: false,
      version: 2,
    })),
  );

const services = (targets: () => TargetState[] = healthy) => {
  const clock = manualClock(NOW);
  const router = new FakeRouter(clock);
  router.answers.set(RECORD.name, 'primary');
  const audit = new MemoryAuditLog();
  const failover = createFailoverController({
    config: CONFIG,
    records: [RECORD],
    routingStore: new MemoryRoutingStore(),
    router,
    auditLog: audit,
    clock,
  });
  const store = new MemoryStateStore();
  store.loadTargets = async () => targets();
  return { router, audit, store, services: { failover, store, auditLog: audit, clock, config: CONFIG } };
};

describe('parseOperatorCommand', () => {
  it.each([
    [
      { command: 'failover', to: 'backup', reason: 'maintenance', actor: ACTOR },
      { command: 'failover', to: 'backup', reason: 'maintenance', force: false, actor: ACTOR },
    ],
    [
      { command: 'failback', actor: ACTOR, record: 'verify.hc.example.com' },
      { command: 'failback', actor: ACTOR, record: 'verify.hc.example.com' },
    ],
    [
      { command: 'lock', reason: 'DB migration', actor: 'drill:d-20261120' },
      { command: 'lock', reason: 'DB migration', actor: 'drill:d-20261120' },
    ],
    [
      { command: 'unlock', actor: ACTOR },
      { command: 'unlock', actor: ACTOR },
    ],
    [
      { command: 'ack', incidentId: 'inc-7k3qz2m', actor: ACTOR },
      { command: 'ack', incidentId: 'INC-7K3QZ2M', actor: ACTOR },
    ],
    [
      { command: 'hold-clear', target: 'primary/verification', reason: 'flapped during a deploy', actor: ACTOR },
      { command: 'hold-clear', target: 'primary/verification', reason: 'flapped during a deploy', actor: ACTOR },
    ],
  ])('accepts %j', (payload, parsed) => {
    expect(parseOperatorCommand(payload)).toEqual(parsed);
    expect(isOperatorCommand(payload)).toBe(true);
  });

  it.each([
    [
      { command: 'reboot', actor: ACTOR },
      'command: command must be one of: failover, failback, lock, unlock, ack, hold-clear',
    ],
    [{ command: 'ack', incidentId: 'INC-1', actor: ACTOR }, 'incidentId: must be an incident id such as INC-7K3QZ2M'],
    [{ command: 'failover', to: 'tertiary', reason: 'x', actor: ACTOR }, 'to: must be one of: primary, backup'],
    [{ command: 'failover', to: 'backup', reason: '', actor: ACTOR }, 'reason: must not be empty'],
    [{ command: 'failover', to: 'backup', actor: ACTOR }, 'reason: is required'],
    [{ command: 'lock', reason: 'x', actor: 'controller' }, 'actor: must be operator:<user>@<host> or drill:<id>'],
    [{ command: 'unlock', actor: ACTOR, force: true }, 'force: unknown key'],
    [
      { command: 'hold-clear', target: 'primary', reason: 'x', actor: ACTOR },
      'target: must be <site>/<stage>: primary|backup / collection|transmission|verification',
    ],
    [
      { command: 'hold-clear', target: 'primary/verification/x', reason: 'x', actor: ACTOR },
      'target: must be <site>/<stage>',
    ],
    [{ command: 'hold-clear', target: 'primary/verification', actor: ACTOR }, 'reason: is required'],
  ])('rejects %j naming the path and the rule', (payload, problem) => {
    expect(() => parseOperatorCommand(payload)).toThrow(InvalidOperatorCommand);
    expect(() => parseOperatorCommand(payload)).toThrow(problem);
  });

  it('does not claim payloads meant for drills', () => {
    expect(isOperatorCommand({ action: 'start', scenario: 'verification-outage' })).toBe(false);
    expect(isOperatorCommand(null)).toBe(false);
  });
});

describe('executeOperatorCommand', () => {
  it('failover: switches with the stored target states and reports per record', async () => {
    const { router, services: deps } = services();
    const result = await executeOperatorCommand(
      { command: 'failover', to: 'backup', reason: 'primary maintenance', actor: ACTOR },
      deps,
    );
    expect(result).toMatchObject({
      command: 'failover',
      ok: true,
      message: `switched ${RECORD.name} from primary to backup (Route 53 change C1, INSYNC)`,
    });
    expect(router.answers.get(RECORD.name)).toBe('backup');
  });

  it('failover: a refusal is ok: false with the reason, and nothing changes', async () => {
    const { router, services: deps } = services(() =>
      healthy().map((state) =>
        state.site === 'backup' && state.stage === 'transmission' ? { ...state, health: 'failing' as const } : state,
      ),
    );
    const result = await executeOperatorCommand({ command: 'failover', to: 'backup', reason: 'x', actor: ACTOR }, deps);
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `refused  cannot switch ${RECORD.name} from primary to backup: backup unhealthy: transmission failing`,
    );
    expect(router.changes).toEqual([]);
  });

  it('failback: refused while the primary already serves', async () => {
    const { services: deps } = services();
    expect(await executeOperatorCommand({ command: 'failback', actor: ACTOR }, deps)).toMatchObject({
      ok: false,
      message: expect.stringContaining('already points at primary'),
    });
  });

  it('lock and unlock report the lock and are audited with the actor', async () => {
    const { audit, services: deps } = services();
    expect(
      await executeOperatorCommand({ command: 'lock', reason: 'backup DB migration', actor: ACTOR }, deps),
    ).toEqual({
      command: 'lock',
      ok: true,
      message: `routing locked by ${ACTOR}: automatic switching is frozen until \`hcguard unlock\``,
      lock: { reason: 'backup DB migration', actor: ACTOR, at: NOW },
    });
    expect((await executeOperatorCommand({ command: 'lock', reason: 'again', actor: ACTOR }, deps)).ok).toBe(false);
    expect((await executeOperatorCommand({ command: 'unlock', actor: ACTOR }, deps)).ok).toBe(true);
    expect(await executeOperatorCommand({ command: 'unlock', actor: ACTOR }, deps)).toEqual({
      command: 'unlock',
      ok: false,
      message: 'routing is not locked',
    });
    expect(audit.entries.map((entry) => [entry.action, entry.actor])).toEqual([
      ['routing.locked', ACTOR],
      ['routing.unlocked', ACTOR],
    ]);
  });

  it('rejects an invalid payload before touching anything', async () => {
    const { router, audit, services: deps } = services();
    await expect(
      executeOperatorCommand({ command: 'failover', to: 'backup', actor: ACTOR }, deps),
    ).rejects.toBeInstanceOf(InvalidOperatorCommand);
    expect(router.changes).toEqual([]);
    expect(audit.entries).toEqual([]);
  });
});

describe('executeOperatorCommand: ack', () => {
  const OPEN: Incident = {
    id: 'INC-7K3QZ2M',
    dedupKey: 'probe|primary|verification|status',
    kind: 'probe',
    site: 'primary',
    stage: 'verification',
    severity: 'SEV1',
    status: 'open',
    title: 'verification failing on primary: HTTP 503',
    openedAt: '2026-11-20T07:55:00.000Z',
    reminders: 0,
    version: 1,
  };
  const withIncident = (incident: Incident = OPEN) => {
    const world = services();
    world.store.incidents.set(incident.id, incident);
    world.store.events.set(incident.id, []);
    return world;
  };
  const ack = (id = 'INC-7K3QZ2M') => ({ command: 'ack', incidentId: id, actor: ACTOR });

  it('acknowledges through the store, audits who, and says reminders and escalation stop', async () => {
    const { store, audit, services: deps } = withIncident();
    expect(await executeOperatorCommand(ack('inc-7k3qz2m'), deps)).toEqual({
      command: 'ack',
      ok: true,
      message:
        `acknowledged INC-7K3QZ2M (SEV1 verification failing on primary: HTTP 503) as ${ACTOR}: ` +
        'reminders and escalation stop',
    });
    expect(store.incidents.get('INC-7K3QZ2M')).toMatchObject({ status: 'acknowledged', acknowledgedBy: ACTOR });
    expect(audit.entries).toEqual([
      {
        at: NOW,
        actor: ACTOR,
        action: 'incident.acknowledge',
        subject: 'INC-7K3QZ2M',
        detail: { severity: 'SEV1', dedupKey: OPEN.dedupKey },
      },
    ]);
  });

  it('a repeated ack succeeds without a change; a resolved or unknown incident fails', async () => {
    const { audit, services: deps } = withIncident();
    await executeOperatorCommand(ack(), deps);
    expect(await executeOperatorCommand(ack(), deps)).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^INC-7K3QZ2M was already acknowledged by operator:li@ops-1 at /),
    });
    expect(await executeOperatorCommand(ack('INC-ZZZZZZZ'), deps)).toEqual({
      command: 'ack',
      ok: false,
      message: 'no incident INC-ZZZZZZZ (see `hcguard status` for open incidents)',
    });
    const resolved = withIncident({ ...OPEN, status: 'resolved', resolvedAt: NOW });
    expect(await executeOperatorCommand(ack(), resolved.services)).toMatchObject({
      ok: false,
      message: `INC-7K3QZ2M is already resolved (at ${NOW})`,
    });
    expect(audit.entries).toHaveLength(1);
  });

  it('fails, naming the acknowledgement it made, when the audit entry cannot be written', async () => {
    const { audit, store, services: deps } = withIncident();
    audit.failWith = new Error('ThrottlingException: Rate exceeded');
    expect(await executeOperatorCommand(ack(), deps)).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^acknowledged INC-7K3QZ2M .*\nacknowledged, but the audit entry could not be written: .*Rate exceeded$/,
      ),
    });
    expect(store.incidents.get('INC-7K3QZ2M')?.status).toBe('acknowledged');
  });
});

describe('executeOperatorCommand: hold-clear', () => {
  const flapping = (): TargetState => ({
    site: 'primary',
    stage: 'verification',
    health: 'failing',
    observedHealth: 'healthy',
    since: '2026-11-20T07:55:00.000Z',
    consecutiveFailures: 0,
    consecutiveSuccesses: 4,
    recentChanges: ['07:52', '07:54', '07:56', '07:58'].map((clock) => `2026-11-20T${clock}:00.000Z`),
    flapping: true,
    version: 9,
  });
  const withTarget = (target: TargetState) => {
    const built = services();
    const store = new MemoryStateStore();
    store.targets.set('primary#verification', target);
    return { ...built, store, services: { ...built.services, store } };
  };
  const clear = (target = 'primary/verification') =>
    ({ command: 'hold-clear', target, reason: 'flapped during the 07:50 deploy', actor: ACTOR }) as const;

  it('ends the hold over the version read, keeps the observed health, and audits the reason', async () => {
    const { audit, store, services: deps } = withTarget(flapping());
    const result = await executeOperatorCommand(clear(), deps);
    expect(result).toEqual({
      command: 'hold-clear',
      ok: true,
      message:
        'cleared the flap hold on primary/verification (it would have ended 2026-11-20T08:02:00.000Z); ' +
        'it is healthy now, and the next round evaluates it as usual',
    });
    expect(store.targets.get('primary#verification')).toMatchObject({
      health: 'healthy',
      since: NOW,
      flapping: false,
      recentChanges: [],
      version: 10,
    });
    expect(audit.entries).toEqual([
      {
        at: NOW,
        actor: ACTOR,
        action: 'hold.clear',
        subject: 'target:primary/verification',
        detail: {
          hold: 'flap',
          heldUntil: '2026-11-20T08:02:00.000Z',
          reason: 'flapped during the 07:50 deploy',
          health: 'healthy',
        },
      },
    ]);
  });

  it('a target that really fails stays failing: only the hold ends', async () => {
    const { store, services: deps } = withTarget({ ...flapping(), observedHealth: 'failing' });
    expect(await executeOperatorCommand(clear(), deps)).toMatchObject({ ok: true });
    expect(store.targets.get('primary#verification')).toMatchObject({
      health: 'failing',
      since: '2026-11-20T07:55:00.000Z',
      flapping: false,
    });
  });

  it.each([
    [
      'a target not held',
      { ...flapping(), flapping: false, health: 'healthy' as const },
      'primary/verification',
      'primary/verification is not held (it is healthy): nothing to clear',
    ],
    [
      'a target never probed',
      flapping(),
      'backup/verification',
      'backup/verification has not been probed yet: there is no hold to clear',
    ],
  ])('refuses %s, writing and auditing nothing', async (_, target, where, message) => {
    const { audit, store, services: deps } = withTarget(target);
    expect(await executeOperatorCommand(clear(where), deps)).toEqual({ command: 'hold-clear', ok: false, message });
    expect(store.targets.get('primary#verification')?.version).toBe(target.version);
    expect(audit.entries).toEqual([]);
  });

  it('a round that moved the target meanwhile wins: nothing is cleared, the operator is told to retry', async () => {
    const { audit, store, services: deps } = withTarget(flapping());
    const load = store.loadTargets.bind(store);
    store.loadTargets = async () => {
      const read = await load();
      store.targets.set('primary#verification', { ...flapping(), version: 10 });
      return read;
    };
    expect(await executeOperatorCommand(clear(), deps)).toEqual({
      command: 'hold-clear',
      ok: false,
      message: 'primary/verification changed while clearing (a probe round ran): nothing cleared, run it again',
    });
    expect(store.targets.get('primary#verification')).toMatchObject({ flapping: true, version: 10 });
    expect(audit.entries).toEqual([]);
  });
});
