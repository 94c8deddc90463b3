import { describe, expect, it } from 'vitest';
import { renderDrillHtml } from '../../../lambdas/core/drill/report-html.ts';
import { renderDrillMarkdown } from '../../../lambdas/core/drill/report-markdown.ts';
import { buildReportModel, drillJson, zoomViews } from '../../../lambdas/core/drill/report-model.ts';
import { renderTimelineSvg } from '../../../lambdas/core/drill/timeline-svg.ts';
import { drillResults, finishedDrill, impactSamples, reportConfig } from './report-fixtures.ts';

const input = () => ({
  drill: finishedDrill(),
  config: reportConfig,
  results: drillResults(),
  impact: impactSamples(),
  generatedAt: new Date('2026-11-20T02:05:00Z'),
});
const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('the Markdown report', () => {
  const markdown = renderDrillMarkdown(input(), { htmlFile: 'drill.html' });

  it('measures every step against its objective', () => {
    for (const row of [
      '| Time to detect (fault → incident) | 11 s | ≤ 20 s | ✅ pass |',
      '| Time to notify (incident → alert delivered) | 700 ms | ≤ 10 s | ✅ pass |',
      '| Time to acknowledge (alert → ack) | 26 s | ≤ 1 min | ✅ pass |',
      '| Time to switch (incident → Route 53 INSYNC) | 9.5 s | ≤ 2 min * | ✅ pass |',
      '| Recovery time, RTO (fault → backup serving) | 25 s | ≤ 1 min | ✅ pass |',
      '| Records written during the drill | 40 |  |  |',
      '| Records lost (RPO) | 2 | ≤ 0 | ❌ fail |',
      '| Records duplicated | 0 |  |  |',
    ]) {
      expect(markdown).toContain(row);
    }
    expect(markdown).toContain(
      'Objectives marked * are not set in drills.objectives; they are what the settings promise: ' +
        'time to switch ≤ 2 min (failover.insyncTimeoutSeconds).',
    );
  });

  it("names the scenario, who started it, the timeline in the config's time zone, and the impact on citizens", () => {
    expect(markdown).toContain('# Drill drill-20261120-0200-ab12: verification-outage');
    expect(markdown).toContain('- **Started by:** operator:alice');
    expect(markdown).toContain('- **Started:** 2026-11-20 10:00:00 Asia/Shanghai (02:00:00 UTC)');
    expect(markdown).toContain('| 10:00:22 | +22 s | switched to backup |');
    expect(markdown).toContain(
      'Citizens (traffic simulator): 95 of 620 verification requests failed; outage window 25 s.',
    );
    expect(markdown).toContain('see [drill.html](drill.html)');
  });

  it('lists findings most serious first, each with its revision', () => {
    const findings = markdown.slice(markdown.indexOf('## Findings'));
    expect(findings.indexOf('[critical] Records lost')).toBeLessThan(
      findings.indexOf('[warning] Nobody subscribes to SEV1'),
    );
    expect(findings).toContain('  - *Revise:* Replicate the backup back to the primary');
  });

  it('keeps table cells intact when details contain pipes', () => {
    const drill = finishedDrill();
    const piped = {
      ...drill,
      phases: drill.phases.map((phase) => (phase.name === 'notify' ? { ...phase, detail: 'a | b' } : phase)),
    };
    expect(renderDrillMarkdown({ ...input(), drill: piped })).toContain('| a \\| b |');
  });
});

describe('the HTML report', () => {
  const html = renderDrillHtml(input());

  it('is one self-contained page: no script, no external asset', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\bsrc=/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(count(html, /<svg/g)).toBe(1);
  });

  it('escapes what it shows', () => {
    expect(html).toContain('healthy &lt;fresh&gt;');
    expect(html).not.toContain('healthy <fresh>');
  });

  it('shows every metric, phase and finding', () => {
    expect(count(html, /<tr><td>Time to |<tr><td>Records |<tr><td>Recovery time/g)).toBe(8);
    for (const phase of ['preflight', 'inject', 'identify', 'notify', 'decide', 'activate', 'restore', 'summary'])
      expect(html).toContain(`<tr><td>${phase}</td>`);
    expect(html).toContain('<li class="critical"><strong>[critical] Records lost (RPO not met)</strong>');
  });
});

