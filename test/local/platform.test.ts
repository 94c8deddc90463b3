// Which platform `hcguard up` guards: the sandbox it starts, or the one the config's sites name.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/moto.ts';
import { choosePlatform } from '../../local/runtime/platform.ts';

const sites = (primary: Record<string, string>, backup: Record<string, string>) => ({
  sites: {
    primary: { stages: primary, vars: {}, secrets: {} },
    backup: { stages: backup, vars: {}, secrets: {} },
  },
});
const sandboxLike = (primaryPort: number, backupPort: number) =>
  sites(
    {
      collection: `http://127.0.0.1:${primaryPort}/collection`,
      transmission: `http://127.0.0.1:${primaryPort}/transmission`,
      verification: `http://127.0.0.1:${primaryPort}/verification`,
    },
    {
      collection: `http://127.0.0.2:${backupPort}/collection`,
      transmission: `http://127.0.0.2:${backupPort}/transmission`,
      verification: `http://127.0.0.2:${backupPort}/verification`,
    },
  );
const shared = (host: string) => ({
  collection: `http://${host}/hc/api`,
  transmission: `http://${host}/hc/api`,
  verification: `http://${host}/hc/api`,
});

describe('choosePlatform', () => {
  it('starts the sandbox for free loopback addresses laid out like its own', async () => {
    const config = sandboxLike(await freePort('127.0.0.1'), await freePort('127.0.0.2'));
    expect(await choosePlatform(config as never, undefined)).toMatchObject({ sandbox: true });
  });

  it.each([
    ['--no-sandbox', sites(shared('127.0.0.1:1'), shared('127.0.0.2:1')), false, '--no-sandbox was given'],
    [
      'sites on other machines',
      sites(shared('staging.hc.example.com'), shared('backup.hc.example.com')),
      undefined,
      "the config's sites are not on this machine (staging.hc.example.com, backup.hc.example.com)",
    ],
    [
      'stages sharing one base URL',
      sites(shared('127.0.0.1:19080'), shared('127.0.0.2:19080')),
      undefined,
      "the config's sites are not laid out like the sandbox's (sites.primary: each stage needs its own base path",
    ],
  ])('guards the configured platform with %s', async (_, config, flag, reason) => {
    const choice = await choosePlatform(config as never, flag);
    expect(choice.sandbox).toBe(false);
    expect(choice.sandbox ? '' : choice.reason).toContain(reason);
  });

  it('guards what already listens at sandbox-shaped addresses instead of failing on a taken port', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      const choice = await choosePlatform(sandboxLike(port, await freePort('127.0.0.2')) as never, undefined);
      expect(choice).toEqual({
        sandbox: false,
        reason:
          `something already listens on 127.0.0.1:${port} (sites.primary): it is probed as the platform ` +
          '(--sandbox starts the sandbox there instead)',
      });
    } finally {
      server.close();
    }
  });

  it('--sandbox insists, and a config the sandbox cannot serve is then an error', async () => {
    await expect(choosePlatform(sites(shared('127.0.0.1:1'), shared('127.0.0.2:1')) as never, true)).rejects.toThrow(
      'each stage needs its own base path',
    );
  });
});
