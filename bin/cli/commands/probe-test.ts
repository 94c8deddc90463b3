// `hcguard probe test <probe-id>`: runs one probe once against one site and prints every step —
// the request as sent and the response as received (secrets, identities and sensitive values
// masked), each check with pass or fail and the values compared, each capture. This is how a
// probe for a new platform is written. Exit 0 when the probe passed, 1 when it failed.
import { Option, type Command } from 'commander';
import type { StepObservation } from '../../../lambdas/app/probe-engine.ts';
import { stageBaseUrl } from '../../../lambdas/core/config.ts';
import { SITES, type Site } from '../../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult } from '../../../lambdas/core/model/probing.ts';
import { explainStep, type StepExplanation } from '../../../lambdas/core/probe/explain.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import { localProbeRunner, sandboxRuntimeFor } from '../probe-local.ts';

const BODY_CHARS = 300;
const VERBOSE_BODY_CHARS = 4_000;

const mark = (passed: boolean, skipped?: boolean): string => (skipped ? '-' : passed ? '✓' : '✗');

const indent = (text: string, by = '      '): string => text.replace(/\n/g, `\n${by}`);

export const formatExplanation = (
  result: ProbeResult,
  steps: readonly StepExplanation[],
  baseUrl: string,
  verbose: boolean,
): string => {
  const lines = [`probe ${result.probeId} on ${result.site} (${result.stage}, ${baseUrl})`, ''];
  steps.forEach((step, index) => {
    const attempts = step.attempts ? ` after ${step.attempts} attempts` : '';
    lines.push(`${index + 1}. ${step.step}: ${step.outcome}${attempts}`);
    lines.push(`   → ${step.request.method} ${step.request.url}`);
    const headers = Object.entries(step.request.headers);
    if (verbose) for (const [name, value] of headers) lines.push(`     ${name}: ${value}`);
    if (step.request.body !== undefined) lines.push(`     ${indent(step.request.body)}`);
    if ('failure' in step.response) {
      lines.push(`   ← no response after ${Math.round(step.response.durationMs)} ms: ${step.response.failure}`);
    } else {
      const response = step.response;
      lines.push(`   ← ${response.status} in ${response.durationMs} ms, ${response.bytes} bytes`);
      if (verbose) for (const [name, value] of Object.entries(response.headers)) lines.push(`     ${name}: ${value}`);
      if (response.body) lines.push(`     ${indent(response.body)}${response.truncated ? ' …' : ''}`);
    }
    for (const check of step.checks) {
      const compared = check.skipped
        ? ' (not judged: the step was already decided)'
        : check.passed
          ? check.actual !== undefined
            ? ` (got ${check.actual})`
            : ''
          : ` (expected ${check.expected ?? 'a value'}, got ${check.actual ?? '(absent)'})`;
      const operand = check.expected && check.passed ? ` ${check.expected}` : '';
      lines.push(`   ${mark(check.passed, check.skipped)} ${check.what}${operand}${compared}`);
    }
    for (const [name, value] of Object.entries(step.captures)) lines.push(`   = ${name} := ${value}`);
    if (step.message) lines.push(`   ${step.outcome === 'failed' ? 'failed' : 'note'}: ${step.message}`);
    lines.push('');
  });
  const verdict = result.failureClass ? `${result.outcome} (${result.failureClass})` : result.outcome;
  lines.push(`result: ${verdict} in ${result.durationMs} ms${result.message ? `: ${result.message}` : ''}`);
  for (const warning of result.warnings ?? []) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
};

export const registerProbeTestCommand = (probe: Command, context: CliContext): void => {
  probe
    .command('test <probe-id>')
    .description(
      'run one probe once against one site and print each step: request, response, checks and captures ' +
        '(secrets and identities masked); exit 1 when it failed',
    )
    .addOption(new Option('--site <site>', "the site to probe (default: the probe's first site)").choices(SITES))
    .option('--verbose', 'also print headers, and more of each body')
    .option('--json', 'print the steps and the result as one JSON object')
    .action(async (probeId: string, _options: unknown, command: Command) => {
      // `probe` has its own --site and --json, which Commander gives the parent: read them all.
      const options = command.optsWithGlobals<{ site?: Site; verbose?: boolean; json?: boolean }>();
      const config = await context.config();
      const definition = config.probes.find((candidate) => candidate.id === probeId);
      if (!definition)
        throw new UsageError(
          `no probe "${probeId}" in ${context.configPath()} (probes: ${config.probes.map((p) => p.id).join(', ')})`,
        );
      const site = options.site ?? definition.sites[0] ?? 'primary';
      if (!definition.sites.includes(site))
        throw new UsageError(`probe "${probeId}" does not run on ${site} (its sites: ${definition.sites.join(', ')})`);
      const single = { ...config, probes: [definition] };
      const explained: StepExplanation[] = [];
      const bodyChars = options.verbose ? VERBOSE_BODY_CHARS : BODY_CHARS;
      const observe = (observation: StepObservation) =>
        explained.push(explainStep({ ...observation, sensitive: definition.sensitive }, bodyChars));
      const runner = await localProbeRunner({
        config,
        probed: single,
        sites: [site],
        observe,
        runtime: sandboxRuntimeFor(context),
      });
      const [result] = await runner.probeAll({ sites: [site] });
      if (!result) throw new CommandFailed('the probe produced no result');
      const baseUrl = stageBaseUrl(config, site, definition.stage);
      context.out(
        options.json
          ? `${JSON.stringify({ result, steps: explained }, null, 2)}\n`
          : formatExplanation(result, explained, baseUrl, options.verbose ?? false),
      );
      if (result.outcome === 'failed')
        throw new CommandFailed(`probe ${probeId} failed on ${site} (${result.failureClass ?? 'failed'})`);
    });
};