describe('the SVG timeline', () => {
  const model = buildReportModel(input());
  const svg = renderTimelineSvg(model);

  it('draws each phase, the fault window and a numbered marker per event', () => {
    expect(count(svg, /<g class="phase">/g)).toBe(8);
    expect(count(svg, /class="fault-window"/g)).toBe(1);
    expect(count(svg, /<g class="event">/g)).toBe(model.events.length);
    expect(model.events.map((event) => event.kind)).toEqual([
      'fault',
      'detect',
      'alert',
      'switch',
      'switch',
      'serving',
      'ack',
      'clear',
      'clear',
      'failback',
      'restored',
    ]);
  });

  it("plots latency per site, failed probes of the faulted site only, and the citizens' failures", () => {
    expect(count(svg, /class="latency-primary"/g)).toBe(1);
    expect(count(svg, /class="latency-backup"/g)).toBe(1);
    expect(count(svg, /class="failures-primary"/g)).toBeGreaterThan(0);
    expect(count(svg, /class="failures-backup"/g)).toBe(0);
    expect(count(svg, /class="citizens"/g)).toBe(1);
  });

  it('places the fault window between injection and clearing', () => {
    const window = /class="fault-window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    const left = 132;
    const plot = 960 - 132 - 24;
    expect(Number(window?.[1])).toBeCloseTo(left + (1.5 / 150) * plot, 0);
    expect(Number(window?.[2])).toBeCloseTo(((45 - 1.5) / 150) * plot, 0);
  });
});

describe('--json', () => {
  it('has exactly the documented shape', () => {
    const json = drillJson(finishedDrill(), 'reports/drill-20261120-0200-ab12.html');
    expect(Object.keys(json)).toEqual(['id', 'scenario', 'outcome', 'phases', 'metrics', 'reportPath']);
    expect(json.phases[0]).toEqual({
      name: 'preflight',
      startedAt: '2026-11-20T02:00:00.000Z',
      endedAt: '2026-11-20T02:00:01.000Z',
      outcome: 'passed',
    });
    expect(Object.keys(json.metrics)).toEqual([
      'detectMs',
      'notifyMs',
      'ackMs',
      'switchMs',
      'rtoMs',
      'recordsWritten',
      'recordsLost',
      'recordsDuplicated',
    ]);
    expect(json).toMatchObject({
      id: 'drill-20261120-0200-ab12',
      scenario: 'verification-outage',
      outcome: 'failed',
      reportPath: 'reports/drill-20261120-0200-ab12.html',
    });
  });
});

describe('where the timeline zooms', () => {
  const T = Date.parse('2026-11-20T02:00:00Z');
  const events = (...seconds: number[]) =>
    seconds.map((s) => ({ at: new Date(T + s * 1000).toISOString(), label: `at ${s}`, kind: 'detect' as const }));
  const window = (seconds: number) => ({ from: T, to: T + seconds * 1000 });
  const views = (seconds: number[], span: number) =>
    zoomViews(events(...seconds), window(span)).map((view) => ({
      from: (view.from - T) / 1000,
      to: (view.to - T) / 1000,
      events: view.events,
    }));

  it.each([
    { why: 'events spread over the drill: no zoom', seconds: [10, 40, 70, 100, 130], span: 150, expected: [] },
    {
      why: 'a burst, then a five-minute wait for failback: the burst, padded by a tenth (at least 1 s)',
      seconds: [2, 14, 15, 22, 26],
      span: 420,
      expected: [{ from: 0, to: 28.4, events: [0, 1, 2, 3, 4] }],
    },
    {
      why: 'two bursts: one zoom each; a lone event is not zoomed',
      seconds: [2, 14, 20, 200, 380, 392, 400],
      span: 420,
      expected: [
        { from: 0.2, to: 21.8, events: [0, 1, 2] },
        { from: 378, to: 402, events: [4, 5, 6] },
      ],
    },
  ])('$why', ({ seconds, span, expected }) => {
    expect(views(seconds, span)).toEqual(expected);
  });
});

