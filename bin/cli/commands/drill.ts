// `hcguard drill`, `hcguard drills`, `hcguard report`: failover drills from the command line.
//   hcguard drill --scenario <name> [--dry-run] [--yes] [--json]
//   hcguard drill --step notify|switch|restore [--dry-run] [--yes] [--json]
//   hcguard drill --resume <id> | --abort <id> [--reason …]
//   hcguard drills [--limit N] [--json]
//   hcguard report <drill-id>
// Against the local runtime or an emulator the drill runs in this process; against AWS the CLI
// invokes the operator Lambda in slices and prints the phases as they complete. A drill changes
// routing, so it asks first on a terminal and refuses without --yes elsewhere. Ctrl-C stops the
// drill: the fault is cleared and routing restored before the CLI exits.
import type { Actor, Severity } from '../../../lambdas/core/model/vocabulary.ts';
import { type AdvanceOptions, DrillInputError, type DrillReport } from '../../../lambdas/app/drill/types.ts';
import type { CliContext } from '../context.ts';
import { type Command, Option } from 'commander';
import { CommandFailed, UsageError } from '../errors.ts';
import { DRILL_STEPS, type DrillRecord, type DrillStepName } from '../../../lambdas/core/drill/model.ts';
import type { DrillRunner } from '../drill/runners.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import { NotFoundError, errorText } from '../../../lambdas/core/errors.ts';
import Table from 'cli-table3';
import type { Target } from '../target.ts';
import { createInterface } from 'node:readline/promises';
import { describeFault, findScenario, scenarioNames } from '../../../lambdas/core/drill/scenarios.ts';
import { dirname } from 'node:path';
import { setMaxListeners } from 'node:events';
import { drillJson } from '../../../lambdas/core/drill/report-model.ts';
import { formatLocal } from '../../../lambdas/core/time.ts';
import { formatDuration } from '../../../lambdas/core/drill/state.ts';
import { metricsLine, phasePrinter, shown, writeReport } from '../drill/output.ts';
import { operatorActor } from './routing.ts';

/** The runners load the AWS SDK: only a command that runs or reads a drill pays for it. */
const runnerFor = async (deps: DrillCommandDeps, config: HcguardConfig, target: Target): Promise<DrillRunner> =>
  (deps.runner ?? (await import('../drill/runners.ts')).defaultRunner)(config, target);

export interface DrillCommandDeps {
  /** Builds the runner for the target; in-process or the Lambda by default. */
  readonly runner?: (config: HcguardConfig, target: Target) => DrillRunner;
  /** Aborted on Ctrl-C; the command listens to SIGINT by default. */
  readonly interrupt?: AbortSignal;
  /** Asks the operator; undefined when there is no terminal to ask on. */
  readonly confirm?: ((question: string) => Promise<boolean>) | undefined;
}

const terminalConfirm = (): ((question: string) => Promise<boolean>) | undefined => {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await terminal.question(question)).trim());
    } finally {
      terminal.close();
    }
  };
};

// ---------------------------------------------------------------- the commands

export interface DrillOptions {
  readonly scenario?: string;
  readonly step?: DrillStepName;
  /** With the notify step: only these topics (`hcguard alerts test`). */
  readonly severities?: readonly Severity[];
  readonly resume?: string;
  readonly abort?: string;
  readonly reason?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
}

