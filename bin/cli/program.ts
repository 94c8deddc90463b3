// Builds the operator CLI. Each command lives in ./commands and registers itself here.
import { errorText } from '../../lambdas/core/errors.ts';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { packageFile } from '../../local/package-root.ts';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { registerAlertsCommand } from './commands/alerts.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerCostCommand } from './commands/cost.ts';
import { registerDrillCommands } from './commands/drill.ts';
import { registerFaultCommand } from './commands/fault.ts';
import { registerProbeCommand } from './commands/probe.ts';
import { registerSandboxCommand } from './commands/sandbox.ts';
import { registerStatusCommands } from './commands/status.ts';
import { registerRoutingCommands } from './commands/routing.ts';
import { registerUpCommand } from './commands/up.ts';
import { createContext, type CliContext } from './context.ts';
import { CommandFailed, UsageError } from './errors.ts';

/** The version in package.json; the CLI always runs from the checkout or the package. */
const packageVersion = (): string =>
  (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

export const buildProgram = (io: Pick<CliContext, 'out' | 'err'>): Command => {
  const program = new Command('hcguard')
    .description('Health checks, alerts, failover and drills for a health-code platform.')
    .version(packageVersion(), '-V, --version', "print hcguard's version")
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .addOption(new Option('-c, --config <path>', 'config file (.ts, .mts, .js or .json)').env('HCGUARD_CONFIG_PATH'))
    .addOption(
      new Option('--endpoint-url <url>', 'AWS API endpoint of an emulator such as moto').env('AWS_ENDPOINT_URL'),
    )
    .option('--region <region>', 'AWS region of the deployed stack (default: AWS_REGION)')
    .option('--stack-name <name>', "the deployed stack's name (default: the config's name)");
  const context = createContext(program, io);
  registerConfigCommands(program, context);
  registerCostCommand(program, context);
  registerProbeCommand(program, context);
  registerSandboxCommand(program, context);
  registerFaultCommand(program, context);
  registerUpCommand(program, context);
  registerRoutingCommands(program, context);
  registerStatusCommands(program, context);
  registerAlertsCommand(program, context);
  registerDrillCommands(program, context);
  registerAuditCommands(program, context);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
};

/** Runs the CLI and returns the exit code: 0 ok, 1 a command found a problem, 2 bad usage or config. */
export const runCli = async (argv: readonly string[], io: Pick<CliContext, 'out' | 'err'>): Promise<number> => {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return exitCodeFor(error, io);
  }
};

const exitCodeFor = (error: unknown, io: Pick<CliContext, 'err'>): number => {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; usage mistakes exit 2 like other tools.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return 0;
    return 2;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    io.err(`${error.message}\n`);
    return 2;
  }
  if (error instanceof CommandFailed) {
    io.err(`${error.message}\n`);
    return error.exitCode;
  }
  io.err(`hcguard: ${errorText(error)}\n`);
  if (process.env.HCGUARD_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return 1;
};
