// What the commands that probe from this machine share: the secrets read up front (a missing one
// is a usage error, not a failed probe) and the file the transmission counters persist in.
import { createSecretSource } from '../../lambdas/adapters/secrets.ts';
import { probeSecrets } from '../../lambdas/app/probe-runner.ts';
import { siteSecretName } from '../../lambdas/core/config/cross-rules.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import type { Site } from '../../lambdas/core/model/vocabulary.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import { shortHash } from '../../lambdas/core/probe/redact.ts';
import type { SecretSource } from '../../lambdas/ports.ts';
import { UsageError } from './errors.ts';

export const SEQUENCES_FILE = '.hcguard/probe-sequences.json';

/** Which platform the counters belong to: the sites' transmission URLs. */
export const platformNamespace = (config: HcguardConfig): string =>
  shortHash(`${config.sites.primary.stages.transmission} ${config.sites.backup.stages.transmission}`);

/** Reads every secret the probes need before sending anything, so a missing one is a clear usage error. */
export const preloadSecrets = async (config: HcguardConfig, sites: readonly Site[]): Promise<SecretSource> => {
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
