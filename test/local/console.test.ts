import { describe, expect, it } from 'vitest';
import type { DashboardState } from '../../local/dashboard/state.ts';
import { changeLines, createStatusConsole, statusTable } from '../../local/runtime/console.ts';
import { displayWidth } from '../../lambdas/core/i18n/index.ts';

const healthy = (): DashboardState => ({
  name: 'hcguard',
  locale: 'en',
  timeZone: 'UTC',
  generatedAt: '2026-11-02T08:00:00.000Z',
  overall: { level: 'operational', headline: 'All systems operational', since: '2026-11-02T07:00:00.000Z', causes: [] },
  uptime: [],
  timeline: { from: '2026-11-01T08:00:00.000Z', to: '2026-11-02T08:00:00.000Z', incidents: [] },
  sites: [],
  targets: (['primary', 'backup'] as const).flatMap((site) =>
    (['collection', 'transmission', 'verification'] as const).map((stage) => ({
      site,
      stage,
      health: 'healthy' as const,
      flapping: false,
      latency: [{ at: '2026-11-02T07:59:55.000Z', ms: 12, outcome: 'ok' as const }],
    })),
  ),
  routing: [
    {
      record: 'verify.hc.internal',
      activeSite: 'primary',
      since: '2026-11-02T07:00:00.000Z',
      reason: 'created by hcguard up',
      actor: 'controller',
    },
  ],
  incidents: [],
  faults: [],
  citizens: {
    record: 'verify.hc.internal',
    requestsPerSecond: 5,
    bucketSeconds: 5,
    answer: {
      values: ['127.0.0.1'],
      ttlSeconds: 5,
      site: 'primary',
      fetchedAt: '2026-11-02T07:59:58.000Z',
      expiresAt: '2026-11-02T08:00:03.000Z',
    },
    totals: { ok: 10, failed: 0 },
    recent: { seconds: 30, ok: 10, failed: 0, successRate: 1 },
    buckets: [],
    outages: [],
    failureReasons: [],
  },
  drills: [],
  scenarios: [],
  rounds: { count: 3, intervalSeconds: 5, lastDurationMs: 40 },
  awsEndpoint: 'http://127.0.0.1:5000',
  warnings: [],
});

const broken = (): DashboardState => {
  const state = healthy();
  return {
    ...state,
    generatedAt: '2026-11-02T08:00:20.000Z',
    overall: {
      level: 'outage',
      headline: 'Outage: SEV1 verification failing on primary',
      since: '2026-11-02T08:00:15.000Z',
      causes: [],
    },
    targets: state.targets.map((target) =>
      target.site === 'primary' && target.stage === 'verification'
        ? { ...target, health: 'failing' as const, lastMessage: 'verify: HTTP 503' }
        : target,
    ),
    routing: [
      {
        record: 'verify.hc.internal',
        activeSite: 'backup',
        since: '2026-11-02T08:00:18.000Z',
        reason: 'verification failing on primary',
        actor: 'controller',
      },
    ],
    incidents: [
      {
        id: 'inc-1',
        severity: 'SEV1',
        status: 'open',
        title: 'verification failing on primary',
        site: 'primary',
        stage: 'verification',
        openedAt: '2026-11-02T08:00:15.000Z',
      },
    ],
    faults: [{ site: 'primary', stage: 'verification', mode: 'error', since: '2026-11-02T08:00:01.000Z' }],
    citizens: {
      ...state.citizens!,
      outages: [{ start: '2026-11-02T08:00:02.000Z', end: '2026-11-02T08:00:19.000Z', durationMs: 17_000, failed: 85 }],
    },
  };
};

