import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveFault, FaultSpec } from '../../lambdas/core/model/faults.ts';
import { remoteCitizensImpact } from '../../local/citizens.ts';
import { startDashboardServer, type DashboardServer } from '../../local/dashboard/server.ts';
import { DashboardRequestError, type DashboardBackend, type DashboardState } from '../../local/dashboard/state.ts';
import { launchChromium } from '../support/browser.ts';

const SCREENSHOTS = 'reports/screenshots';

const baseState = (): DashboardState => ({
  name: 'hcguard-test',
  locale: 'en',
  timeZone: 'UTC',
  generatedAt: '2026-11-02T08:00:00.000Z',
  overall: { level: 'operational', headline: 'All systems operational', since: '2026-11-02T07:59:00.000Z', causes: [] },
  uptime: (['primary', 'backup'] as const).flatMap((site) =>
    (['collection', 'transmission', 'verification'] as const).map((stage) => ({
      site,
      stage,
      windows: [
        {
          label: '24 h' as const,
          ratio: site === 'primary' && stage === 'verification' ? 0.9875 : 1,
          observedMs: 86_400_000,
          failingMs: 0,
        },
        { label: '7 d' as const, observedMs: 0, failingMs: 0 },
      ],
    })),
  ),
  timeline: {
    from: '2026-11-01T08:00:00.000Z',
    to: '2026-11-02T08:00:00.000Z',
    incidents: [
      {
        id: 'inc-old',
        severity: 'SEV2',
        title: 'transmission failing on backup: HTTP 502 from the back end',
        openedAt: '2026-11-02T03:00:00.000Z',
        resolvedAt: '2026-11-02T03:20:00.000Z',
      },
    ],
  },
  sites: [
    { site: 'primary', label: 'primary (sandbox 127.0.0.1)', endpoint: 'http://127.0.0.1:18080' },
    { site: 'backup', label: 'backup (sandbox 127.0.0.2)', endpoint: 'http://127.0.0.2:18080' },
  ],
  targets: (['primary', 'backup'] as const).flatMap((site) =>
    (['collection', 'transmission', 'verification'] as const).map((stage) => ({
      site,
      stage,
      health: 'healthy' as const,
      since: '2026-11-02T07:59:00.000Z',
      flapping: false,
      latency: [12, 15, 11, 30, 14].map((ms, index) => ({
        at: `2026-11-02T07:59:${10 + index * 5}.000Z`,
        ms,
        outcome: 'ok' as const,
      })),
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
    totals: { ok: 100, failed: 0 },
    recent: { seconds: 30, ok: 100, failed: 0, successRate: 1 },
    buckets: [{ start: '2026-11-02T07:59:55.000Z', ok: 25, failed: 0, primary: 25, backup: 0 }],
    outages: [],
    failureReasons: [],
  },
  drills: [],
  scenarios: ['verification-outage', 'full-site-outage'],
  rounds: { count: 12, lastStartedAt: '2026-11-02T07:59:55.000Z', lastDurationMs: 80, intervalSeconds: 5 },
  awsEndpoint: 'http://127.0.0.1:5000',
  warnings: [],
});

/**
 * Plays the guard's part: a verification fault on the primary opens a SEV1 incident and moves
 * the record to the backup, as the pipeline would after the threshold rounds.
 */
const scriptedBackend = (overrides: Partial<DashboardState> = {}) => {
  let state: DashboardState = { ...baseState(), ...overrides };
  const calls: string[] = [];
  const backend: DashboardBackend = {
    state: async () => state,
    acknowledge: async (id) => {
      calls.push(`ack ${id}`);
      const incident = state.incidents.find((entry) => entry.id === id);
      if (!incident) throw new DashboardRequestError(`no open incident ${id}`, 404);
      state = {
        ...state,
        incidents: state.incidents.map((entry) =>
          entry.id === id ? { ...entry, status: 'acknowledged' as const, acknowledgedBy: 'operator:dashboard' } : entry,
        ),
      };
    },
    injectFault: async (fault: FaultSpec) => {
      calls.push(`inject ${fault.site} ${fault.stage} ${fault.mode}${fault.forMs ? ` ${fault.forMs}` : ''}`);
      const active: ActiveFault = { ...fault, since: '2026-11-02T08:00:01.000Z' };
      state = {
        ...state,
        faults: [active],
        targets: state.targets.map((target) =>
          target.site === fault.site && target.stage === fault.stage
            ? {
                ...target,
                health: 'failing' as const,
                flapping: true,
                hold: {
                  kind: 'flap' as const,
                  until: '2026-11-02T08:10:00.000Z',
                  reason: '4 health changes within 10 min (flap limit 4): held at failing',
                },
                lastMessage: '<img src=x onerror="window.pwned=1"> verify: HTTP 503',
                latency: [...target.latency, { at: '2026-11-02T08:00:05.000Z', ms: 900, outcome: 'failed' as const }],
              }
            : target.site === 'backup' && target.stage === 'collection'
              ? { ...target, failingRounds: { count: 1, threshold: 3 } }
              : target,
        ),
        incidents: [
          {
            id: 'inc-7f3a',
            severity: 'SEV1',
            status: 'open',
            title: 'verification failing on primary: HTTP 503',
            site: 'primary',
            stage: 'verification',
            openedAt: '2026-11-02T08:00:15.000Z',
          },
        ],
        routing: [
          {
            record: 'verify.hc.internal',
            activeSite: 'backup',
            since: '2026-11-02T08:00:16.000Z',
            reason: 'verification failing on primary',
            actor: 'controller',
          },
        ],
        overall: {
          level: 'outage',
          headline: 'Outage: SEV1 verification failing on primary: HTTP 503',
          since: '2026-11-02T08:00:05.000Z',
          causes: ['SEV1 verification failing on primary: HTTP 503', 'verify.hc.internal is served by the backup'],
        },
        timeline: {
          ...state.timeline,
          incidents: [
            ...state.timeline.incidents,
            {
              id: 'inc-7f3a',
              severity: 'SEV1',
              title: 'verification failing on primary: HTTP 503',
              openedAt: '2026-11-02T08:00:15.000Z',
            },
          ],
        },
        citizens: {
          ...state.citizens!,
          recent: { seconds: 30, ok: 80, failed: 20, successRate: 0.8 },
          outages: [{ start: '2026-11-02T08:00:02.000Z', failed: 20 }],
        },
      };
    },
    clearFaults: async (where) => {
      calls.push(`clear ${where.site ?? '*'} ${where.stage ?? '*'}`);
      state = { ...state, faults: [] };
    },
    startDrill: async (scenario) => {
      calls.push(`drill ${scenario}`);
      if (!state.scenarios.includes(scenario)) throw new DashboardRequestError(`unknown scenario ${scenario}`);
      state = {
        ...state,
        drills: [
          {
            id: 'drill-1',
            scenario,
            outcome: 'running',
            startedAt: '2026-11-02T08:01:00.000Z',
            reportUrl: '/drills/drill-1/report',
          },
        ],
      };
      return { id: 'drill-1' };
    },
    drillReport: async (id) => (id === 'drill-1' ? '<html><body><h1>Drill drill-1</h1></body></html>' : undefined),
    citizens: () => state.citizens,
    citizensImpact: (from, to) =>
      (state.citizens?.buckets ?? [])
        .filter((bucket) => Date.parse(bucket.start) >= from.getTime() && Date.parse(bucket.start) <= to.getTime())
        .map((bucket) => ({ at: bucket.start, ok: bucket.ok, failed: bucket.failed })),
  };
  return { backend, calls };
};

let server: DashboardServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (overrides: Partial<DashboardState> = {}) => {
  const scripted = scriptedBackend(overrides);
  server = await startDashboardServer({ backend: scripted.backend, port: 0, refreshMs: 200 });
  return { ...scripted, url: server.url };
};

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('dashboard JSON API', () => {
  it('serves the state and the page on loopback', async () => {
    const { url } = await start();
    const state = await (await fetch(`${url}api/state`)).json();
    expect(state).toEqual(baseState());
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
  });

  it('validates actions and answers with the rule that failed', async () => {
    const { url, calls } = await start();
    const cases: [string, unknown, number, string][] = [
      ['api/faults', { site: 'primary', stage: 'verification', mode: 'melt' }, 400, 'mode: Invalid option'],
      ['api/faults', { site: 'tertiary', stage: 'verification', mode: 'error' }, 400, 'site: Invalid option'],
      [
        'api/faults',
        { site: 'primary', stage: 'verification', mode: 'error', extra: 1 },
        400,
        'Unrecognized key: "extra"',
      ],
      ['api/drills', { scenario: 'no-such' }, 400, 'unknown scenario no-such'],
      ['api/incidents/inc-none/ack', {}, 404, 'no open incident inc-none'],
      ['api/nothing', {}, 404, 'no such action: /api/nothing'],
    ];
    for (const [path, body, status, message] of cases) {
      const response = await postJson(`${url}${path}`, body);
      expect({ path, status: response.status, error: ((await response.json()) as { error: string }).error }).toEqual({
        path,
        status,
        error: expect.stringContaining(message),
      });
    }
    expect(calls).toEqual(['drill no-such', 'ack inc-none']);
  });

  it('refuses requests that a web page elsewhere could forge: non-JSON posts and foreign Host headers', async () => {
    const { url, calls } = await start();
    const form = await fetch(`${url}api/faults/clear`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
    // fetch may not set Host; a rebinding attacker's browser sends its own name there.
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: server!.port,
          path: '/api/faults/clear',
          method: 'POST',
          headers: { host: `evil.example.com:${server!.port}`, 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end('{}');
    });
    expect(rebound).toBe(421);
    expect(calls).toEqual([]);
  });

  it('turns a fault request into a FaultSpec and serves drill reports', async () => {
    const { url, calls } = await start();
    const injected = await postJson(`${url}api/faults`, {
      site: 'backup',
      stage: 'collection',
      mode: 'latency',
      latencyMs: 800,
      forSeconds: 30,
    });
    expect(injected.status).toBe(200);
    expect(calls).toEqual(['inject backup collection latency 30000']);
    expect((await fetch(`${url}drills/drill-1/report`)).status).toBe(200);
    expect((await fetch(`${url}drills/drill-2/report`)).status).toBe(404);
  });

  it("serves the citizens' score and impact for drills run from another terminal", async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}api/citizens`)).json()).toEqual(baseState().citizens);
    const impact = remoteCitizensImpact(url);
    expect(await impact(new Date('2026-11-02T07:59:50.000Z'), new Date('2026-11-02T08:00:00.000Z'))).toEqual([
      { at: '2026-11-02T07:59:55.000Z', ok: 25, failed: 0 },
    ]);
    expect((await fetch(`${url}api/citizens/impact?from=soon&to=later`)).status).toBe(400);
    expect(await remoteCitizensImpact('http://127.0.0.1:9/')(new Date(0), new Date())).toBeUndefined();
  });

  it("serves each locale's words, and says which locales there are for any other", async () => {
    const { url } = await start();
    const zh = await (await fetch(`${url}api/words/zh-CN`)).json();
    expect(zh.dashboard.sites).toBe('站点与环节');
    const unknown = await fetch(`${url}api/words/fr`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('no words for locale fr: en, zh-CN');
    const library = await fetch(`${url}vendor/i18next.js`);
    expect(library.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await library.text()).toContain('export');
  });

  it('says which port is taken', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    await expect(startDashboardServer({ backend: scriptedBackend().backend, port })).rejects.toThrow(
      `the dashboard cannot listen on 127.0.0.1:${port}: the port is taken by another ` +
        `process. Set local.dashboardPort in the config (0 picks a free port).`,
    );
  });
});

describe('dashboard page in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(
    'shows the states, and a fault injected from the page leads to the incident and ' + 'the switch being shown',
    async () => {
      const { url, calls } = await start();
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);

      await expect
        .poll(() => page.locator('[data-target="primary/verification"]').getAttribute('data-health'), {
          timeout: 10_000,
        })
        .toBe('healthy');
      expect(await page.locator('td[data-health="healthy"]').count()).toBe(6);
      expect(await page.locator('svg.sparkline').count()).toBe(6);
      expect(await page.locator('[data-record="verify.hc.internal"]').getAttribute('data-active-site')).toBe('primary');
      expect(await page.locator('[data-success-rate]').textContent()).toContain('100 %');
      expect(await page.locator('#scenario option').allTextContents()).toEqual([
        'verification-outage',
        'full-site-outage',
      ]);
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-healthy.png`, fullPage: true });

      await page.selectOption('select[name="site"]', 'primary');
      await page.selectOption('select[name="stage"]', 'verification');
      await page.selectOption('select[name="mode"]', 'error');
      await page.click('#inject');

      await expect
        .poll(() => page.locator('[data-record="verify.hc.internal"]').getAttribute('data-active-site'), {
          timeout: 10_000,
        })
        .toBe('backup');
      expect(calls).toEqual(['inject primary verification error']);
      expect(await page.locator('[data-target="primary/verification"]').getAttribute('data-health')).toBe('failing');
      const incident = page.locator('tr[data-incident-id="inc-7f3a"]');
      expect(await incident.getAttribute('data-severity')).toBe('SEV1');
      expect(await page.locator('[data-fault="primary/verification/error"]').count()).toBe(1);
      // The probe message is shown as text: the markup in it is neither parsed nor run.
      expect(await page.locator('[data-target="primary/verification"] .message').textContent()).toContain(
        '<img src=x onerror="window.pwned=1">',
      );
      expect(await page.locator('[data-target="primary/verification"] img').count()).toBe(0);
      // A hold says why and until when, and how to end it; a target below the threshold says so.
      const hold = page.locator('[data-target="primary/verification"] .hold');
      expect(await hold.getAttribute('data-hold-until')).toBe('2026-11-02T08:10:00.000Z');
      const holdText = await hold.textContent();
      expect(holdText).toMatch(/^held until .+: 4 health changes within 10 min \(flap limit 4\): held at failing;/);
      expect(holdText).toContain('end it early with hcguard hold clear primary/verification --reason "..."');
      expect(await page.locator('[data-target="backup/collection"] .failing-rounds').textContent()).toBe('1/3 failing');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-failover.png`, fullPage: true });

      await incident.locator('button[data-ack]').click();
      await expect.poll(() => incident.getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');
      await page.click('#start-drill');
      await expect
        .poll(() => page.locator('tr[data-drill-id="drill-1"] a').getAttribute('href'), { timeout: 10_000 })
        .toBe('/drills/drill-1/report');
      expect(calls).toEqual(['inject primary verification error', 'ack inc-7f3a', 'drill verification-outage']);
      expect(errors).toEqual([]);
      await page.close();
    },
  );
  it.each([
    { width: 1400, colorScheme: 'light' as const },
    { width: 390, colorScheme: 'light' as const },
    { width: 390, colorScheme: 'dark' as const },
    { width: 1400, colorScheme: 'dark' as const },
  ])(
    'is a status page at $width px ($colorScheme): banner, title and icon follow the status, uptime, ' +
      'a timeline, axes, nothing wider than the screen',
    async ({ width, colorScheme }) => {
      const { url } = await start();
      const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      const banner = page.locator('#banner');
      await expect.poll(() => banner.getAttribute('data-level'), { timeout: 10_000 }).toBe('operational');
      expect(await page.locator('#banner-headline').textContent()).toBe('All systems operational');
      expect(await page.title()).toBe('OK · hcguard hcguard-test');
      expect(await page.locator('#favicon').getAttribute('href')).toBe('/favicon-operational.svg');
      expect(await page.locator('[data-uptime="primary/verification"] [data-window="24 h"]').textContent()).toBe(
        '24 h 98.75 %',
      );
      expect(await page.locator('[data-uptime="backup/collection"] [data-window="7 d"]').textContent()).toBe('7 d —');
      expect(await page.locator('[data-timeline-incident]').count()).toBe(1);
      expect(await page.locator('svg.sparkline .axis-label').first().textContent()).toBe('50 ms');
      expect(await page.locator('svg.citizens-chart .axis-label').allTextContents()).toContain('now · per 5 s');
      const overflow = () =>
        page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(await overflow()).toBe(0);
      const name = `${SCREENSHOTS}/status-${width}-${colorScheme}`;
      await page.screenshot({ path: `${name}.png`, fullPage: true });

      await postJson(`${url}api/faults`, { site: 'primary', stage: 'verification', mode: 'error' });
      await expect.poll(() => banner.getAttribute('data-level'), { timeout: 10_000 }).toBe('outage');
      expect(await page.locator('#banner-headline').textContent()).toBe(
        'Outage: SEV1 verification failing on primary: HTTP 503',
      );
      expect(await page.locator('#banner-causes li').allTextContents()).toEqual([
        'SEV1 verification failing on primary: HTTP 503',
        'verify.hc.internal is served by the backup',
      ]);
      expect(await page.title()).toBe('Outage · hcguard hcguard-test');
      expect(await page.locator('#favicon').getAttribute('href')).toBe('/favicon-outage.svg');
      expect(await page.locator('[data-timeline-incident="inc-7f3a"]').getAttribute('class')).toBe('bar SEV1 open');
      expect(await overflow()).toBe(0);
      await page.screenshot({ path: `${name}-outage.png`, fullPage: true });
      const icon = await page.request.get(`${url}favicon-outage.svg`);
      expect(icon.headers()['content-type']).toBe('image/svg+xml');
      expect(await icon.text()).toContain('#cf222e');
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it.each([390, 1400])('words the page in Chinese at %i px when the config says zh-CN', async (width) => {
    const { url } = await start({ locale: 'zh-CN', overall: { ...baseState().overall, headline: '所有系统运行正常' } });
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 10_000 }).toBe('zh-CN');
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('正常 · hcguard hcguard-test');
    expect(await page.locator('h2').allTextContents()).toEqual([
      '站点与环节',
      '可用率',
      '路由',
      '群众访问',
      '未恢复事件',
      '最近 24 小时的事件',
      '沙箱故障注入',
      '演练',
    ]);
    expect(await page.locator('[data-target="primary/verification"] .badge').textContent()).toBe('正常');
    expect(await page.locator('#targets tbody th').allTextContents()).toEqual(['核验', '采集', '传输']);
    expect(await page.locator('#banner-headline').textContent()).toBe('所有系统运行正常');
    expect(await page.locator('select[name="site"] option').allTextContents()).toEqual(['主站点', '备用站点']);
    expect(await page.locator('input[name="forSeconds"]').getAttribute('placeholder')).toBe('直到清除');
    const text = await page.locator('body').innerText();
    for (const english of ['Sites and stages', 'healthy', 'Open incidents', 'probe rounds', 'since ', 'Start drill'])
      expect(text, english).not.toContain(english);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/status-${width}-zh-CN.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