describe('what held the drill up', () => {
  const withWaits = () => {
    const drill = finishedDrill();
    return {
      ...input(),
      drill: {
        ...drill,
        waits: [
          {
            kind: 'failback-refused' as const,
            subject: 'failback to the primary',
            reason: 'dwell: next switch allowed after 2026-11-20T02:01:22Z',
            from: '2026-11-20T02:00:57Z',
            endedAt: '2026-11-20T02:02:00Z',
          },
          {
            kind: 'flap-hold' as const,
            subject: 'primary/verification',
            reason: '4 health changes within 10 min (flap limit 4): held at failing',
            from: '2026-11-20T02:00:50Z',
            until: '2026-11-20T02:08:00Z',
          },
        ],
      },
    };
  };

  it('lists each wait with when it began, how long it took and why, open ones "so far"', () => {
    const markdown = renderDrillMarkdown(withWaits());
    expect(markdown).toContain(
      '| +50 s | 1 min 40 s so far (held until 2026-11-20T02:08:00Z) | flap hold | primary/verification | ' +
        '4 health changes within 10 min (flap limit 4): held at failing |',
    );
    expect(markdown).toContain(
      '| +57 s | 1 min 3 s | failback refused | failback to the primary | ' +
        'dwell: next switch allowed after 2026-11-20T02:01:22Z |',
    );
    expect(renderDrillMarkdown(input())).toContain(
      'Nothing held the drill up: no flap hold, refusal or stop condition.',
    );
  });

  it('a stop condition is a wait too: from the stop to the end of the restore', () => {
    const base = input();
    const rows = buildReportModel({
      ...base,
      drill: {
        ...base.drill,
        abort: { code: 'time-limit', reason: 'ran too long', at: '2026-11-20T02:01:00Z', phase: 'activate' },
      },
    }).waits;
    expect(rows).toContainEqual(
      expect.objectContaining({ label: 'stop condition: restoring', subject: 'activate', took: '1 min 29 s' }),
    );
  });

  it('draws the waits on the timeline, each with its reason on hover', () => {
    const svg = renderTimelineSvg(buildReportModel(withWaits()));
    expect(count(svg, /<rect class="wait"/g)).toBe(2);
    expect(svg).toContain('<title>failback refused (failback to the primary), 1 min 3 s: dwell:');
  });
});

describe('the report in Chinese', () => {
  const zh = () => ({ ...input(), config: { ...reportConfig, locale: 'zh-CN' as const } });
  const markdown = renderDrillMarkdown(zh(), { htmlFile: 'drill.html' });
  const html = renderDrillHtml(zh());

  it('words headings, facts, metrics and results from the zh-CN catalogue', () => {
    expect(markdown).toContain('# 演练 drill-20261120-0200-ab12：verification-outage');
    expect(markdown).toContain('| 指标 | 测得 | 目标 | 结论 |');
    expect(markdown).toContain('| 发现用时（故障 → 事件） | 11 s | ≤ 20 s | ✅ 达标 |');
    expect(markdown).toContain('| 丢失的记录（RPO） | 2 | ≤ 0 | ❌ 未达标 |');
    expect(markdown).toContain('- **发起人:** ');
    expect(markdown).toContain('## 发现与预案修订建议');
    expect(markdown).toContain('群众访问（流量模拟）：620 次核验请求中 95 次失败；中断时长 25 s。');
    expect(markdown).not.toMatch(/\{\{|report\.[a-z]/);
  });

  it('says its language to the browser and keeps the CSS classes the same', () => {
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<h2>测量结果与目标</h2>');
    expect(html).toContain('<span class="badge pass">达标</span>');
    expect(html).toContain('<span class="badge fail">未达标</span>');
    expect(html).not.toMatch(/\{\{|report\.[a-z]/);
    for (const english of ['Measurements against objectives', 'Phases</h2>', 'Report generated'])
      expect(html).not.toContain(english);
  });
});
