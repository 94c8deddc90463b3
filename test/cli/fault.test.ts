// `hcguard fault` in-process: against a test sandbox found through the config, through the local
// runtime file, and against a real platform's fault hook.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import configInput from '../../hcguard.config.ts';
import { freePort } from '../../local/moto.ts';
import { runHcguard, writeRuntimeFile } from '../support/cli.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';

let testbed: TestSandbox;
let folder: string;
const originalCwd = process.cwd();

const writeConfig = (name: string, overrides: Record<string, unknown>): string => {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify({ ...configInput, ...overrides }));
  return path;
};
let configPath: string;

beforeAll(async () => {
  testbed = await startTestSandbox();
  folder = mkdtempSync(join(tmpdir(), 'hcguard-fault-cli-'));
  configPath = writeConfig('sandbox.json', {
    sites: {
      primary: { stages: testbed.sandbox.sites.primary.stages },
      backup: { stages: testbed.sandbox.sites.backup.stages },
    },
  });
  process.chdir(folder);
});
afterAll(async () => {
  process.chdir(originalCwd);
  await testbed?.stop();
});
afterEach(() => void testbed.sandbox.faults.clearNow());

describe('hcguard fault against the sandbox', () => {
  it('injects a fault with a duration and a latency, lists it, and clears it', async () => {
    const injected = await runHcguard(
      '-c',
      configPath,
      'fault',
      'backup',
      'verification',
      'latency',
      '--latency-ms',
      '900',
      '--for',
      '30s',
    );
    expect(injected).toMatchObject({ code: 0, stderr: '' });
    expect(injected.stdout).toBe(
      `injected latency (900 ms) on backup verification, for 30000 ms, via the sandbox ` +
        `at ${testbed.sandbox.sites.primary.url}\n`,
    );
    expect(testbed.sandbox.faults.listNow()).toEqual([
      {
        site: 'backup',
        stage: 'verification',
        mode: 'latency',
        latencyMs: 900,
        forMs: 30_000,
        since: expect.any(String),
        until: expect.any(String),
      },
    ]);

    const listed = await runHcguard('-c', configPath, 'fault', 'list');
    expect(listed.stdout).toMatch(/backup\s+│ verification │ latency\s+│ 900 ms/);
    expect(JSON.parse((await runHcguard('-c', configPath, 'fault', 'list', '--json')).stdout)).toEqual(
      testbed.sandbox.faults.listNow(),
    );

    expect((await runHcguard('-c', configPath, 'fault', 'clear', 'backup')).stdout).toBe(
      `cleared the faults on backup via the sandbox at ${testbed.sandbox.sites.primary.url}\n`,
    );
    expect(testbed.sandbox.faults.listNow()).toEqual([]);
    expect((await runHcguard('-c', configPath, 'fault', 'list')).stdout).toMatch(/^no active faults/);
  });

  it('clears only the named site and stage', async () => {
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'error' });
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });
    expect((await runHcguard('-c', configPath, 'fault', 'clear', 'primary', 'verification')).code).toBe(0);
    expect(testbed.sandbox.faults.listNow().map((fault) => fault.stage)).toEqual(['collection']);
  });

  it.each([
    [['fault', 'east', 'verification', 'error'], 'unknown site "east": one of primary, backup'],
    [
      ['fault', 'primary', 'checkout', 'error'],
      'unknown stage "checkout": one of collection, transmission, verification',
    ],
    [
      ['fault', 'primary', 'verification', 'explode'],
      'unknown mode "explode": one of error, latency, hang, reset, tamper, ' +
        'wrong-verdict, accept-all, drop-writes, stale-replica, malformed, huge-body',
    ],
    [['fault', 'primary', 'verification'], 'missing mode: one of error, latency'],
    [['fault', 'primary', 'collection', 'accept-all'], 'mode accept-all applies to verification only'],
    [['fault', 'primary', 'collection', 'error', '--latency-ms', '5'], '--latency-ms is for the latency mode only'],
    [
      ['fault', 'primary', 'collection', 'error', '--for', 'soon'],
      '--for: "soon" is not a duration (examples: 500ms, 30s, 5m)',
    ],
    [['fault', 'primary', 'collection', 'error', '--for', '99999999999999999999s'], '--for must be at most 7d'],
    [['fault', 'primary', 'collection', 'error', '--for', '8d'], '--for must be at most 7d'],
    [['fault', 'clear', 'primary', 'verification', 'extra'], 'too many arguments: extra'],
    [['fault', 'clear', '--for', '5s'], '--for and --latency-ms are for injecting a fault, not for clear'],
    [['fault', 'list', 'primary'], 'fault list takes no arguments (got primary)'],
  ])('exits 2 and lists the valid values: %j', async (args, message) => {
    const run = await runHcguard('-c', configPath, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.split(message)).toHaveLength(2);
    expect(testbed.sandbox.faults.listNow()).toEqual([]);
  });

  it('exits 1 when no sandbox answers', async () => {
    const port = await freePort();
    const nowhere = writeConfig('nowhere.json', {
      sites: {
        primary: {
          stages: {
            collection: `http://127.0.0.1:${port}/collection`,
            transmission: `http://127.0.0.1:${port}/transmission`,
            verification: `http://127.0.0.1:${port}/verification`,
          },
        },
        backup: configInput.sites.backup,
      },
    });
    const run = await runHcguard('-c', nowhere, 'fault', 'list');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `cannot reach the sandbox (is \`hcguard sandbox\` or \`npm start\` running?) at ` +
        `http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
  });

  /** A running local runtime's file (this process stands in for it), with or without a sandbox. */
  const writeRuntime = (configPath: string, extra: { sandboxUrl?: string } = {}) =>
    writeRuntimeFile(folder, configPath, extra);

  it('prefers the sandbox of a running local runtime', async () => {
    const elsewhere = writeConfig('elsewhere.json', {});
    writeRuntime(elsewhere, { sandboxUrl: testbed.sandbox.sites.backup.url });
    try {
      const run = await runHcguard('-c', elsewhere, 'fault', 'primary', 'transmission', 'tamper');
      expect(run.stdout).toBe(
        `injected tamper on primary transmission, until cleared, via the sandbox of the ` +
          `local runtime at ${testbed.sandbox.sites.backup.url}\n`,
      );
      expect(testbed.sandbox.faults.listNow()).toMatchObject([
        { site: 'primary', stage: 'transmission', mode: 'tamper' },
      ]);
    } finally {
      writeFileSync(join(folder, '.hcguard/runtime.json'), '{}');
    }
  });
  it('says what it needs when the running runtime guards another platform and no fault hook is set', async () => {
    const elsewhere = writeConfig('platform.json', {});
    writeRuntime(elsewhere);
    try {
      const run = await runHcguard('-c', elsewhere, 'fault', 'primary', 'verification', 'error');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('names no fault hook: set drills.faultHookUrl to inject faults there');
    } finally {
      writeFileSync(join(folder, '.hcguard/runtime.json'), '{}');
    }
  });
});

describe("hcguard fault against a real platform's fault hook", () => {
  let hook: Server;
  const bodies: unknown[] = [];
  beforeAll(async () => {
    hook = createServer(async (request, response) => {
      let text = '';
      for await (const chunk of request) text += chunk;
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => hook.close(resolve)));

  it('posts the fault to drills.faultHookUrl', async () => {
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/fault`;
    const real = writeConfig('real.json', { drills: { faultHookUrl: hookUrl } });
    const run = await runHcguard('-c', real, 'fault', 'primary', 'verification', 'error', '--for', '2m');
    expect(run.stdout).toBe(
      `injected error on primary verification, for 120000 ms, via the fault hook ${new URL(hookUrl).origin}\n`,
    );
    expect(bodies).toEqual([
      { action: 'inject', site: 'primary', stage: 'verification', mode: 'error', forMs: 120_000 },
    ]);
  });
});
