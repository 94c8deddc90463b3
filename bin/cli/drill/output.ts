// What `hcguard drill` prints as a drill runs, and the report files it writes.
import type { DrillRecord, PhaseRecord } from '../../../lambdas/core/drill/model.ts';
import type { DrillReport } from '../../../lambdas/app/drill/types.ts';
import { drillJson } from '../../../lambdas/core/drill/report-model.ts';
import { evaluateObjectives } from '../../../lambdas/core/drill/metrics.ts';
import { formatMeasured, gist, phaseTook } from '../../../lambdas/core/drill/state.ts';
import { isAbsolute, join, relative } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';

// ---------------------------------------------------------------- printing

const SYMBOLS: Readonly<Record<PhaseRecord['outcome'], string>> = {
  running: '→',
  passed: '✓',
  failed: '✗',
  skipped: '–',
  aborted: '!',
};

/** Prints each phase as it starts and ends, and what it waits for when that changes. */
export const phasePrinter = (write: (text: string) => void) => {
  const printed = new Map<number, { outcome: string; gist: string }>();
  return (drill: DrillRecord): void => {
    if (printed.size === 0)
      write(`drill ${drill.id}: ${drill.scenario}${drill.dryRun ? ' (dry run)' : ''}, started by ${drill.startedBy}\n`);
    for (const phase of drill.phases) {
      const seen = printed.get(phase.index);
      if (seen && seen.outcome === phase.outcome && (phase.outcome !== 'running' || seen.gist === gist(phase.detail)))
        continue;
      const took = phaseTook(phase);
      write(
        `  ${SYMBOLS[phase.outcome]} ${phase.name.padEnd(9)} ` +
          `${phase.outcome === 'running' ? '' : `${phase.outcome}${took ? ` (${took})` : ''}: `}${phase.detail}\n`,
      );
      // What a failed or warned check found, under the phase that ran it, each by its name.
      if (phase.outcome !== 'running')
        for (const check of phase.checks.filter((entry) => !entry.ok))
          write(`      ${check.required ? '✗' : '!'} ${check.name}: ${check.detail}\n`);
      printed.set(phase.index, { outcome: phase.outcome, gist: gist(phase.detail) });
    }
  };
};

export const metricsLine = (drill: DrillRecord): string => {
  const metrics = drillJson(drill).metrics;
  const time = (ms: number | null) => (ms === null ? '—' : formatMeasured(ms));
  const objectives = evaluateObjectives(drill)
    .map((result) => `${result.name} ${result.status}`)
    .join(', ');
  const records =
    metrics.recordsWritten === null
      ? 'records not measured'
      : `records ${metrics.recordsWritten} written, ${metrics.recordsLost ?? '—'} lost, ` +
        `${metrics.recordsDuplicated ?? '—'} duplicated`;
  return (
    `  detect ${time(metrics.detectMs)} · notify ${time(metrics.notifyMs)} · ack ` +
    `${time(metrics.ackMs)} · switch ${time(metrics.switchMs)} · RTO ` +
    `${time(metrics.rtoMs)} · ` +
    `${records}${objectives ? `\n  objectives: ${objectives}` : ''}`
  );
};

/** Writes reports/<id>.md and reports/<id>.html in the project folder (next to the config). */
export const writeReport = (report: DrillReport, projectFolder: string): { markdown: string; html: string } => {
  const folder = join(projectFolder, 'reports');
  mkdirSync(folder, { recursive: true });
  const markdown = join(folder, `${report.drill.id}.md`);
  const html = join(folder, `${report.drill.id}.html`);
  writeFileSync(markdown, report.markdown);
  writeFileSync(html, report.html);
  return { markdown, html };
};

export const shown = (path: string): string => {
  const relativePath = relative(process.cwd(), path);
  return relativePath && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : path;
};
