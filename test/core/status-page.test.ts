import { describe, expect, it } from 'vitest';
import {
  failingIntervals,
  overallStatus,
  uptime,
  uptimeWindows,
  type StatusIncident,
  type StatusRoute,
  type StatusTarget,
} from '../../lambdas/core/status-page.ts';
import { SITES, STAGES } from '../../lambdas/core/model/vocabulary.ts';

const healthy = (since = '2026-11-02T07:00:00.000Z'): StatusTarget[] =>
  SITES.flatMap((site) => STAGES.map((stage) => ({ site, stage, health: 'healthy' as const, since })));
const withTarget = (targets: StatusTarget[], change: StatusTarget): StatusTarget[] =>
  targets.map((target) => (target.site === change.site && target.stage === change.stage ? change : target));
const ON_PRIMARY: StatusRoute[] = [
  { record: 'verify.hc.internal', activeSite: 'primary', since: '2026-11-02T06:00:00.000Z' },
];
const ON_BACKUP: StatusRoute[] = [
  { record: 'verify.hc.internal', activeSite: 'backup', since: '2026-11-02T08:00:20.000Z' },
];
const SEV = (severity: StatusIncident['severity'], openedAt = '2026-11-02T08:00:15.000Z'): StatusIncident => ({
  severity,
  title: `a ${severity} problem`,
  openedAt,
});

describe('overallStatus: the banner', () => {
  it.each([
    {
      name: 'everything healthy, on the primary',
      targets: healthy(),
      routing: ON_PRIMARY,
      incidents: [],
      level: 'operational',
      headline: 'All systems operational',
      since: '2026-11-02T07:00:00.000Z',
    },
    {
      name: 'nothing probed yet',
      targets: SITES.flatMap((site) => STAGES.map((stage) => ({ site, stage, health: 'unknown' as const }))),
      routing: ON_PRIMARY,
      incidents: [],
      level: 'unknown',
      headline: 'No probe results yet',
      since: undefined,
    },
    {
      name: 'the serving site cannot verify',
      targets: withTarget(healthy(), {
        site: 'primary',
        stage: 'verification',
        health: 'failing',
        since: '2026-11-02T08:00:05.000Z',
      }),
      routing: ON_PRIMARY,
      incidents: [],
      level: 'outage',
      headline: 'Outage: verification failing on primary, which serves verification',
      since: '2026-11-02T08:00:05.000Z',
    },
    {
      name: 'the primary cannot verify but traffic is on the backup: degraded, two causes',
      targets: withTarget(healthy(), {
        site: 'primary',
        stage: 'verification',
        health: 'failing',
        since: '2026-11-02T08:00:05.000Z',
      }),
      routing: ON_BACKUP,
      incidents: [],
      level: 'degraded',
      headline: 'Degraded: verification failing on primary (+1 more)',
      since: '2026-11-02T08:00:05.000Z',
    },
    {
      name: 'a SEV1 is unresolved although every probe passes now',
      targets: healthy(),
      routing: ON_PRIMARY,
      incidents: [SEV('SEV1')],
      level: 'outage',
      headline: 'Outage: SEV1 a SEV1 problem',
      since: '2026-11-02T08:00:15.000Z',
    },
    {
      name: 'collection failing on the backup',
      targets: withTarget(healthy(), {
        site: 'backup',
        stage: 'collection',
        health: 'failing',
        since: '2026-11-02T07:30:00.000Z',
      }),
      routing: ON_PRIMARY,
      incidents: [SEV('SEV3', '2026-11-02T07:30:10.000Z')],
      level: 'degraded',
      headline: 'Degraded: collection failing on backup (+1 more)',
      since: '2026-11-02T07:30:00.000Z',
    },
    {
      name: 'a SEV4 notice changes nothing',
      targets: healthy(),
      routing: ON_PRIMARY,
      incidents: [SEV('SEV4')],
      level: 'operational',
      headline: 'All systems operational',
      since: '2026-11-02T07:00:00.000Z',
    },
    {
      name: 'a refused switch',
      targets: healthy(),
      routing: [{ ...ON_PRIMARY[0]!, refusal: 'the backup is failing' }],
      incidents: [],
      level: 'degraded',
      headline: 'Degraded: a switch of verify.hc.internal is refused: the backup is failing',
      since: undefined,
    },
  ])('$name → $level', ({ targets, routing, incidents, level, headline, since }) => {
    const status = overallStatus({ targets, routing, incidents });
    expect(status.level).toBe(level);
    expect(status.headline).toBe(headline);
    expect(status.since).toBe(since);
    expect(status.causes.length > 0).toBe(level === 'outage' || level === 'degraded');
  });

  it('lists the outage causes before the degraded ones and names a drill', () => {
    const status = overallStatus({
      targets: withTarget(healthy(), { site: 'backup', stage: 'transmission', health: 'degraded' }),
      routing: ON_PRIMARY,
      incidents: [{ ...SEV('SEV1'), drillId: 'drill-7' }],
    });
    expect(status.causes).toEqual(['SEV1 a SEV1 problem (drill drill-7)', 'transmission degraded on backup']);
  });

  it('is operational with a target not probed yet, and names it', () => {
    const targets = withTarget(healthy(), { site: 'backup', stage: 'collection', health: 'unknown' });
    expect(overallStatus({ targets, routing: ON_PRIMARY, incidents: [] }).headline).toBe(
      'Operational; not probed yet: backup collection',
    );
  });
});

