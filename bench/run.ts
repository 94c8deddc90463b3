// `npm run bench`: measures hcguard and writes bench/results.md. Figures are printed, never
// judged: nothing here fails on time. `--quick` runs every section small (under 2 minutes);
// `--only a,b` runs some sections; `--out FILE` writes the report elsewhere (a quick or partial
// run writes no report unless asked, so bench/results.md always holds a full run).
import { errorText } from '../lambdas/core/errors.ts';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, type BenchMode, type BenchSection, type SectionResult } from './lib/report.ts';
import type { HcguardFootprint } from '../lambdas/core/cost.ts';
import { awsCallsSection } from './sections/aws-calls.ts';
import { cliStartupSection } from './sections/cli-startup.ts';
import { costSection } from './sections/cost.ts';
import { latencySection } from './sections/latency.ts';
import { packagesSection } from './sections/packages.ts';
import { probeEngineSection } from './sections/probe-engine.ts';

const RESULTS = fileURLToPath(new URL('./results.md', import.meta.url));
// The SDK's notice about Node 22 says nothing about what is measured.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sections = (): BenchSection[] => {
  // The cost section prices the DynamoDB units the AWS-calls section measured, when it ran.
  const measured: { footprint?: HcguardFootprint } = {};
  return [
    latencySection,
    probeEngineSection,
    packagesSection,
    cliStartupSection,
    awsCallsSection(measured),
    costSection(() => measured.footprint),
  ];
};

const main = async (): Promise<number> => {
  const all = sections();
  const usage =
    `usage: npm run bench -- [--quick] [--only ` + `${all.map((section) => section.id).join(',')}] [--out FILE]\n`;
  let values: { quick?: boolean; only?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`bench: ${errorText(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const mode: BenchMode = values.quick ? 'quick' : 'full';
  const wanted = values.only
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const unknown = wanted?.filter((id) => !all.some((section) => section.id === id)) ?? [];
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown section(s) ${unknown.join(', ')}; known: ${all.map((section) => section.id).join(', ')}\n`,
    );
    return 2;
  }
  const chosen = wanted ? all.filter((section) => wanted.includes(section.id)) : all;
  const started = new Date();
  const machine = describeMachine();
  const parts: string[] = [
    '# hcguard benchmarks',
    '',
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm ` +
      `run bench${mode === 'quick' ? ' -- --quick' : ''}\` on:`,
    '',
    ...machine.map((line) => `- ${line}`),
    '',
  ];
  process.stdout.write(`${parts.join('\n')}\n`);
  let failed = 0;
  const headlines: string[] = [];
  const header = parts.length;
  // Quick runs start the timing-free sections at once, alongside the timed ones; full runs keep every section alone.
  const early = new Map<string, { started: number; result: Promise<SectionResult> }>();
  if (mode === 'quick') {
    for (const section of chosen.filter((candidate) => candidate.timingFree)) {
      const result = section.run(mode);
      result.catch(() => undefined);
      early.set(section.id, { started: performance.now(), result });
    }
  }
  for (const section of chosen) {
    const sectionStarted = early.get(section.id)?.started ?? performance.now();
    process.stderr.write(`bench: ${section.title}…\n`);
    let body: string;
    try {
      const result = await (early.get(section.id)?.result ?? section.run(mode));
      body = result.blocks.join('\n\n');
      headlines.push(...(result.headlines ?? []));
    } catch (error) {
      failed += 1;
      body = `Not measured: ${errorText(error)}`;
      if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    }
    const seconds = ((performance.now() - sectionStarted) / 1000).toFixed(0);
    const alongside = early.has(section.id) ? ', alongside the other sections' : '';
    const text = `## ${section.title}\n\n${body}\n\n_(section took ${seconds} s${alongside})_\n`;
    parts.push(text);
    process.stdout.write(`${text}\n`);
  }
  const total = ((Date.now() - started.getTime()) / 1000).toFixed(0);
  parts.push(`Whole run: ${total} s.\n`);
  const summary = `## Summary\n\n${headlines.map((line) => `- ${line}`).join('\n')}\n`;
  parts.splice(header, 0, summary);
  process.stdout.write(`${summary}\nWhole run: ${total} s.\n`);
  const out = values.out ?? (mode === 'full' && !wanted ? RESULTS : undefined);
  if (out) {
    writeFileSync(out, parts.join('\n'));
    process.stderr.write(`bench: wrote ${out}\n`);
  }
  return failed ? 1 : 0;
};

process.exitCode = await main();
