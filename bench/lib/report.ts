// Benchmark sections render to Markdown: readable in a terminal as printed, and committed as
// bench/results.md.
import { execFileSync } from 'node:child_process';
import { cpus, freemem, release, totalmem, type } from 'node:os';

export interface SectionResult {
  /** Markdown blocks in order: tables, paragraphs, lists. */
  readonly blocks: readonly string[];
  /** One-line findings for the summary at the top of the report. */
  readonly headlines?: readonly string[];
}

export type BenchMode = 'quick' | 'full';

export interface BenchSection {
  readonly id: string;
  readonly title: string;
  /** Its figures do not depend on timing (counts): `--quick` runs it alongside the others. */
  readonly timingFree?: boolean;
  run(mode: BenchMode): Promise<SectionResult>;
}

const escapeCell = (cell: string): string => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export const markdownTable = (
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string => {
  const widths = head.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => escapeCell(row[column] ?? '').length), 3),
  );
  const pad = (cell: string, column: number) =>
    (align?.[column] ?? 'l') === 'r'
      ? escapeCell(cell).padStart(widths[column] ?? 3)
      : escapeCell(cell).padEnd(widths[column] ?? 3);
  const rule = widths.map((width, column) =>
    (align?.[column] ?? 'l') === 'r' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
  );
  return [
    `| ${head.map(pad).join(' | ')} |`,
    `| ${rule.join(' | ')} |`,
    ...rows.map((row) => `| ${head.map((_, column) => pad(row[column] ?? '', column)).join(' | ')} |`),
  ].join('\n');
};

const commandVersion = (command: string, args: readonly string[]): string | undefined => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
};

/** What the figures were measured on: they mean little without it. */
export const describeMachine = (): string[] => {
  const processors = cpus();
  // moto_server has no --version; ask the Python that has moto installed.
  const motoVersion = commandVersion('python3', ['-c', 'import moto; print(moto.__version__)']);
  const moto = motoVersion ? `moto ${motoVersion}` : undefined;
  return [
    `${processors.length} logical CPU(s): ${processors[0]?.model.trim() ?? 'unknown model'}`,
    `memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB (${(freemem() / 1024 ** 3).toFixed(1)} GiB free at the start)`,
    `${type()} ${release()}, Node.js ${process.version}${moto ? `, ${moto}` : ''}`,
  ];
};
