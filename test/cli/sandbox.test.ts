// `hcguard sandbox` as a user runs it: a child process on the config's addresses, stopped with Ctrl-C.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import configInput from '../../hcguard.config.ts';
import { freePort } from '../../local/moto.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const configOn = async (primaryPort: number, backupPort: number): Promise<string> => {
  const stages = (host: string, port: number) => ({
    collection: `http://${host}:${port}/collection`,
    transmission: `http://${host}:${port}/transmission`,
    verification: `http://${host}:${port}/verification`,
  });
  const path = join(mkdtempSync(join(tmpdir(), 'hcguard-sandbox-cli-')), 'hcguard.config.json');
  writeFileSync(
    path,
    JSON.stringify({
      ...configInput,
      sites: {
        primary: { stages: stages('127.0.0.1', primaryPort) },
        backup: { stages: stages('127.0.0.2', backupPort) },
      },
    }),
  );
  return path;
};

const startCli = (configPath: string) => {
  const child = spawn(TSX, [join(ROOT, 'bin/hcguard.ts'), '-c', configPath, 'sandbox', '--replication-lag', '200ms'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const output = () => ({ stdout, stderr });
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`hcguard sandbox exited early: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${stdout}${stderr}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  };
  return { child, exited, output, waitFor };
};

describe('hcguard sandbox', () => {
  it("serves both sites on the config's addresses until Ctrl-C, then exits 0", async () => {
    const [primaryPort, backupPort] = [await freePort('127.0.0.1'), await freePort('127.0.0.2')];
    const cli = startCli(await configOn(primaryPort, backupPort));
    try {
      await cli.waitFor(/Ctrl-C stops it/);
      expect(cli.output().stdout).toContain(`primary  http://127.0.0.1:${primaryPort}`);
      expect(cli.output().stdout).toContain(`verification  http://127.0.0.2:${backupPort}/verification`);
      expect(cli.output().stdout).toContain('replication lag 200 ms');
      for (const origin of [`http://127.0.0.1:${primaryPort}`, `http://127.0.0.2:${backupPort}`]) {
        const health = await fetch(`${origin}/_sandbox/health`, { signal: AbortSignal.timeout(5_000) });
        expect(await health.json()).toMatchObject({ status: 'ok' });
      }
    } finally {
      cli.child.kill('SIGINT');
    }
    const [code] = await cli.exited;
    expect(code).toBe(0);
    expect(cli.output().stdout).toContain('SIGINT: sandbox stopped, both sites closed.');
    await expect(
      fetch(`http://127.0.0.1:${primaryPort}/_sandbox/health`, { signal: AbortSignal.timeout(5_000) }),
    ).rejects.toThrow();
  });

  it('exits 1 and says which address is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as { port: number }).port;
    try {
      const cli = startCli(await configOn(taken, await freePort('127.0.0.2')));
      const [code] = await cli.exited;
      expect(code).toBe(1);
      expect(cli.output().stderr).toContain(`cannot start the sandbox: primary: 127.0.0.1:${taken} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
