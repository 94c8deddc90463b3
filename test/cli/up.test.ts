import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { claimRuntimeFile, removeRuntimeFile, writeRuntimeFile } from '../../bin/cli/runtime-file.ts';
import { readLocalRuntime, type LocalRuntime } from '../../bin/cli/target.ts';
import { UsageError } from '../../bin/cli/errors.ts';
import { freePort } from '../../local/moto.ts';
import { descendantsOf, isAlive, localTestConfig, startUp } from '../support/local-runtime.ts';
import { uniqueName } from '../support/aws.ts';

const runtime = (pid: number, extra: Partial<LocalRuntime> = {}): LocalRuntime => ({
  pid,
  startedAt: '2026-11-02T08:00:00.000Z',
  endpoint: 'http://127.0.0.1:5000',
  region: 'us-east-1',
  configPath: '/tmp/hcguard.config.ts',
  resources: { tableName: 't', topicArns: { SEV1: 'a', SEV2: 'b', SEV3: 'c', SEV4: 'd' }, hostedZoneIds: {} },
  dashboardUrl: 'http://127.0.0.1:8600/',
  ...extra,
});

/** The pid of a process that has already exited. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
};

describe('the runtime file', () => {
  it('is written atomically, found by commands, and removed only by its owner', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-rt-'));
    const { path, notes } = claimRuntimeFile(folder);
    expect(notes).toEqual([]);
    writeRuntimeFile(path, runtime(process.pid));
    expect(readLocalRuntime(folder)).toEqual(runtime(process.pid));
    // From another folder, as `--config <checkout>/hcguard.config.ts` finds it: the first live one wins.
    const elsewhere = mkdtempSync(join(tmpdir(), 'hcguard-rt-'));
    expect(readLocalRuntime([elsewhere, folder])).toEqual(runtime(process.pid));
    expect(readLocalRuntime([elsewhere])).toBeUndefined();
    removeRuntimeFile(path, process.pid + 1);
    expect(existsSync(path)).toBe(true);
    removeRuntimeFile(path, process.pid);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to start a second runtime while the first is alive', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-rt-'));
    const { path } = claimRuntimeFile(folder);
    writeRuntimeFile(path, runtime(process.pid));
    expect(() => claimRuntimeFile(folder)).toThrow(UsageError);
    expect(() => claimRuntimeFile(folder)).toThrow(
      `hcguard is already running here (pid ${process.pid}, dashboard http://127.0.0.1:8600/)`,
    );
  });

  it('replaces the file of a crashed run and stops the moto server it left, but no other process', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-rt-'));
    const fakeMoto = join(folder, 'moto_server');
    // Named like moto's server, as /proc shows it: the only kind of process the claim may stop.
    writeFileSync(fakeMoto, `#!${process.execPath}\nsetTimeout(() => undefined, 60_000);\n`);
    chmodSync(fakeMoto, 0o755);
    const orphan = spawn(fakeMoto, [], { stdio: 'ignore' });
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const { path } = claimRuntimeFile(folder);
      writeRuntimeFile(path, runtime(await deadPid(), { motoPid: orphan.pid as number }));
      expect(readLocalRuntime(folder)).toBeUndefined();
      expect(claimRuntimeFile(folder).notes).toEqual([
        'replacing .hcguard/runtime.json left by a run that is no longer alive',
        `stopped moto_server pid ${orphan.pid} that the crashed run left behind`,
      ]);
      await once(orphan, 'exit');
      expect(existsSync(path)).toBe(false);

      writeRuntimeFile(path, runtime(await deadPid(), { motoPid: bystander.pid as number }));
      expect(claimRuntimeFile(folder).notes).toEqual([
        'replacing .hcguard/runtime.json left by a run that is no longer alive',
      ]);
      expect(isAlive(bystander.pid as number)).toBe(true);
    } finally {
      orphan.kill('SIGKILL');
      bystander.kill('SIGKILL');
    }
  });
});

describe('hcguard up: problems it reports in one line with exit code 2', () => {
  it('says how to install moto_server when it is missing', async () => {
    const up = startUp(await localTestConfig(), [], { MOTO_SERVER_COMMAND: '/nonexistent/moto_server' });
    expect((await up.exited).code).toBe(2);
    expect(up.errors().trim()).toBe(
      `moto_server was not found (tried "/nonexistent/moto_server"). Install it with: pip install 'moto[server]'`,
    );
    expect(up.runtimeFile()).toBeUndefined();
    up.removeFolder();
  });

  it('names the dashboard port that is taken, and stops the moto server it had started', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as { port: number }).port;
    const motoPort = await freePort();
    try {
      const up = startUp(await localTestConfig(), ['--dashboard-port', String(taken), '--moto-port', String(motoPort)]);
      expect((await up.exited).code).toBe(2);
      expect(up.errors().trim()).toBe(
        `the dashboard cannot listen on 127.0.0.1:${taken}: the port is taken by another ` +
          `process. Set local.dashboardPort in the config (0 picks a free port).`,
      );
      // moto's port is free again: the server it started is gone.
      const probe = createServer().listen(motoPort, '127.0.0.1');
      await once(probe, 'listening');
      probe.close();
      expect(up.runtimeFile()).toBeUndefined();
      up.removeFolder();
    } finally {
      blocker.close();
    }
  });

  // Without --sandbox, what listens there is taken for the platform (test/local/platform.test.ts).
  it('with --sandbox, names the sandbox address that is taken', async () => {
    const config = await localTestConfig();
    const primary = new URL(config.sites.primary.stages.verification);
    const blocker = createServer().listen(Number(primary.port), '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const up = startUp(config, ['--sandbox']);
      expect((await up.exited).code).toBe(2);
      expect(up.errors().trim()).toBe(
        `the sandbox platform cannot start: primary: 127.0.0.1:${primary.port} is ` +
          `already in use (is another sandbox or \`npm start\` running?). The sites' URLs ` +
          `in the config choose its addresses; pass --no-sandbox to guard the platform already at those URLs.`,
      );
      up.removeFolder();
    } finally {
      blocker.close();
    }
  });

  it('rejects a port flag that is not a port', async () => {
    const up = startUp(await localTestConfig(), ['--dashboard-port', 'eighty']);
    expect((await up.exited).code).toBe(2);
    expect(up.errors()).toContain(
      '--dashboard-port must be a port number between 0 and 65535 (0 picks a free one), got "eighty"',
    );
    up.removeFolder();
  });
});

describe('an unreadable runtime file', () => {
  it('counts as left by a crashed run', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-rt-'));
    mkdirSync(join(folder, '.hcguard'));
    writeFileSync(join(folder, '.hcguard/runtime.json'), 'not json');
    expect(claimRuntimeFile(folder).notes).toEqual([
      'replacing .hcguard/runtime.json left by a run that is no longer alive',
    ]);
    expect(existsSync(join(folder, '.hcguard/runtime.json'))).toBe(false);
  });
});

describe('hcguard up with AWS_ENDPOINT_URL', () => {
  it('uses the emulator that already runs instead of starting moto, and stops cleanly on SIGTERM', async () => {
    const endpoint = inject('motoEndpoint');
    const name = uniqueName('up');
    const config = await localTestConfig({
      name,
      records: [
        {
          zone: { name: `${name}.internal` },
          name: `verify.${name}.internal`,
          type: 'A',
          ttl: 2,
          values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
        },
      ],
      local: { dashboardPort: 0, citizens: { requestsPerSecond: 0 } },
    });
    const up = startUp(config, [], { AWS_ENDPOINT_URL: endpoint });
    try {
      const runtime = await up.ready();
      expect(runtime.endpoint).toBe(endpoint);
      expect(runtime.motoPid).toBeUndefined();
      expect(runtime.resources.tableName).toBe(`${name}-state`);
      expect(up.output()).toContain(`local AWS       ${endpoint} (from AWS_ENDPOINT_URL)`);
      const descendants = descendantsOf(up.child.pid as number);
      expect(descendants.filter((pid) => /moto_server/.test(commandLine(pid)))).toEqual([]);
      up.child.kill('SIGTERM');
      expect((await up.exited).code).toBe(0);
      expect(up.output()).toContain('SIGTERM: stopping…');
      expect(up.runtimeFile()).toBeUndefined();
      expect(descendants.filter(isAlive)).toEqual([]);
    } finally {
      if (up.child.exitCode === null) up.child.kill('SIGKILL');
      up.removeFolder();
    }
  });
});

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