export const runDrillCommand = async (
  options: DrillOptions,
  context: CliContext,
  deps: DrillCommandDeps = {},
): Promise<void> => {
  const modes = (['scenario', 'step', 'resume', 'abort'] as const).filter((mode) => options[mode] !== undefined);
  if (modes.length !== 1) {
    throw new UsageError(
      modes.length === 0
        ? 'name what to run: --scenario <name>, --step notify|switch|restore, --resume <id> or --abort <id>'
        : `choose one of ${modes.map((mode) => `--${mode}`).join(', ')}`,
    );
  }
  if (options.dryRun && (options.resume || options.abort))
    throw new UsageError('--dry-run goes with --scenario or --step');
  if (options.reason && !options.abort) throw new UsageError('--reason goes with --abort');
  const config = await context.config();
  if (options.scenario && !findScenario(config, options.scenario)) {
    throw new UsageError(`unknown scenario "${options.scenario}": one of ${scenarioNames(config).join(', ')}`);
  }
  const changesRouting =
    !options.dryRun && (options.scenario !== undefined || options.step === 'switch' || options.step === 'restore');
  if (changesRouting && !options.yes) {
    const confirm = 'confirm' in deps ? deps.confirm : terminalConfirm();
    if (!confirm)
      throw new UsageError(
        'a drill changes routing and breaks the platform on purpose: pass --yes to run ' +
          'it without a terminal to confirm on',
      );
    if (!(await confirm(confirmationQuestion(config, options)))) throw new CommandFailed('drill not started', 1);
  }
  const target = await context.target();
  const runner = await runnerFor(deps, config, target);
  const actor = operatorActor();
  const progress = phasePrinter(options.json ? context.err : context.out);
  const projectFolder = dirname(context.configPath());
  const interrupt = new AbortController();
  // Pre-flight's checks run at once, each SDK or HTTP call listening on this one signal.
  setMaxListeners(64, interrupt.signal);
  const onSignal = () => interrupt.abort(new Error('interrupted'));
  deps.interrupt?.addEventListener('abort', onSignal, { once: true });
  if (!deps.interrupt) process.once('SIGINT', onSignal);
  let drill: DrillRecord | undefined;
  const track = {
    onProgress: (current: DrillRecord) => {
      drill = current;
      progress(current);
    },
  };
  try {
    try {
      if (options.resume) drill = await runner.advance(options.resume, { ...track, signal: interrupt.signal });
      else if (options.abort)
        drill = await runner.abort(options.abort, actor, options.reason ?? 'aborted by the operator', {
          ...track,
          signal: interrupt.signal,
        });
      else {
        drill = await runner.start(
          {
            ...(options.scenario ? { scenario: options.scenario } : {}),
            ...(options.step ? { step: options.step } : {}),
            ...(options.severities ? { severities: options.severities } : {}),
            dryRun: options.dryRun ?? false,
            actor,
          },
          { ...track, signal: interrupt.signal },
        );
      }
    } catch (error) {
      if (error instanceof DrillInputError) throw new UsageError(error.message);
      if (error instanceof NotFoundError)
        throw new CommandFailed(`no such drill: ${error.message.replace(/ not found$/, '')}`);
      if (!interrupt.signal.aborted) throw error;
    } finally {
      deps.interrupt?.removeEventListener('abort', onSignal);
      process.off('SIGINT', onSignal);
    }
    if (interrupt.signal.aborted && drill && drill.status !== 'finished')
      drill = await stopAfterInterrupt(drill, runner, actor, context, track, deps);
    if (!drill) throw new CommandFailed('the drill could not be started');
    const paths = writeReport(await runner.report(drill.id, `${drill.id}.html`), projectFolder);
    finish(drill, paths, options, context);
  } finally {
    runner.close();
  }
};

/** Ctrl-C: stop injecting, clear the fault and restore routing; a second Ctrl-C leaves it resumable. */
const stopAfterInterrupt = async (
  drill: DrillRecord,
  runner: DrillRunner,
  actor: Actor,
  context: CliContext,
  track: Pick<AdvanceOptions, 'onProgress'>,
  deps: DrillCommandDeps,
): Promise<DrillRecord> => {
  context.err(
    `\ninterrupted: stopping drill ${drill.id} — clearing the fault and restoring ` +
      `routing (Ctrl-C again to leave it as it is)\n`,
  );
  const second = new AbortController();
  setMaxListeners(64, second.signal);
  const onSecond = () => second.abort(new Error('interrupted twice'));
  if (!deps.interrupt) process.once('SIGINT', onSecond);
  let stopped = drill;
  try {
    stopped = await runner.abort(drill.id, actor, 'interrupted (Ctrl-C) by the operator', {
      ...track,
      signal: second.signal,
    });
  } catch (error) {
    if (!second.signal.aborted) context.err(`could not stop the drill: ${errorText(error)}\n`);
  } finally {
    process.off('SIGINT', onSecond);
  }
  if (stopped.status !== 'finished') {
    throw new CommandFailed(
      `drill ${drill.id} is not finished (${stopped.phases.at(-1)?.name}: ${stopped.phases.at(-1)?.detail}).\n` +
        `  hcguard drill --resume ${drill.id}   continues it\n  hcguard drill --abort ` +
        `${drill.id}    clears the fault and restores routing`,
      130,
    );
  }
  return stopped;
};

const confirmationQuestion = (config: HcguardConfig, options: DrillOptions): string => {
  const records = config.records.map((record) => record.name).join(', ');
  if (options.step) return `This process test moves ${records} to the backup and back. Continue? [y/N] `;
  const scenario = findScenario(config, options.scenario as string);
  const faults = scenario?.faults.map(describeFault).join(', ') ?? '';
  const where = config.drills.injection === 'simulated' ? 'simulates' : 'injects';
  return (
    `Drill ${options.scenario} ${where} ` +
    `${faults}${scenario?.expectFailover ? ` and lets hcguard move ${records} to the backup` : ''}. Continue? [y/N] `
  );
};

