import { describe, expect, it } from 'vitest';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../lambdas/core/model/probing.ts';
import { DashboardRequestError } from '../../local/dashboard/state.ts';
import { createRuntimeBackend, type DrillControl } from '../../local/runtime/backend.ts';
import { createFaultRegistry } from '../../local/sandbox/faults.ts';
import { testConfig } from '../fakes/config.ts';
import { MemoryStateStore } from '../fakes/memory-state-store.ts';
import { MemoryRoutingStore } from '../fakes/routing.ts';

const clock = { now: () => new Date('2026-11-02T08:00:00.000Z') };

const target = (
  site: 'primary' | 'backup',
  stage: 'collection' | 'transmission' | 'verification',
  extra: Partial<TargetState> = {},
): TargetState => ({
  site,
  stage,
  health: 'healthy',
  since: '2026-11-02T07:00:00.000Z',
  consecutiveFailures: 0,
  consecutiveSuccesses: 5,
  recentChanges: [],
  flapping: false,
  version: 3,
  ...extra,
});

const result = (startedAt: string, durationMs: number, outcome: ProbeResult['outcome'] = 'ok'): ProbeResult => ({
  probeId: 'verification',
  site: 'primary',
  stage: 'verification',
  startedAt,
  durationMs,
  outcome,
  steps: [],
});

const incident = (id: string, severity: Incident['severity'], openedAt: string): Incident => ({
  id,
  dedupKey: `probe#primary#verification#${id}`,
  kind: 'probe',
  site: 'primary',
  stage: 'verification',
  severity,
  status: 'open',
  title: `incident ${id}`,
  openedAt,
  reminders: 0,
  version: 1,
});

const setUp = (drills?: DrillControl) => {
  const config = testConfig();
  const stateStore = new MemoryStateStore();
  const routing = new MemoryRoutingStore();
  const faults = createFaultRegistry(clock);
  const backend = createRuntimeBackend({
    config,
    stateStore,
    routing,
    faults,
    sandboxOrigins: { primary: 'http://127.0.0.1:18080', backup: 'http://127.0.0.2:18080' },
    awsEndpoint: 'http://127.0.0.1:5000',
    rounds: () => ({ count: 7, lastStartedAt: '2026-11-02T07:59:55.000Z', lastDurationMs: 120 }),
    clock,
    latencyPoints: 3,
    ...(drills ? { drills } : {}),
  });
  return { backend, stateStore, routing, faults };
};

