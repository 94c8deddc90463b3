// `hcguard fault`: breaks the platform on purpose and mends it. It finds the sandbox through the
// local runtime file (`npm start`), else through the config: a fault hook URL for a real
// platform (`drills.faultHookUrl`), otherwise the sandbox at the primary site's address.
//   hcguard fault <site> <stage> <mode> [--for 30s] [--latency-ms N]
//   hcguard fault clear [site] [stage]
//   hcguard fault list [--json]
import Table from 'cli-table3';
import type { Command } from 'commander';
import {
  createHookFaultInjector,
  createSandboxFaultInjector,
  FaultRejectedError,
  FaultTargetUnreachableError,
} from '../../../lambdas/adapters/http/fault-injectors.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import {
  FAULT_MODES,
  SITES,
  STAGES,
  type FaultMode,
  type Site,
  type Stage,
} from '../../../lambdas/core/model/vocabulary.ts';
import {
  FAULT_MODE_DESCRIPTIONS,
  faultApplies,
  faultStages,
  MAX_FAULT_MS,
} from '../../../lambdas/core/probe/fault-modes.ts';
import type { FaultInjector } from '../../../lambdas/ports.ts';
import type { FaultSpec } from '../../../lambdas/core/model/faults.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import { readLocalRuntime } from '../target.ts';
import { parseDuration } from './sandbox.ts';

export interface FaultTarget {
  readonly injector: FaultInjector;
  /** Where the faults go, for the user to read. */
  readonly description: string;
}

/** The local runtime's sandbox, else the config's fault hook, else the sandbox at the primary's address. */
export const resolveFaultTarget = (
  config: HcguardConfig,
  runtimeDirs: readonly string[] = [process.cwd()],
): FaultTarget => {
  const runtime = readLocalRuntime(runtimeDirs);
  if (runtime?.sandboxUrl)
    return {
      injector: createSandboxFaultInjector(runtime.sandboxUrl),
      description: `the sandbox of the local runtime at ${runtime.sandboxUrl}`,
    };
  if (config.drills.faultHookUrl)
    return {
      injector: createHookFaultInjector(config.drills.faultHookUrl),
      description: `the fault hook ${new URL(config.drills.faultHookUrl).origin}`,
    };
  if (runtime)
    throw new UsageError(
      "the running local runtime guards the platform at the config's sites, not a sandbox, and the config " +
        'names no fault hook: set drills.faultHookUrl to inject faults there',
    );
  const origin = new URL(config.sites.primary.stages.verification).origin;
  return { injector: createSandboxFaultInjector(origin), description: `the sandbox at ${origin}` };
};

const oneOf = <T extends string>(values: readonly T[], value: string | undefined, what: string): T => {
  if (value === undefined) throw new UsageError(`missing ${what}: one of ${values.join(', ')}`);
  if (!(values as readonly string[]).includes(value))
    throw new UsageError(`unknown ${what} "${value}": one of ${values.join(', ')}`);
  return value as T;
};

const HELP = [
  '',
  'Forms:',
  '  hcguard fault <site> <stage> <mode> [--for 30s] [--latency-ms 800]',
  '  hcguard fault clear [site] [stage]',
  '  hcguard fault list [--json]',
  '',
  `Sites: ${SITES.join(', ')}    Stages: ${STAGES.join(', ')}`,
  'Modes:',
  ...FAULT_MODES.map((mode) => {
    const only = faultStages(mode).length < STAGES.length ? ` (${faultStages(mode).join(', ')} only)` : '';
    return `  ${mode.padEnd(14)} ${FAULT_MODE_DESCRIPTIONS[mode]}${only}`;
  }),
  '',
].join('\n');

interface FaultOptions {
  readonly for?: string;
  readonly latencyMs?: string;
  readonly json?: boolean;
}

