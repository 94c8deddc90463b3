// `hcguard probe --once`: one round of every configured probe against the config's sites, from
// this machine, printed as a table (or one JSON array). Exit 0 when every probe is ok or
// degraded, 1 when any failed, 2 for bad config or usage (a secret that cannot be read counts).
// Transmission sequence numbers persist in .hcguard/probe-sequences.json, so a record lost
// between two runs is found by the second one.
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { SITES, type Site } from '../../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult } from '../../../lambdas/core/model/probing.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import { registerProbeTestCommand } from './probe-test.ts';
import { localProbeRunner, sandboxRuntimeFor } from '../probe-local.ts';

const MESSAGE_WIDTH = 100;

const shorten = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** The results as a table a human reads at a glance. */
export const formatResultsTable = (results: readonly ProbeResult[]): string => {
  const table = new Table({
    head: ['probe', 'site', 'stage', 'outcome', 'failure', 'duration', 'message'],
    style: { head: [], border: [], compact: true },
  });
  for (const result of results) {
    table.push([
      result.probeId,
      result.site,
      result.stage,
      result.outcome,
      result.failureClass ?? '-',
      `${result.durationMs} ms`,
      shorten(result.message ?? (result.warnings?.length ? `warning: ${result.warnings[0]}` : ''), MESSAGE_WIDTH),
    ]);
  }
  return `${table.toString()}\n`;
};

export const registerProbeCommand = (program: Command, context: CliContext): void => {
  const probe = program.command('probe');
  registerProbeTestCommand(probe, context);
  probe
    .description(
      "run one round of the config's probes against its sites from this machine and " +
        'print the results (exit 1 when any probe failed)',
    )
    .option(
      '--once',
      "run one round and exit (continuous probing is the scheduler's job: `npm start` or the deployed Lambda)",
    )
    .addOption(new Option('--site <site>', 'probe only this site').choices(SITES))
    .option('--json', 'print one JSON array of results instead of a table')
    .action(async (options: { once?: boolean; site?: Site; json?: boolean }) => {
      if (!options.once) throw new UsageError('hcguard probe runs a single round: pass --once');
      const config = await context.config();
      const sites: readonly Site[] = options.site ? [options.site] : SITES;
      const runner = await localProbeRunner({ config, sites, runtime: sandboxRuntimeFor(context) });
      const results = await runner.probeAll({ sites });
      context.out(options.json ? `${JSON.stringify(results, null, 2)}\n` : formatResultsTable(results));
      const failed = results.filter((result) => result.outcome === 'failed');
      if (failed.length) {
        const which = failed.map((result) => `${result.probeId}@${result.site} (${result.failureClass ?? 'failed'})`);
        throw new CommandFailed(`${failed.length} of ${results.length} probes failed: ${which.join(', ')}`);
      }
    });
};