describe('the runtime backend (what the dashboard and the console show)', () => {
  it('reads targets, latency series, routing, incidents and faults through the ports', async () => {
    const { backend, stateStore, routing, faults } = setUp();
    stateStore.targets.set(
      'primary#verification',
      target('primary', 'verification', { health: 'failing', lastOutcome: 'failed', lastMessage: 'verify: HTTP 503' }),
    );
    stateStore.results.push(
      result('2026-11-02T07:59:40.000Z', 10),
      result('2026-11-02T07:59:45.000Z', 11),
      result('2026-11-02T07:59:50.000Z', 900, 'failed'),
      result('2026-11-02T07:59:55.000Z', 950, 'failed'),
    );
    stateStore.incidents.set('a', incident('a', 'SEV2', '2026-11-02T07:59:00.000Z'));
    stateStore.incidents.set('b', incident('b', 'SEV1', '2026-11-02T07:58:00.000Z'));
    stateStore.incidents.set('c', incident('c', 'SEV1', '2026-11-02T07:59:30.000Z'));
    await routing.put(
      {
        record: 'verify.hc.example.com',
        activeSite: 'primary',
        since: '2026-11-02T07:00:00.000Z',
        reason: 'initial',
        actor: 'controller',
        refusal: {
          toSite: 'backup',
          codes: ['backup-unhealthy'],
          message: 'backup verification is failing',
          since: '2026-11-02T07:59:55.000Z',
        },
        version: 1,
      },
      0,
    );
    faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });

    const state = await backend.state();
    expect(state.targets).toHaveLength(6);
    expect(state.targets.find((entry) => entry.site === 'primary' && entry.stage === 'verification')).toEqual({
      site: 'primary',
      stage: 'verification',
      health: 'failing',
      since: '2026-11-02T07:00:00.000Z',
      flapping: false,
      lastOutcome: 'failed',
      lastMessage: 'verify: HTTP 503',
      latency: [
        { at: '2026-11-02T07:59:45.000Z', ms: 11, outcome: 'ok' },
        { at: '2026-11-02T07:59:50.000Z', ms: 900, outcome: 'failed' },
        { at: '2026-11-02T07:59:55.000Z', ms: 950, outcome: 'failed' },
      ],
    });
    expect(state.targets.find((entry) => entry.site === 'backup' && entry.stage === 'collection')).toEqual({
      site: 'backup',
      stage: 'collection',
      health: 'unknown',
      flapping: false,
      latency: [],
    });
    expect(state.incidents.map((entry) => entry.id)).toEqual(['c', 'b', 'a']);
    expect(state.routing).toEqual([
      {
        record: 'verify.hc.example.com',
        activeSite: 'primary',
        since: '2026-11-02T07:00:00.000Z',
        reason: 'initial',
        actor: 'controller',
        refusal: 'backup verification is failing',
      },
    ]);
    expect(state.faults).toEqual([
      { site: 'primary', stage: 'verification', mode: 'error', since: '2026-11-02T08:00:00.000Z' },
    ]);
    expect(state.rounds).toEqual({
      count: 7,
      lastStartedAt: '2026-11-02T07:59:55.000Z',
      lastDurationMs: 120,
      intervalSeconds: 30,
    });
    expect(state.sites).toEqual([
      { site: 'primary', label: 'Shanghai DC-1', endpoint: 'http://127.0.0.1:18080' },
      { site: 'backup', label: 'Hangzhou DC-2', endpoint: 'http://127.0.0.2:18080' },
    ]);
    expect(state.warnings).toEqual([]);
    expect(state.scenarios).toEqual([]);
  });

  it('gives a flap hold with its end and a target below the failure threshold its count', async () => {
    const { backend, stateStore } = setUp();
    const changes = ['07:52:00', '07:54:00', '07:56:00', '07:58:00'].map((at) => `2026-11-02T${at}.000Z`);
    stateStore.targets.set(
      'primary#verification',
      target('primary', 'verification', { health: 'failing', flapping: true, recentChanges: changes }),
    );
    stateStore.targets.set('backup#collection', target('backup', 'collection', { consecutiveFailures: 2 }));
    const { targets } = await backend.state();
    expect(targets.find((entry) => entry.site === 'primary' && entry.stage === 'verification')?.hold).toEqual({
      kind: 'flap',
      until: '2026-11-02T08:02:00.000Z',
      reason: '4 health changes within 10 min (flap limit 4): held at failing',
    });
    expect(targets.find((entry) => entry.site === 'backup' && entry.stage === 'collection')).toMatchObject({
      failingRounds: { count: 2, threshold: 3 },
    });
    expect(targets.filter((entry) => entry.hold)).toHaveLength(1);
  });

  it('shows what it can when a part cannot be read, and says what is missing', async () => {
    const { backend, stateStore } = setUp();
    stateStore.incidents.set('a', incident('a', 'SEV2', '2026-11-02T07:59:00.000Z'));
    stateStore.failNext('loadTargets', new Error('ProvisionedThroughputExceededException'));
    const state = await backend.state();
    expect(state.warnings).toEqual(['cannot read target states: ProvisionedThroughputExceededException']);
    expect(state.targets.every((entry) => entry.health === 'unknown')).toBe(true);
    expect(state.incidents.map((entry) => entry.id)).toEqual(['a']);
    // The banner does not guess without the targets.
    expect(state.overall).toEqual({
      level: 'unknown',
      headline: 'Status not known: cannot read target states',
      causes: ['cannot read target states: ProvisionedThroughputExceededException'],
    });
  });

  it("gives the banner, each target's uptime over 24 h and 7 d, and the incident timeline", async () => {
    const { backend, stateStore, routing } = setUp();
    for (const site of ['primary', 'backup'] as const)
      for (const stage of ['collection', 'transmission', 'verification'] as const)
        stateStore.targets.set(`${site}#${stage}`, target(site, stage));
    stateStore.targets.set(
      'primary#verification',
      target('primary', 'verification', { health: 'failing', since: '2026-11-02T07:54:00.000Z' }),
    );
    await routing.put(
      {
        record: 'verify.hc.example.com',
        activeSite: 'backup',
        since: '2026-11-02T07:55:00.000Z',
        reason: 'verification failing on primary',
        actor: 'controller',
        version: 1,
      },
      0,
    );
    // Probed since 2 days ago; failing 6 h three days ago (before probing began: no matter), 1 h yesterday and now.
    stateStore.results.push(
      result('2026-10-31T08:00:00.000Z', 10),
      { ...result('2026-11-01T08:00:00.000Z', 10), site: 'backup' },
      result('2026-11-02T07:59:55.000Z', 900, 'failed'),
    );
    const resolved = (id: string, openedAt: string, resolvedAt: string, severity: Incident['severity'] = 'SEV1') => ({
      ...incident(id, severity, openedAt),
      dedupKey: `probe/primary/verification/${id}`,
      status: 'resolved' as const,
      resolvedAt,
    });
    stateStore.incidents.set('old', resolved('old', '2026-10-30T00:00:00.000Z', '2026-10-30T06:00:00.000Z'));
    stateStore.incidents.set('y', resolved('y', '2026-11-01T12:00:00.000Z', '2026-11-01T13:00:00.000Z'));
    stateStore.incidents.set('d', {
      ...resolved('d', '2026-11-02T01:00:00.000Z', '2026-11-02T01:30:00.000Z', 'SEV3'),
      dedupKey: 'probe/primary/verification/degraded',
    });
    stateStore.incidents.set('now', { ...incident('now', 'SEV2', '2026-11-02T07:54:10.000Z'), drillId: 'drill-3' });

    const state = await backend.state();
    expect(state.overall).toEqual({
      level: 'degraded',
      headline: 'Degraded: verification failing on primary (+2 more)',
      since: '2026-11-02T07:54:00.000Z',
      causes: [
        'verification failing on primary',
        'SEV2 incident now (drill drill-3)',
        'verify.hc.example.com is served by the backup',
      ],
    });
    const windows = (site: string, stage: string) =>
      state.uptime.find((entry) => entry.site === site && entry.stage === stage)?.windows;
    // 24 h: the hour 12:00–13:00 yesterday and the 6 min since 07:54; the degraded half hour is not failing.
    expect(
      windows('primary', 'verification')?.map((window) => [window.label, window.failingMs, window.observedMs]),
    ).toEqual([
      ['24 h', 66 * 60_000, 24 * 3_600_000],
      ['7 d', 66 * 60_000, 48 * 3_600_000],
    ]);
    expect(windows('backup', 'verification')?.map((window) => window.ratio)).toEqual([1, 1]);
    expect(windows('primary', 'collection')).toEqual([
      { label: '24 h', observedMs: 0, failingMs: 0 },
      { label: '7 d', observedMs: 0, failingMs: 0 },
    ]);
    expect(state.timeline).toEqual({
      from: '2026-11-01T08:00:00.000Z',
      to: '2026-11-02T08:00:00.000Z',
      incidents: [
        expect.objectContaining({ id: 'y', severity: 'SEV1', resolvedAt: '2026-11-01T13:00:00.000Z' }),
        expect.objectContaining({ id: 'd', severity: 'SEV3' }),
        {
          id: 'now',
          severity: 'SEV2',
          title: 'incident now',
          openedAt: '2026-11-02T07:54:10.000Z',
          drillId: 'drill-3',
        },
      ],
    });
  });

  it('acknowledges as the dashboard operator, and answers 404 and 409 for the wrong incident', async () => {
    const { backend, stateStore } = setUp();
    stateStore.incidents.set('a', incident('a', 'SEV1', '2026-11-02T07:59:00.000Z'));
    await backend.acknowledge('a');
    expect(stateStore.incidents.get('a')).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'operator:dashboard',
      acknowledgedAt: '2026-11-02T08:00:00.000Z',
    });
    await expect(backend.acknowledge('a')).rejects.toMatchObject({ name: 'DashboardRequestError', status: 409 });
    await expect(backend.acknowledge('zzz')).rejects.toEqual(new DashboardRequestError('no incident zzz', 404));
  });

  it('injects and clears sandbox faults, refusing a fault the sandbox cannot apply as a bad request', async () => {
    const { backend, faults } = setUp();
    await backend.injectFault({ site: 'backup', stage: 'collection', mode: 'latency', latencyMs: 800 });
    expect(faults.listNow()).toEqual([
      { site: 'backup', stage: 'collection', mode: 'latency', latencyMs: 800, since: '2026-11-02T08:00:00.000Z' },
    ]);
    await expect(
      backend.injectFault({ site: 'backup', stage: 'collection', mode: 'error', latencyMs: 800 }),
    ).rejects.toMatchObject({
      name: 'DashboardRequestError',
      status: 400,
      message: expect.stringContaining('latencyMs'),
    });
    await backend.clearFaults({ site: 'backup' });
    expect(faults.listNow()).toEqual([]);
  });

  it('starts drills by known scenario only, and says when drills are not available', async () => {
    const started: string[] = [];
    const drills: DrillControl = {
      scenarios: () => ['verification-outage'],
      start: async (scenario) => {
        started.push(scenario);
        return { id: 'drill-1' };
      },
      list: async () => [
        { id: 'drill-1', scenario: 'verification-outage', outcome: 'running', startedAt: '2026-11-02T08:00:00.000Z' },
      ],
      report: async (id) => (id === 'drill-1' ? '<h1>report</h1>' : undefined),
    };
    const { backend } = setUp(drills);
    expect(await backend.startDrill('verification-outage')).toEqual({ id: 'drill-1' });
    await expect(backend.startDrill('flood')).rejects.toEqual(
      new DashboardRequestError('unknown scenario "flood": one of verification-outage'),
    );
    expect(started).toEqual(['verification-outage']);
    expect((await backend.state()).drills).toHaveLength(1);
    expect(await backend.drillReport('drill-1')).toBe('<h1>report</h1>');
    await expect(setUp().backend.startDrill('verification-outage')).rejects.toMatchObject({ status: 409 });
  });
});

