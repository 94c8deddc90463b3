// The drill report as Markdown: for a ticket, a wiki page or a pull request revising the plan.
// The chart lives in the HTML report; here the timeline is a table. Pure.
import { formatDuration } from './state.ts';
import {
  buildReportModel,
  dataSummary,
  offset,
  resultWord,
  waitTook,
  type MetricRow,
  type ReportInput,
} from './report-model.ts';
import type { Catalogue } from '../i18n/catalogue.ts';
import { wordsFor } from '../i18n/index.ts';
import { formatClock, formatLocal } from '../time.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const STATUS_MARK: Readonly<Record<string, string>> = { pass: '✅', fail: '❌', 'not measured': '➖' };

export const renderDrillMarkdown = (input: ReportInput, options: { readonly htmlFile?: string } = {}): string => {
  const model = buildReportModel(input);
  const { drill, config } = input;
  const words = wordsFor(config.locale);
  const heading = (key: keyof Catalogue['report']['heading']) => `## ${words.t(`report.heading.${key}`)}`;
  const head = (...keys: (keyof Catalogue['report']['column'])[]) => [
    `| ${keys.map((key) => words.t(`report.column.${key}`)).join(' | ')} |`,
    `|${'---|'.repeat(keys.length)}`,
  ];
  const status = (value: MetricRow['status']) =>
    value === '' ? '' : `${STATUS_MARK[value]} ${resultWord(value, words)}`;
  const lines: string[] = [`# ${model.title}`, '', drill.description, ''];
  for (const [name, value] of model.facts) lines.push(`- **${name}:** ${value}`);
  if (options.htmlFile) {
    const link = `[${options.htmlFile}](${options.htmlFile})`;
    lines.push(`- **${words.t('report.fact.chart')}:** ${words.t('report.chartLink', { link })}`);
  }
  lines.push('', heading('measurementsShort'), '', ...head('metric', 'measured', 'objective', 'result'));
  for (const row of model.metricRows)
    lines.push(
      `| ${cell(row.label)} | ${row.value}${row.note ? ` (${cell(row.note)})` : ''} | ${row.objective} | ` +
        `${status(row.status)} |`,
    );
  if (model.derivedNote) lines.push('', model.derivedNote);
  if (model.impact) {
    lines.push(
      '',
      words.t('report.citizens', {
        failed: model.impact.failed,
        requests: model.impact.requests,
        outage: formatDuration(model.impact.outageMs),
      }),
    );
  }
  lines.push(
    '',
    heading('timeline'),
    '',
    `| ${words.t('report.column.when', { zone: config.timeZone })} | ${words.t('report.column.sinceStart')} | ` +
      `${words.t('report.column.event')} |`,
    '|---|---|---|',
  );
  for (const event of model.events)
    lines.push(
      `| ${formatClock(new Date(event.at), config.timeZone, false)} | ` +
        `${offset(model, event.at)} | ${cell(event.label)} |`,
    );
  lines.push('', heading('waits'), '');
  if (model.waits.length === 0) lines.push(words.t('report.noWaits'));
  else {
    lines.push(...head('from', 'took', 'wait', 'on', 'why'));
    for (const wait of model.waits)
      lines.push(
        `| ${offset(model, wait.from)} | ${waitTook(wait)} | ${wait.label} | ` +
          `${cell(wait.subject)} | ${cell(wait.reason)} |`,
      );
  }
  lines.push('', heading('phases'), '', ...head('phase', 'outcome', 'started', 'took', 'detail'));
  for (const phase of model.phases) {
    lines.push(
      `| ${phase.name} | ${phase.outcome} | ` +
        `${phase.startedAt ? offset(model, phase.startedAt) : ''} | ` +
        `${phase.took ?? ''} | ` +
        `${cell(phase.detail)} |`,
    );
  }
  if (model.progress.length) {
    lines.push('', heading('progress'), '', ...head('sinceStart', 'phase', 'showed'));
    for (const note of model.progress)
      lines.push(`| ${offset(model, note.at)} | ${note.phase} | ${cell(note.detail)} |`);
  }
  const checks = drill.phases.flatMap((phase) => phase.checks.map((check) => ({ phase: phase.name, check })));
  if (checks.length) {
    lines.push('', heading('checks'), '', ...head('phase', 'check', 'result', 'detail'));
    for (const { phase, check } of checks)
      lines.push(
        `| ${phase} | ${cell(check.name)} | ` +
          `${check.ok ? 'ok' : check.required ? 'FAILED' : 'warning'} | ` +
          `${cell(check.detail)} |`,
      );
  }
  lines.push('', heading('dataShort'), '', dataSummary(drill));
  lines.push('', heading('findings'), '');
  if (model.findings.length === 0) lines.push(words.t('report.noFindings'));
  for (const finding of model.findings) {
    lines.push(`- **[${finding.level}] ${finding.title}.** ${finding.detail}`);
    if (finding.revision) lines.push(`  - *${words.t('report.revise')}:* ${finding.revision}`);
  }
  if (drill.alerts.length) {
    lines.push('', heading('alerts'), '', ...head('delivered', 'alert', 'kind', 'severity', 'incident'));
    for (const alert of drill.alerts)
      lines.push(
        `| ${offset(model, alert.deliveredAt)} | ${cell(alert.alertId)} | ${alert.kind} ` +
          `| ${alert.severity} | ${alert.incidentId ?? ''} |`,
      );
  }
  lines.push(
    '',
    `*${words.t('report.footer', {
      when: formatLocal(input.generatedAt.toISOString(), config.timeZone),
      stack: config.name,
    })}*`,
    '',
  );
  return lines.join('\n');
};