describe('uptime', () => {
  const window = { windowStart: '2026-11-01T08:00:00.000Z', now: '2026-11-02T08:00:00.000Z' };
  it.each([
    { name: 'no failure over the whole day', observedFrom: '2026-11-01T07:00:00.000Z', failing: [], ratio: 1 },
    {
      name: 'one hour failing out of 24',
      observedFrom: '2026-11-01T08:00:00.000Z',
      failing: [{ from: '2026-11-01T10:00:00.000Z', to: '2026-11-01T11:00:00.000Z' }],
      ratio: 23 / 24,
    },
    {
      name: 'only the observed part counts: 1 h failing out of 2 h observed',
      observedFrom: '2026-11-02T06:00:00.000Z',
      failing: [{ from: '2026-11-02T06:30:00.000Z', to: '2026-11-02T07:30:00.000Z' }],
      ratio: 0.5,
    },
    {
      name: 'overlapping intervals count once, an open one runs to now',
      observedFrom: '2026-11-02T04:00:00.000Z',
      failing: [
        { from: '2026-11-02T06:00:00.000Z', to: '2026-11-02T07:00:00.000Z' },
        { from: '2026-11-02T06:30:00.000Z' },
      ],
      ratio: 0.5,
    },
    {
      name: 'an interval from before the window is clipped to it',
      observedFrom: '2026-10-30T00:00:00.000Z',
      failing: [{ from: '2026-10-31T00:00:00.000Z', to: '2026-11-01T14:00:00.000Z' }],
      ratio: 0.75,
    },
    {
      name: 'an interval inside another adds nothing',
      observedFrom: '2026-11-02T06:00:00.000Z',
      failing: [
        { from: '2026-11-02T06:00:00.000Z', to: '2026-11-02T07:00:00.000Z' },
        { from: '2026-11-02T06:10:00.000Z', to: '2026-11-02T06:20:00.000Z' },
      ],
      ratio: 0.5,
    },
  ])('$name', ({ observedFrom, failing, ratio }) => {
    expect(uptime({ ...window, observedFrom, failing }).ratio).toBeCloseTo(ratio, 10);
  });

  it('says nothing when nothing was observed in the window', () => {
    expect(uptime({ ...window, failing: [] })).toEqual({ observedMs: 0, failingMs: 0 });
  });
});

describe('failingIntervals', () => {
  const incident = (dedupKey: string, openedAt: string, resolvedAt?: string) => ({
    kind: 'probe' as const,
    site: 'primary' as const,
    stage: 'verification' as const,
    dedupKey,
    openedAt,
    ...(resolvedAt ? { resolvedAt } : {}),
  });
  it('takes the target failing incidents, not degraded ones nor other targets, and the live failure', () => {
    const intervals = failingIntervals(
      { site: 'primary', stage: 'verification', health: 'failing', since: '2026-11-02T08:00:00.000Z' },
      [
        incident('probe/primary/verification/status', '2026-11-02T06:00:00.000Z', '2026-11-02T06:10:00.000Z'),
        incident('probe/primary/verification/degraded', '2026-11-02T05:00:00.000Z', '2026-11-02T05:10:00.000Z'),
        { ...incident('probe/backup/verification/status', '2026-11-02T04:00:00.000Z'), site: 'backup' as const },
        {
          ...incident('no-healthy-site/verify.hc.internal', '2026-11-02T03:00:00.000Z'),
          kind: 'no-healthy-site' as const,
        },
      ],
    );
    expect(intervals).toEqual([
      { from: '2026-11-02T06:00:00.000Z', to: '2026-11-02T06:10:00.000Z' },
      { from: '2026-11-02T08:00:00.000Z' },
    ]);
  });
});

describe('overallStatus when part of the state could not be read', () => {
  it.each([
    { parts: ['incidents'], headline: 'Status not known: cannot read incidents' },
    { parts: ['target states', 'routing'], headline: 'Status not known: cannot read target states, routing' },
    // History feeds the charts, not the banner: the banner still judges what it read.
    { parts: ['history'], headline: 'All systems operational' },
  ])('cannot read $parts: "$headline"', ({ parts, headline }) => {
    const status = overallStatus({
      targets: healthy(),
      routing: ON_PRIMARY,
      incidents: [],
      unread: { parts, warnings: [`cannot read ${parts.join(', ')}: throttled`] },
    });
    expect(status.headline).toBe(headline);
    if (headline.startsWith('Status not known')) {
      expect(status.level).toBe('unknown');
      expect(status.causes).toEqual([`cannot read ${parts.join(', ')}: throttled`]);
    }
  });
});

describe('uptimeWindows', () => {
  it('gives the last day and the last week, each clipped to what was observed', () => {
    const now = new Date('2026-11-09T08:00:00.000Z');
    const windows = uptimeWindows({
      now,
      observedFrom: '2026-11-08T08:00:00.000Z',
      failing: [{ from: '2026-11-09T06:00:00.000Z', to: '2026-11-09T07:12:00.000Z' }],
    });
    expect(windows.map((window) => [window.label, window.observedMs, window.failingMs])).toEqual([
      ['24 h', 86_400_000, 4_320_000],
      ['7 d', 86_400_000, 4_320_000],
    ]);
    expect(windows[0]?.ratio).toBeCloseTo(0.95);
  });
});