describe('the week-long reads behind the status page', () => {
  it('are reused for 15 s, while open incidents are read fresh each time', async () => {
    let now = Date.parse('2026-11-02T08:00:00.000Z');
    const stateStore = new MemoryStateStore();
    const calls = { history: 0, open: 0 };
    const listIncidents = stateStore.listIncidents.bind(stateStore);
    const listOpenIncidents = stateStore.listOpenIncidents.bind(stateStore);
    stateStore.listIncidents = (...args) => ((calls.history += 1), listIncidents(...args));
    stateStore.listOpenIncidents = (...args) => ((calls.open += 1), listOpenIncidents(...args));
    const backend = createRuntimeBackend({
      config: testConfig(),
      stateStore,
      routing: new MemoryRoutingStore(),
      faults: createFaultRegistry(clock),
      sandboxOrigins: { primary: 'http://127.0.0.1:18080', backup: 'http://127.0.0.2:18080' },
      awsEndpoint: 'http://127.0.0.1:5000',
      rounds: () => ({ count: 1, lastStartedAt: '2026-11-02T07:59:55.000Z', lastDurationMs: 120 }),
      clock: { now: () => new Date(now) },
    });
    await backend.state();
    now += 14_000;
    await backend.state();
    expect(calls).toEqual({ history: 1, open: 2 });
    now += 1_000;
    await backend.state();
    expect(calls).toEqual({ history: 2, open: 3 });
  });
});