const faultSpec = (args: readonly string[], options: FaultOptions): FaultSpec => {
  if (args.length > 3) throw new UsageError(`too many arguments: ${args.slice(3).join(' ')}`);
  const site = oneOf<Site>(SITES, args[0], 'site');
  const stage = oneOf<Stage>(STAGES, args[1], 'stage');
  const mode = oneOf<FaultMode>(FAULT_MODES, args[2], 'mode');
  if (!faultApplies(mode, stage)) throw new UsageError(`mode ${mode} applies to ${faultStages(mode).join(', ')} only`);
  let latencyMs: number | undefined;
  if (options.latencyMs !== undefined) {
    if (mode !== 'latency') throw new UsageError('--latency-ms is for the latency mode only');
    latencyMs = Number(options.latencyMs);
    if (!Number.isInteger(latencyMs) || latencyMs < 1 || latencyMs > 600_000)
      throw new UsageError('--latency-ms must be an integer between 1 and 600000');
  }
  const forMs = options.for === undefined ? undefined : parseDuration(options.for, '--for');
  if (forMs !== undefined && forMs < 1) throw new UsageError('--for must be at least 1ms');
  if (forMs !== undefined && forMs > MAX_FAULT_MS) throw new UsageError('--for must be at most 7d');
  return {
    site,
    stage,
    mode,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(forMs === undefined ? {} : { forMs }),
  };
};

export const registerFaultCommand = (program: Command, context: CliContext): void => {
  program
    .command('fault')
    .description(
      'break the sandbox (or a real platform through its fault hook) on purpose, list active faults, or clear them',
    )
    .argument('<site|clear|list>', 'a site to break, or clear, or list')
    .argument('[args...]', 'stage and mode to break; or site and stage to clear')
    .option('--for <duration>', 'clear the fault by itself after this long (e.g. 30s, 5m)')
    .option('--latency-ms <ms>', 'added delay for the latency mode (default 800)')
    .option('--json', 'print the fault list as JSON')
    .addHelpText('after', HELP)
    .action(async (first: string, rest: string[], options: FaultOptions) => {
      const args = [first, ...rest];
      const action = first === 'clear' || first === 'list' ? first : 'inject';
      if (action !== 'inject' && (options.for !== undefined || options.latencyMs !== undefined))
        throw new UsageError(`--for and --latency-ms are for injecting a fault, not for ${action}`);
      const spec = action === 'inject' ? faultSpec(args, options) : undefined;
      const where =
        action === 'clear'
          ? (() => {
              if (args.length > 3) throw new UsageError(`too many arguments: ${args.slice(3).join(' ')}`);
              return {
                ...(args[1] === undefined ? {} : { site: oneOf<Site>(SITES, args[1], 'site') }),
                ...(args[2] === undefined ? {} : { stage: oneOf<Stage>(STAGES, args[2], 'stage') }),
              };
            })()
          : {};
      if (action === 'list' && args.length > 1)
        throw new UsageError(`fault list takes no arguments (got ${args.slice(1).join(' ')})`);

      const target = resolveFaultTarget(await context.config(), context.runtimeDirs());
      try {
        if (spec) {
          await target.injector.inject(spec);
          const until = spec.forMs === undefined ? 'until cleared' : `for ${spec.forMs} ms`;
          context.out(
            `injected ${spec.mode}${spec.latencyMs ? ` (${spec.latencyMs} ms)` : ''} on ` +
              `${spec.site} ${spec.stage}, ${until}, via ${target.description}\n`,
          );
        } else if (action === 'clear') {
          await target.injector.clear(where);
          const scope = [where.site, where.stage].filter(Boolean).join(' ') || 'every site and stage';
          context.out(`cleared the faults on ${scope} via ${target.description}\n`);
        } else {
          const faults = await target.injector.list();
          if (options.json) context.out(`${JSON.stringify(faults, null, 2)}\n`);
          else if (!faults.length) context.out(`no active faults (${target.description})\n`);
          else {
            const table = new Table({
              head: ['site', 'stage', 'mode', 'latency', 'since', 'until'],
              style: { head: [], border: [], compact: true },
            });
            for (const fault of faults)
              table.push([
                fault.site,
                fault.stage,
                fault.mode,
                fault.latencyMs ? `${fault.latencyMs} ms` : '-',
                fault.since,
                fault.until ?? 'cleared by hand',
              ]);
            context.out(`${table.toString()}\n`);
          }
        }
      } catch (error) {
        if (error instanceof FaultRejectedError) throw new UsageError(error.message);
        if (error instanceof FaultTargetUnreachableError) throw new CommandFailed(error.message);
        throw error;
      }
    });
};
