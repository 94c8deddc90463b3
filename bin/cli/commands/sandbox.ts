// `hcguard sandbox`: runs the sandbox health-code platform (both sites, on the addresses of the
// config's site URLs) in the foreground until Ctrl-C, for trying hcguard and for drills.
import type { Command } from 'commander';
import ms from 'ms';
import { STAGES } from '../../../lambdas/core/model/vocabulary.ts';
import { TRANSMISSION_KEY_ENV } from '../../../lambdas/core/probe/builtin.ts';
import {
  DEFAULT_REPLICATION_LAG_MS,
  SANDBOX_DEV_TRANSMISSION_KEY,
  sandboxAddressesFromConfig,
  SandboxConfigError,
  startSandbox,
  type Sandbox,
} from '../../../local/sandbox/index.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';

/** Resolves on the first SIGINT or SIGTERM. */
const untilInterrupted = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

export const parseDuration = (text: string, what: string): number => {
  const value = /^\d+$/.test(text) ? Number(text) : ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new UsageError(`${what}: "${text}" is not a duration (examples: 500ms, 30s, 5m)`);
  return value;
};

export const describeSandbox = (sandbox: Sandbox): string => {
  const lines = ['sandbox health-code platform running', ''];
  for (const [site, address] of Object.entries(sandbox.sites)) {
    lines.push(`  ${site.padEnd(8)} ${address.url}`);
    for (const stage of STAGES) lines.push(`    ${stage.padEnd(13)} ${address.stages[stage]}`);
  }
  lines.push(
    '',
    `  replication lag ${sandbox.replicationLagMs} ms between the sites`,
    sandbox.transmissionKey === process.env[TRANSMISSION_KEY_ENV]
      ? `  transmission HMAC key: from ${TRANSMISSION_KEY_ENV}`
      : `  transmission HMAC key: the development key; to probe from another terminal: ` +
          `export ${TRANSMISSION_KEY_ENV}=${SANDBOX_DEV_TRANSMISSION_KEY}`,
    '',
    '  try:  hcguard probe --once',
    '        hcguard fault primary verification accept-all --for 60s',
    '        hcguard fault list   ·   hcguard fault clear',
    '',
    'Ctrl-C stops it.',
    '',
  );
  return lines.join('\n');
};

export const registerSandboxCommand = (program: Command, context: CliContext): void => {
  program
    .command('sandbox')
    .description(
      "run the sandbox health-code platform (primary and backup on the config's site " +
        'addresses, e.g. 127.0.0.1:18080 and 127.0.0.2:18080) until Ctrl-C',
    )
    .option(
      '--replication-lag <duration>',
      'how long a write on one site takes to reach the other (e.g. 500ms, 2s)',
      `${DEFAULT_REPLICATION_LAG_MS}ms`,
    )
    .action(async (options: { replicationLag: string }) => {
      const config = await context.config();
      const replicationLagMs = parseDuration(options.replicationLag, '--replication-lag');
      let sandbox: Sandbox;
      try {
        sandbox = await startSandbox({ sites: sandboxAddressesFromConfig(config), replicationLagMs });
      } catch (error) {
        if (error instanceof SandboxConfigError) throw new CommandFailed(`cannot start the sandbox: ${error.message}`);
        throw error;
      }
      context.out(describeSandbox(sandbox));
      const signal = await untilInterrupted();
      await sandbox.stop();
      context.out(`\n${signal}: sandbox stopped, both sites closed.\n`);
    });
};
