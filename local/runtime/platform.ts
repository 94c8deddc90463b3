// Which platform the local runtime guards: the sandbox it starts itself, or the platform the
// config's sites already point at (a team's staging platform, a platform under test). Chosen by
// `--sandbox` / `--no-sandbox`, or else from the config: the sandbox only when the sites are
// loopback addresses shaped like the sandbox's and nothing listens there yet.
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { SITES, STAGES, type Site } from '../../lambdas/core/model/vocabulary.ts';
import { sandboxAddressesFromConfig, SandboxConfigError, type SiteAddress } from '../sandbox/index.ts';

export type PlatformChoice =
  | { readonly sandbox: true; readonly addresses: Readonly<Record<Site, SiteAddress>> }
  | { readonly sandbox: false; readonly reason: string };

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[?::1\]?)$/i;

/** Whether something already accepts connections there (then it is the platform, not a sandbox to start). */
const listening = async (host: string, port: number): Promise<boolean> => {
  if (port === 0) return false;
  const server = createServer();
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  }
  server.close();
  await once(server, 'close');
  return false;
};

/** `flag`: true for --sandbox, false for --no-sandbox, undefined to decide from the config. */
export const choosePlatform = async (
  config: Pick<HcguardConfig, 'sites'>,
  flag: boolean | undefined,
): Promise<PlatformChoice> => {
  if (flag === false) return { sandbox: false, reason: '--no-sandbox was given' };
  if (flag === true) return { sandbox: true, addresses: sandboxAddressesFromConfig(config) };
  const remote = SITES.flatMap((site) =>
    STAGES.map((stage) => new URL(config.sites[site].stages[stage]).hostname).filter((host) => !LOOPBACK.test(host)),
  );
  if (remote.length)
    return {
      sandbox: false,
      reason: `the config's sites are not on this machine (${[...new Set(remote)].join(', ')})`,
    };
  let addresses: Record<Site, SiteAddress>;
  try {
    addresses = sandboxAddressesFromConfig(config);
  } catch (error) {
    if (!(error instanceof SandboxConfigError)) throw error;
    return { sandbox: false, reason: `the config's sites are not laid out like the sandbox's (${error.message})` };
  }
  for (const site of SITES) {
    const { host, port } = addresses[site];
    if (await listening(host, port))
      return {
        sandbox: false,
        reason:
          `something already listens on ${host}:${port} (sites.${site}): it is probed as the platform ` +
          '(--sandbox starts the sandbox there instead)',
      };
  }
  return { sandbox: true, addresses };
};
