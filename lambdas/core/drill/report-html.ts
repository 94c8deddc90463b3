// The drill report as one self-contained HTML page: inline CSS, the timeline as inline SVG, no
// script and no external asset, so it opens anywhere, prints, and can be mailed as one file. Pure.
import { formatDuration } from './state.ts';
import { buildReportModel, dataSummary, offset, resultWord, waitTook, type ReportInput } from './report-model.ts';
import type { Catalogue } from '../i18n/catalogue.ts';
import { wordsFor } from '../i18n/index.ts';
import { formatClock, formatLocal } from '../time.ts';
import { escapeXml as escape, renderTimelineSvg } from './timeline-svg.ts';

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; color: #1a202c; background: #f7fafc;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
}
main { max-width: 1010px; margin: 0 auto; padding: 24px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 22px; margin: 0; }
h3 { font-size: 14px; margin: 16px 0 6px; color: #4a5568; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
.badge {
  display: inline-block; padding: 2px 10px; border-radius: 12px;
  font-weight: 700; font-size: 13px; text-transform: uppercase; letter-spacing: .03em;
}
.passed, .pass { background: #c6f6d5; color: #22543d; }
.failed, .fail, .refused { background: #fed7d7; color: #822727; }
.aborted { background: #feebc8; color: #7b341e; }
.running, .skipped, .not-measured, .not-reached { background: #edf2f7; color: #2d3748; }
.description { color: #4a5568; margin: 8px 0 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { font-weight: 600; color: #4a5568; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
th { background: #edf2f7; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
p.note { color: #4a5568; font-size: 13px; }
td .note { white-space: normal; color: #718096; font-size: 12px; max-width: 28em; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 12px 16px; }
.chart { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px; overflow-x: auto; }
ul.findings { list-style: none; padding: 0; margin: 0; }
ul.findings li {
  background: #fff; border: 1px solid #e2e8f0; border-left: 5px solid #a0aec0; border-radius: 4px;
  padding: 8px 12px; margin-bottom: 8px;
}
ul.findings li.critical { border-left-color: #c53030; }
ul.findings li.warning { border-left-color: #dd6b20; }
ul.findings li.info { border-left-color: #3182ce; }
.revision { margin-top: 4px; color: #22543d; }
.revision strong { margin-right: 4px; }
footer { color: #718096; font-size: 12px; margin-top: 28px; }
@media (max-width: 640px) {
  main { padding: 12px; }
  table { display: block; overflow-x: auto; }
  th, td { padding: 4px 6px; }
  td.num { white-space: normal; }
}
@media print { body { background: #fff; } .chart, .card, table { break-inside: avoid; } }
`;

const fact = (name: string, value: string): string => `<dt>${escape(name)}</dt><dd>${escape(value)}</dd>`;

/** The opening of a table with its header row; the rows follow, then `</tbody></table>`. */
const tableHead = (kind: string, headings: readonly string[]): string =>
  `<table class="${kind}"><thead><tr>${headings.map((heading) => `<th>${heading}</th>`).join('')}</tr></thead><tbody>`;

const className = (text: string): string => text.replace(/[^a-z]+/gi, '-').toLowerCase();

export const renderDrillHtml = (input: ReportInput): string => {
  const model = buildReportModel(input);
  const { drill, config } = input;
  const words = wordsFor(config.locale);
  const h = (key: keyof Catalogue['report']['heading']) => escape(words.t(`report.heading.${key}`));
  const cols = (...keys: (keyof Catalogue['report']['column'])[]) =>
    keys.map((key) => escape(words.t(`report.column.${key}`)));
  const clockOf = (at: number): string => formatClock(new Date(at), config.timeZone, false);
  const outcome = drill.status === 'running' ? 'running' : (drill.outcome ?? 'unknown');
  const rows = (cells: readonly string[][]) => cells.map((row) => `<tr>${row.join('')}</tr>`).join('\n');
  const td = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escape(text)}</td>`;
  const badge = (text: string, cls = className(text)) =>
    text ? `<span class="badge ${cls}">${escape(text)}</span>` : '';
  const html: string[] = [
    '<!doctype html>',
    `<html lang="${config.locale}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(model.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header><h1>${escape(model.title)}</h1>${badge(outcome)}` +
      `${drill.dryRun ? badge(words.t('report.dryRun'), 'dry-run') : ''}</header>`,
    `<p class="description">${escape(drill.description)}</p>`,
    `<div class="card"><dl class="facts">${model.facts.map(([name, value]) => fact(name, value)).join('')}</dl></div>`,
    `<h2>${h('measurements')}</h2>`,
    tableHead('metrics', cols('metric', 'measured', 'objective', 'result')),
    rows(
      model.metricRows.map((row) => [
        td(row.label),
        row.note
          ? `<td class="num">${escape(row.value)}<div class="note">${escape(row.note)}</div></td>`
          : td(row.value, 'num'),
        td(row.objective, 'num'),
        `<td>${badge(resultWord(row.status, words), className(row.status))}</td>`,
      ]),
    ),
    '</tbody></table>',
    ...(model.derivedNote ? [`<p class="note">${escape(model.derivedNote)}</p>`] : []),
  ];
  if (model.impact) {
    html.push(
      `<p class="card">${escape(
        words.t('report.citizens', {
          failed: model.impact.failed,
          requests: model.impact.requests,
          outage: formatDuration(model.impact.outageMs),
        }),
      )}</p>`,
    );
  }
  html.push(`<h2>${h('timeline')}</h2>`, `<div class="chart">${renderTimelineSvg(model)}</div>`);
  model.zooms.forEach((view, index) => {
    const first = (view.events[0] ?? 0) + 1;
    const last = (view.events[view.events.length - 1] ?? 0) + 1;
    html.push(
      `<h3>${escape(
        words.t('report.heading.zoom', { from: clockOf(view.from), to: clockOf(view.to), first, last }),
      )}</h3>`,
      `<div class="chart">${renderTimelineSvg(model, view, `zoom-${index + 1}`)}</div>`,
    );
  });
  html.push(
    tableHead('events', [
      '#',
      escape(words.t('report.column.when', { zone: config.timeZone })),
      ...cols('sinceStart', 'event'),
    ]),
    rows(
      model.events.map((event, index) => [
        td(String(index + 1), 'num'),
        td(formatClock(new Date(event.at), config.timeZone, false), 'num'),
        td(offset(model, event.at), 'num'),
        td(event.label),
      ]),
    ),
    '</tbody></table>',
    `<h2>${h('waits')}</h2>`,
    ...(model.waits.length
      ? [
          tableHead('waits', cols('from', 'took', 'wait', 'on', 'why')),
          rows(
            model.waits.map((wait) => [
              td(offset(model, wait.from), 'num'),
              td(waitTook(wait), 'num'),
              td(wait.label),
              td(wait.subject),
              td(wait.reason),
            ]),
          ),
          '</tbody></table>',
        ]
      : [`<p>${escape(words.t('report.noWaits'))}</p>`]),
    `<h2>${h('phases')}</h2>`,
    tableHead('phases', cols('phase', 'outcome', 'started', 'took', 'detail')),
    rows(
      model.phases.map((phase) => [
        td(phase.name),
        `<td>${badge(phase.outcome)}</td>`,
        td(phase.startedAt ? offset(model, phase.startedAt) : '', 'num'),
        td(phase.took ?? '', 'num'),
        td(phase.detail),
      ]),
    ),
    '</tbody></table>',
  );
  if (model.progress.length) {
    html.push(
      `<h2>${h('progress')}</h2>`,
      tableHead('progress', cols('sinceStart', 'phase', 'showed')),
      rows(model.progress.map((note) => [td(offset(model, note.at), 'num'), td(note.phase), td(note.detail)])),
      '</tbody></table>',
    );
  }
  const checks = drill.phases.flatMap((phase) => phase.checks.map((check) => ({ phase: phase.name, check })));
  if (checks.length) {
    html.push(
      `<h2>${h('checks')}</h2>`,
      tableHead('checks', cols('phase', 'check', 'result', 'detail')),
      rows(
        checks.map(({ phase, check }) => [
          td(phase),
          td(check.name),
          `<td>${badge(check.ok ? 'pass' : check.required ? 'fail' : 'warning')}</td>`,
          td(check.detail),
        ]),
      ),
      '</tbody></table>',
    );
  }
  html.push(`<h2>${h('data')}</h2>`, `<p class="card">${escape(dataSummary(drill))}</p>`, `<h2>${h('findings')}</h2>`);
  if (model.findings.length === 0) html.push(`<p>${escape(words.t('report.noFindings'))}</p>`);
  else {
    html.push(
      '<ul class="findings">',
      ...model.findings.map((finding) => {
        const title = `<strong>${escape(`[${finding.level}] ${finding.title}`)}</strong>`;
        const revision = finding.revision
          ? `<div class="revision"><strong>${escape(words.t('report.revise'))}:</strong>` +
            `${escape(finding.revision)}</div>`
          : '';
        return `<li class="${finding.level}">${title}<div>${escape(finding.detail)}</div>${revision}</li>`;
      }),
      '</ul>',
    );
  }
  if (drill.alerts.length) {
    html.push(
      `<h2>${h('alerts')}</h2>`,
      tableHead('alerts', cols('delivered', 'alert', 'kind', 'severity', 'incident')),
      rows(
        drill.alerts.map((alert) => [
          td(offset(model, alert.deliveredAt), 'num'),
          td(alert.alertId),
          td(alert.kind),
          td(alert.severity),
          td(alert.incidentId ?? ''),
        ]),
      ),
      '</tbody></table>',
    );
  }
  html.push(
    `<footer>${escape(
      words.t('report.footer', {
        when: formatLocal(input.generatedAt.toISOString(), config.timeZone),
        stack: config.name,
      }),
    )}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  );
  return html.join('\n');
};
