// What the commands that probe from this machine share: the secrets read up front (a missing one
// is a usage error, not a failed probe) and the file the transmission counters persist in.
import { resolve } from 'node:path';
import type { ProbeRunnerDeps } from '../../lambdas/app/probe-runner.ts';
import { siteSecretName } from '../../lambdas/core/config/cross-rules.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import type { Site } from '../../lambdas/core/model/vocabulary.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import { shortHash } from '../../lambdas/core/probe/redact.ts';
import type { ProbeRunner, SecretSource } from '../../lambdas/ports.ts';
import { UsageError } from './errors.ts';
import type { CliContext } from './context.ts';
import { readLocalRuntime, type LocalRuntime } from './target.ts';

export const SEQUENCES_FILE = '.hcguard/probe-sequences.json';

/** Which platform the counters belong to: the sites' transmission URLs. */
export const platformNamespace = (config: HcguardConfig): string =>
  shortHash(`${config.sites.primary.stages.transmission} ${config.sites.backup.stages.transmission}`);

export interface LocalProberOptions {
  /** The whole config: the counters belong to its platform. */
  readonly config: HcguardConfig;
  /** What to probe, when not every probe of the config. */
  readonly probed?: HcguardConfig;
  readonly sites: readonly Site[];
  readonly observe?: ProbeRunnerDeps['observe'];
  /** The local runtime running this config, whose sandbox's development key the probes may use. */
  readonly runtime?: LocalRuntime;
}

/** A probe runner on this machine, loaded only when a command probes. */
export const localProbeRunner = async (options: LocalProberOptions): Promise<ProbeRunner> => {
  const [{ createProbeRunner }, { createFileSequenceSource }] = await Promise.all([
    import('../../lambdas/app/probe-runner.ts'),
    import('../../lambdas/adapters/local/file-sequence-source.ts'),
  ]);
  const probed = options.probed ?? options.config;
  const secrets = await preloadSecrets(probed, options.sites, options.runtime);
  const sequences = createFileSequenceSource(resolve(process.cwd(), SEQUENCES_FILE), platformNamespace(options.config));
  return createProbeRunner({
    config: probed,
    secrets,
    sequences,
    ...(options.observe ? { observe: options.observe } : {}),
  });
};

/** Reads every secret the probes need before sending anything, so a missing one is a clear usage error. */
const preloadSecrets = async (
  config: HcguardConfig,
  sites: readonly Site[],
  runtime: LocalRuntime | undefined,
): Promise<SecretSource> => {
  const [{ createSecretSource }, { probeSecrets }, { SANDBOX_DEV_TRANSMISSION_KEY }] = await Promise.all([
    import('../../lambdas/adapters/secrets.ts'),
    import('../../lambdas/app/probe-runner.ts'),
    import('../../local/sandbox/index.ts'),
  ]);
  // Next to `npm start` with its sandbox on the development key, the probes sign as the sandbox expects.
  if (runtime?.sandboxDevelopmentKey && !process.env[TRANSMISSION_KEY_ENV])
    process.env[TRANSMISSION_KEY_ENV] = SANDBOX_DEV_TRANSMISSION_KEY;
  const source = createSecretSource({ refs: config.secrets });
  // On each site a probe's `secret.NAME` may mean another secret (sites.<site>.secrets).
  const names = [
    ...new Set(
      config.probes.flatMap((probe) =>
        probe.sites
          .filter((site) => sites.includes(site))
          .flatMap((site) => probeSecrets(probe).map((name) => siteSecretName(config, site, name))),
      ),
    ),
  ];
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const name of names) {
    try {
      values.set(name, await source.get(name));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) {
    const builtinKeyMissing = names.some((name) => {
      const ref = config.secrets[name];
      return ref && 'env' in ref && ref.env === TRANSMISSION_KEY_ENV && !process.env[TRANSMISSION_KEY_ENV];
    });
    throw new UsageError(
      `cannot probe: ${problems.join('; ')}` +
        (builtinKeyMissing
          ? `\nThe transmission probe signs records with the key the platform shares with ` +
            `it. For the sandbox, use the key \`hcguard sandbox\` printed when it started ` +
            `(set ${TRANSMISSION_KEY_ENV} in both terminals to choose it).`
          : ''),
    );
  }
  return { get: async (name) => values.get(name) ?? (await source.get(name)) };
};

/** The live local runtime started from this command's config, if any. */
export const sandboxRuntimeFor = (context: CliContext): LocalRuntime | undefined => {
  const runtime = readLocalRuntime(context.runtimeDirs());
  return runtime && runtime.configPath === context.configPath() ? runtime : undefined;
};
