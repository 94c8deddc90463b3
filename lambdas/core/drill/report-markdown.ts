// The drill report as Markdown: for a ticket, a wiki page or a pull request revising the plan.
// The chart lives in the HTML report; here the timeline is a table. Pure.
import { formatDuration } from './state.ts';
import { buildReportModel, dataSummary, offset, waitTook, type ReportInput } from './report-model.ts';
import { formatClock, formatLocal } from '../time.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const STATUS: Readonly<Record<string, string>> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'not measured': '➖ not measured',
  '': '',
};

export const renderDrillMarkdown = (input: ReportInput, options: { readonly htmlFile?: string } = {}): string => {
  const model = buildReportModel(input);
  const { drill, config } = input;
  const lines: string[] = [`# ${model.title}`, '', drill.description, ''];
  for (const [name, value] of model.facts) lines.push(`- **${name}:** ${value}`);
  if (options.htmlFile)
    lines.push(`- **Chart:** see [${options.htmlFile}](${options.htmlFile}) for the timeline chart`);
  lines.push('', '## Measurements', '', '| Metric | Measured | Objective | Result |', '|---|---|---|---|');
  for (const row of model.metricRows)
    lines.push(
      `| ${cell(row.label)} | ${row.value}${row.note ? ` (${cell(row.note)})` : ''} | ${row.objective} | ` +
        `${STATUS[row.status] ?? row.status} |`,
    );
  if (model.derivedNote) lines.push('', model.derivedNote);
  if (model.impact) {
    lines.push(
      '',
      `**Citizens (traffic simulator):** ${model.impact.failed} of ` +
        `${model.impact.requests} verification requests failed; outage window ` +
        `${formatDuration(model.impact.outageMs)}.`,
    );
  }
  lines.push('', '## Timeline', '', `| When (${config.timeZone}) | Since start | Event |`, '|---|---|---|');
  for (const event of model.events)
    lines.push(
      `| ${formatClock(new Date(event.at), config.timeZone, false)} | ` +
        `${offset(model, event.at)} | ${cell(event.label)} |`,
    );
  lines.push('', '## Waits', '');
  if (model.waits.length === 0) lines.push('Nothing held the drill up: no flap hold, refusal or stop condition.');
  else {
    lines.push('| From | Took | Wait | On | Why |', '|---|---|---|---|---|');
    for (const wait of model.waits)
      lines.push(
        `| ${offset(model, wait.from)} | ${waitTook(wait)} | ${wait.label} | ` +
          `${cell(wait.subject)} | ${cell(wait.reason)} |`,
      );
  }
  lines.push('', '## Phases', '', '| Phase | Outcome | Started | Took | Detail |', '|---|---|---|---|---|');
  for (const phase of model.phases) {
    lines.push(
      `| ${phase.name} | ${phase.outcome} | ` +
        `${phase.startedAt ? offset(model, phase.startedAt) : ''} | ` +
        `${phase.took ?? ''} | ` +
        `${cell(phase.detail)} |`,
    );
  }
  if (model.progress.length) {
    lines.push('', '## Progress', '', '| Since start | Phase | What it showed |', '|---|---|---|');
    for (const note of model.progress)
      lines.push(`| ${offset(model, note.at)} | ${note.phase} | ${cell(note.detail)} |`);
  }
  const checks = drill.phases.flatMap((phase) => phase.checks.map((check) => ({ phase: phase.name, check })));
  if (checks.length) {
    lines.push('', '## Checks', '', '| Phase | Check | Result | Detail |', '|---|---|---|---|');
    for (const { phase, check } of checks)
      lines.push(
        `| ${phase} | ${cell(check.name)} | ` +
          `${check.ok ? 'ok' : check.required ? 'FAILED' : 'warning'} | ` +
          `${cell(check.detail)} |`,
      );
  }
  lines.push('', '## Data (RPO)', '', dataSummary(drill));
  lines.push('', '## Findings and plan revisions', '');
  if (model.findings.length === 0) lines.push('No findings: every step met its objective.');
  for (const finding of model.findings) {
    lines.push(`- **[${finding.level}] ${finding.title}.** ${finding.detail}`);
    if (finding.revision) lines.push(`  - *Revise:* ${finding.revision}`);
  }
  if (drill.alerts.length) {
    lines.push(
      '',
      '## Alerts read back from the audit queue',
      '',
      '| Delivered | Alert | Kind | Severity | Incident |',
      '|---|---|---|---|---|',
    );
    for (const alert of drill.alerts)
      lines.push(
        `| ${offset(model, alert.deliveredAt)} | ${cell(alert.alertId)} | ${alert.kind} ` +
          `| ${alert.severity} | ${alert.incidentId ?? ''} |`,
      );
  }
  lines.push(
    '',
    `*Report generated ` +
      `${formatLocal(input.generatedAt.toISOString(), config.timeZone)} by hcguard ` +
      `(stack ${config.name}).*`,
    '',
  );
  return lines.join('\n');
};