const finish = (
  drill: DrillRecord,
  paths: { markdown: string; html: string },
  options: DrillOptions,
  context: CliContext,
): void => {
  const outcome = drill.status === 'running' ? 'running' : (drill.outcome ?? 'unknown');
  if (options.json) {
    context.out(`${JSON.stringify(drillJson(drill, shown(paths.html)), null, 2)}\n`);
  } else {
    const measured = drill.dryRun
      ? '  dry run: nothing was injected, switched or written; the report below lists every check'
      : metricsLine(drill);
    const why = drill.abort ? ` (${drill.abort.code}: ${drill.abort.reason})` : '';
    const report = `  report: ${shown(paths.markdown)}\n          ${shown(paths.html)}`;
    context.out(`\ndrill ${drill.id}: ${outcome.toUpperCase()}${why}\n${measured}\n${report}\n`);
  }
  if (drill.status === 'running') {
    throw new CommandFailed(
      `drill ${drill.id} is still running elsewhere (another process holds it): ` +
        `\`hcguard drill --resume ${drill.id}\` watches it to the end`,
    );
  }
  if (outcome !== 'passed')
    throw new CommandFailed(
      options.json ? `drill ${drill.id}: ${outcome}` : `drill ${outcome}: see the findings in the report`,
    );
};

export const registerDrillCommands = (program: Command, context: CliContext, deps: DrillCommandDeps = {}): void => {
  program
    .command('drill')
    .description(
      'rehearse the emergency plan: inject a fault, measure detection, alerting, ' +
        'decision, switch and restore, and write a report',
    )
    .option(
      '--scenario <name>',
      'a built-in scenario (verification-outage, transmission-tampering, ' +
        'collection-data-loss, full-site-outage) or one from drills.scenarios',
    )
    .addOption(new Option('--step <procedure>', 'a process test of one procedure alone').choices(DRILL_STEPS))
    .option(
      '--dry-run',
      "walk every phase's checks and permissions without injecting or switching anything; " +
        'the report lists the checks',
    )
    .option('--resume <id>', 'continue a drill that was interrupted (Ctrl-C, a crash, a Lambda deadline)')
    .option('--abort <id>', 'stop a drill: clear its fault and restore routing')
    .option('--reason <text>', 'why, with --abort (recorded in the drill)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print { id, scenario, outcome, phases, metrics, reportPath } when done')
    .action(async (options: DrillOptions) => runDrillCommand(options, context, deps));

  program
    .command('drills')
    .description('list past and running drills, newest first')
    .option('--limit <n>', 'how many (default 20)', '20')
    .option('--json', 'print the list as JSON')
    .action(async (options: { limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new UsageError('--limit must be an integer between 1 and 200');
      const config = await context.config();
      const runner = await runnerFor(deps, config, await context.target());
      try {
        const drills = await runner.list(limit);
        if (options.json) {
          context.out(`${JSON.stringify(drills, null, 2)}\n`);
          return;
        }
        if (drills.length === 0) {
          context.out('no drills yet: start one with `hcguard drill --scenario verification-outage`\n');
          return;
        }
        const table = new Table({
          head: ['drill', 'scenario', 'outcome', `started (${config.timeZone})`, 'took', 'started by'],
          style: { head: [], border: [] },
        });
        for (const drill of drills) {
          const outcome =
            drill.status === 'running' ? 'running' : `${drill.outcome ?? 'unknown'}${drill.dryRun ? ' (dry run)' : ''}`;
          const took = drill.endedAt ? formatDuration(Date.parse(drill.endedAt) - Date.parse(drill.startedAt)) : '';
          table.push([
            drill.id,
            drill.scenario,
            outcome,
            formatLocal(drill.startedAt, config.timeZone),
            took,
            drill.startedBy,
          ]);
        }
        context.out(`${table.toString()}\n`);
      } finally {
        runner.close();
      }
    });

  program
    .command('report')
    .description(
      "write a drill's report as Markdown and as one self-contained HTML page under reports/, and print their paths",
    )
    .argument('<drill-id>', 'the drill (see `hcguard drills`)')
    .action(async (id: string) => {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new UsageError(`"${id}" is not a drill id (see \`hcguard drills\`)`);
      const config = await context.config();
      const runner = await runnerFor(deps, config, await context.target());
      try {
        let report: DrillReport;
        try {
          report = await runner.report(id, `${id}.html`);
        } catch (error) {
          if (error instanceof NotFoundError || (error instanceof CommandFailed && /not found/.test(error.message)))
            throw new CommandFailed(`no drill ${id}: see \`hcguard drills\``);
          throw error;
        }
        const paths = writeReport(report, dirname(context.configPath()));
        context.out(`${shown(paths.markdown)}\n${shown(paths.html)}\n`);
      } finally {
        runner.close();
      }
    });
};
