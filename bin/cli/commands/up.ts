// `hcguard up` (`npm start`): runs the whole guard on this machine until Ctrl-C. The work is in
// local/runtime; this command parses flags, owns the runtime file and waits for a signal.
import { Option, type Command } from 'commander';
import { relative } from 'node:path';
import type { RunningRuntime } from '../../../local/runtime/runtime.ts';
import type { CliContext, GlobalOptions } from '../context.ts';
import { UsageError } from '../errors.ts';
import { claimRuntimeFile, removeRuntimeFile, writeRuntimeFile } from '../runtime-file.ts';

const port =
  (flag: string) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
      throw new UsageError(`${flag} must be a port number between 0 and 65535 (0 picks a free one), got "${value}"`);
    return parsed;
  };

/**
 * Catches SIGINT and SIGTERM from now on (also during startup, so Ctrl-C then still stops what
 * started); `release` gives the signals back to Node when the command ends.
 */
const catchStopSignals = () => {
  let resolveSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const stop = (signal: NodeJS.Signals) => resolveSignal(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const release = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  return { received, release };
};

export const registerUpCommand = (program: Command, context: CliContext): void => {
  program
    .command('up')
    .description(
      'run the whole guard on this machine until Ctrl-C (`npm start`): moto as AWS (or ' +
        "AWS_ENDPOINT_URL), the stack's resources, the sandbox platform (or the platform the config's sites name), " +
        'probe rounds through the real Lambda handler, simulated citizens and the ' +
        'operator dashboard; commands in another terminal find it',
    )
    .addOption(
      new Option(
        '--dashboard-port <port>',
        'dashboard port on 127.0.0.1 (default: config local.dashboardPort; 0 picks a free one)',
      ).argParser(port('--dashboard-port')),
    )
    .addOption(
      new Option(
        '--moto-port <port>',
        "moto_server's port (default: config local.motoPort; 0 picks a free one)",
      ).argParser(port('--moto-port')),
    )
    .option(
      '--sandbox',
      "start the sandbox platform at the config's site URLs (the default when they are free loopback addresses)",
    )
    .option('--no-sandbox', "guard the platform already at the config's site URLs: no sandbox, no simulated citizens")
    .option('--fresh', 'start with an empty local table instead of the one the last stop saved')
    .action(async (flags: { dashboardPort?: number; motoPort?: number; sandbox?: boolean; fresh?: boolean }) => {
      const [config, { LocalSetupError }, { MotoMissingError }, { LOCAL_REGION, startLocalRuntime }] =
        await Promise.all([
          context.config(),
          import('../../../local/runtime/errors.ts'),
          import('../../../local/moto.ts'),
          import('../../../local/runtime/runtime.ts'),
        ]);
      // Read now: the runtime gives the probe Lambda its config in HCGUARD_BAKED_CONFIG, as the stack does.
      const configPath = context.configPath();
      const global = program.opts<GlobalOptions>();
      const claim = claimRuntimeFile();
      for (const note of claim.notes) context.out(`${note}\n`);
      const signals = catchStopSignals();
      let runtime: RunningRuntime;
      try {
        runtime = await startLocalRuntime({
          config,
          ...(global.endpointUrl ? { endpointUrl: global.endpointUrl } : {}),
          region: global.region ?? process.env.AWS_REGION ?? LOCAL_REGION,
          ...(flags.dashboardPort !== undefined ? { dashboardPort: flags.dashboardPort } : {}),
          ...(flags.motoPort !== undefined ? { motoPort: flags.motoPort } : {}),
          ...(flags.sandbox !== undefined ? { sandbox: flags.sandbox } : {}),
          ...(flags.fresh ? { fresh: true } : {}),
          runtimeFile: relative(process.cwd(), claim.path),
          write: context.out,
          isTTY: Boolean(process.stdout.isTTY),
          onReady: (info) =>
            writeRuntimeFile(claim.path, {
              pid: process.pid,
              startedAt: new Date().toISOString(),
              endpoint: info.endpoint,
              region: info.region,
              configPath,
              resources: info.resources,
              ...(info.sandboxUrl ? { sandboxUrl: info.sandboxUrl } : {}),
              dashboardUrl: info.dashboardUrl,
              ...(info.motoPid ? { motoPid: info.motoPid } : {}),
              ...(info.sandboxDevelopmentKey ? { sandboxDevelopmentKey: true } : {}),
            }),
        });
      } catch (error) {
        signals.release();
        removeRuntimeFile(claim.path);
        if (error instanceof MotoMissingError || error instanceof LocalSetupError) throw new UsageError(error.message);
        throw error;
      }
      try {
        const signal = await signals.received;
        context.out(`\n${signal}: stopping…\n`);
        await runtime.stop();
      } finally {
        signals.release();
        removeRuntimeFile(claim.path);
      }
      context.out(
        runtime.info.sandboxUrl
          ? 'stopped: probe rounds, citizens, dashboard, sandbox and the local AWS are down.\n'
          : 'stopped: probe rounds, dashboard and the local AWS are down (the platform itself was not touched).\n',
      );
    });
};
