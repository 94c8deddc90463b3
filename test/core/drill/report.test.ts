import { describe, expect, it } from 'vitest';
import { renderDrillHtml } from '../../../lambdas/core/drill/report-html.ts';
import { renderDrillMarkdown } from '../../../lambdas/core/drill/report-markdown.ts';
import { buildReportModel, drillJson } from '../../../lambdas/core/drill/report-model.ts';
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
      '**Citizens (traffic simulator):** 95 of 620 verification requests failed; outage window 25 s.',
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