describe('the status console', () => {
  it('prints one line per change, and nothing when nothing changed', () => {
    expect(changeLines(healthy(), healthy())).toEqual([]);
    expect(changeLines(healthy(), broken())).toEqual([
      '08:00:20 primary/verification: healthy → failing (verify: HTTP 503)',
      '08:00:20 routing verify.hc.internal → backup: verification failing on primary (controller)',
      '08:00:20 SEV1 incident inc-1 opened: verification failing on primary',
      '08:00:20 fault injected: error on primary verification',
      '08:00:20 citizens: verifications failing since 08:00:02',
      '08:00:20 citizens: recovered; outage 08:00:02–08:00:19 lasted 17.0 s with 85 failed verifications',
    ]);
    expect(
      changeLines(broken(), { ...healthy(), generatedAt: '2026-11-02T08:05:00.000Z', routing: broken().routing }),
    ).toEqual([
      '08:05:00 primary/verification: failing → healthy',
      '08:05:00 incident inc-1 resolved: verification failing on primary',
      '08:05:00 fault cleared: error on primary verification',
    ]);
  });

  it('reports a part it cannot read as a warning, not as everything in it having ended', () => {
    const written: string[] = [];
    const console = createStatusConsole((text) => written.push(text), false);
    console.show(broken());
    written.length = 0;
    const unreachable = 'connect ECONNREFUSED 127.0.0.1:5000';
    console.show({
      ...broken(),
      generatedAt: '2026-11-02T08:00:25.000Z',
      targets: broken().targets.map((target) => ({ ...target, health: 'unknown' as const })),
      routing: [],
      incidents: [],
      faults: [],
      drills: [],
      warnings: ['target states', 'routing', 'incidents', 'sandbox faults', 'drills'].map(
        (part) => `cannot read ${part}: ${unreachable}`,
      ),
      unread: ['target states', 'routing', 'incidents', 'sandbox faults', 'drills'],
    });
    expect(written.join('').trimEnd().split('\n')).toEqual(
      ['target states', 'routing', 'incidents', 'sandbox faults', 'drills'].map(
        (part) => `08:00:25 warning: cannot read ${part}: ${unreachable}`,
      ),
    );
    written.length = 0;
    // Readable again and unchanged: nothing to say.
    console.show({ ...broken(), generatedAt: '2026-11-02T08:00:30.000Z' });
    expect(written).toEqual([]);
  });

  it('draws the site × stage table with routing, incidents and the citizens', () => {
    expect(statusTable(broken())).toEqual([
      '08:00:20  round 3 every 5s (last 40 ms)',
      '  Outage: SEV1 verification failing on primary since 08:00:15',
      '  stage         primary                       backup                        ',
      '  collection    healthy 12ms                  healthy 12ms                  ',
      '  transmission  healthy 12ms                  healthy 12ms                  ',
      '  verification  failing 12ms                  healthy 12ms                  ',
      '  routing verify.hc.internal → backup since 08:00:18 (verification failing on primary)',
      '  SEV1 inc-1 open since 08:00:15: verification failing on primary',
      '  faults: error on primary verification',
      '  citizens 100.0% ok over 30s → primary',
    ]);
  });

  it('shows failed rounds below the threshold instead of a silent healthy', () => {
    const state = broken();
    const almost = {
      ...state,
      targets: state.targets.map((target) =>
        target.site === 'backup' && target.stage === 'verification'
          ? { ...target, failingRounds: { count: 1, threshold: 3 } }
          : target,
      ),
    };
    expect(statusTable(almost)[5]).toBe(
      `  verification  ${'failing 12ms'.padEnd(30)}${'healthy (1/3 failing) 12ms'.padEnd(30)}`,
    );
  });

  it('redraws in place on a terminal', () => {
    let output = '';
    const console = createStatusConsole((text) => (output += text), true);
    console.show(healthy());
    const firstDraw = output;
    output = '';
    console.show(broken());
    expect(firstDraw.split('\n')).toHaveLength(statusTable(healthy()).length + 1);
    expect(output.startsWith(`\x1b[${statusTable(healthy()).length}F\x1b[J`)).toBe(true);
    expect(output).toContain('verification  failing');
  });

  it('cuts table lines to the terminal width, so the redraw counts rows right', () => {
    let output = '';
    const console = createStatusConsole(
      (text) => (output += text),
      true,
      () => 40,
    );
    console.show(broken());
    const lines = output.trimEnd().split('\n');
    expect(lines.every((line) => line.length <= 39)).toBe(true);
    expect(lines[6]).toBe('  routing verify.hc.internal → backup …');
  });
});

describe('the console in Chinese', () => {
  const zh = (state: DashboardState): DashboardState => ({ ...state, locale: 'zh-CN', timeZone: 'Asia/Shanghai' });

  it('words the table in Chinese and keeps its columns aligned by display width', () => {
    const lines = statusTable(zh(broken()));
    expect(lines[0]).toMatch(/^16:00:20 {2}第 3 轮，每 5 秒一轮/);
    expect(lines[2]).toMatch(/^ {2}环节 +主站点 +备用站点/);
    const row = lines.find((line) => line.includes('核验')) ?? '';
    expect(row).toMatch(/^ {2}核验 +故障 .* +正常/);
    expect(displayWidth(row.slice(0, row.indexOf('故障')))).toBe(2 + 14);
    expect(lines.join('\n')).toContain('路由 verify.hc.internal → 备用站点');
    expect(lines.join('\n')).not.toMatch(/\{\{|healthy|\bstage\b|incidents:/);
  });

  it('words each change line in Chinese', () => {
    const lines = changeLines(zh(healthy()), zh(broken()));
    expect(lines).toContain('16:00:20 主站点/核验：正常 → 故障 (verify: HTTP 503)');
    expect(lines.some((line) => line.includes('路由 verify.hc.internal → 备用站点'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/\{\{/);
  });
});
