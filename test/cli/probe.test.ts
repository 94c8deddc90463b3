// `hcguard probe --once` run in-process against a test sandbox, from a scratch folder (the CLI
// keeps transmission sequence numbers in ./.hcguard/probe-sequences.json).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import configInput from '../../hcguard.config.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import type { ProbeResult } from '../../lambdas/core/model/probing.ts';
import { runHcguard, writeRuntimeFile } from '../support/cli.ts';
import { SANDBOX_DEV_TRANSMISSION_KEY, startSandbox } from '../../local/sandbox/index.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';

let testbed: TestSandbox;
let configPath: string;
const originalCwd = process.cwd();
let folder: string;

beforeAll(async () => {
  testbed = await startTestSandbox();
  folder = mkdtempSync(join(tmpdir(), 'hcguard-probe-cli-'));
  configPath = join(folder, 'hcguard.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      ...configInput,
      sites: {
        primary: { stages: testbed.sandbox.sites.primary.stages },
        backup: { stages: testbed.sandbox.sites.backup.stages },
      },
    }),
  );
  process.chdir(folder);
});
afterAll(async () => {
  process.chdir(originalCwd);
  await testbed?.stop();
});
afterEach(() => void testbed.sandbox.faults.clearNow());

describe('hcguard probe --once', () => {
  it('prints one table row per probe and site, and exits 0 when all pass', async () => {
    const run = await runHcguard('-c', configPath, 'probe', '--once');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rows = run.stdout.split('\n').filter((line) => /│ (collection|transmission|verification) /.test(line));
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.includes('│ ok '))).toBe(true);
    expect(run.stdout).toMatch(/probe\s+│ site\s+│ stage\s+│ outcome\s+│ failure\s+│ duration\s+│ message/);
  });

  it('prints one JSON array of results with --json', async () => {
    const run = await runHcguard('-c', configPath, 'probe', '--once', '--json', '--site', 'backup');
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as ProbeResult[];
    expect(results.map((result) => [result.probeId, result.site, result.outcome])).toEqual([
      ['collection', 'backup', 'ok'],
      ['transmission', 'backup', 'ok'],
      ['verification', 'backup', 'ok'],
    ]);
    expect(results[2]?.steps.map((step) => step.name)).toEqual(['issue', 'verify', 'verify-forged']);
  });

  it('exits 1 and names the failed probes when one fails', async () => {
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'accept-all' });
    const run = await runHcguard('-c', configPath, 'probe', '--once');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /verification │ primary │ verification │ failed\s+│ wrong-verdict │ .* │ verify-forged: /,
    );
    expect(run.stdout).toContain('verify-forged: forged code accepted: must not be true, but it is');
    expect(run.stderr).toBe('1 of 6 probes failed: verification@primary (wrong-verdict)\n');
  });

  it('finds a record lost between two runs: sequence numbers persist across runs', async () => {
    await runHcguard('-c', configPath, 'probe', '--once', '--site', 'primary');
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'transmission', mode: 'drop-writes' });
    expect((await runHcguard('-c', configPath, 'probe', '--once', '--site', 'primary')).code).toBe(1);
    testbed.sandbox.faults.clearNow();
    const afterRepair = await runHcguard('-c', configPath, 'probe', '--once', '--site', 'primary', '--json');
    const transmission = (JSON.parse(afterRepair.stdout) as ProbeResult[]).find(
      (result) => result.stage === 'transmission',
    );
    expect(transmission).toMatchObject({
      outcome: 'failed',
      failureClass: 'integrity',
      message: expect.stringMatching(/records missing from the stream \(loss\): expected \[\], got \[\d+\]/),
    });
    // Runs so far in this file: primary sent 1, 2, 3, 4 (dropped, but acknowledged) and 5.
    // Each counter is stored with the sandbox's stream epoch: { last, epoch }.
    const counters = JSON.parse(readFileSync(join(folder, '.hcguard/probe-sequences.json'), 'utf8')) as Record<
      string,
      { last: number; epoch: string }
    >;
    expect(
      Object.fromEntries(
        Object.entries(counters).map(([key, value]) => [key.replace(/^h:[0-9a-f]{8}\|/, ''), value.last]),
      ),
    ).toEqual({
      'hcguard-probe-primary': 5,
      'hcguard-probe-backup': 3,
    });
  });

  it.each([
    [['probe'], 'hcguard probe runs a single round: pass --once'],
    [['probe', '--once', '--site', 'mars'], "argument 'mars' is invalid. Allowed choices are primary, backup."],
    [['probe', '--once', '--bogus'], "unknown option '--bogus'"],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const run = await runHcguard('-c', configPath, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 2 without sending anything when a secret cannot be read', async () => {
    const key = process.env[TRANSMISSION_KEY_ENV];
    delete process.env[TRANSMISSION_KEY_ENV];
    try {
      const before = testbed.sandbox.platform.stats();
      const run = await runHcguard('-c', configPath, 'probe', '--once');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'cannot probe: secret "transmissionKey": environment variable HCGUARD_TRANSMISSION_KEY is not set',
      );
      expect(testbed.sandbox.platform.stats()).toEqual(before);
    } finally {
      process.env[TRANSMISSION_KEY_ENV] = key;
    }
  });
});

describe('hcguard probe --once next to `npm start`', () => {
  const writeRuntime = (path: string, sandboxDevelopmentKey: boolean) =>
    writeRuntimeFile(folder, path, sandboxDevelopmentKey ? { sandboxDevelopmentKey } : {});

  it.each([
    [true, 'signs with the sandbox development key the runtime file names, with no key exported', 0],
    [false, 'asks for the key when the runtime file does not say the sandbox uses the development key', 2],
  ])('%s: %s', async (devKey, _, code) => {
    const sandbox = await startSandbox({
      transmissionKey: SANDBOX_DEV_TRANSMISSION_KEY,
      sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
    });
    const path = join(folder, 'next-to-npm-start.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...configInput,
        sites: { primary: { stages: sandbox.sites.primary.stages }, backup: { stages: sandbox.sites.backup.stages } },
      }),
    );
    writeRuntime(path, devKey);
    const key = process.env[TRANSMISSION_KEY_ENV];
    delete process.env[TRANSMISSION_KEY_ENV];
    try {
      const run = await runHcguard('-c', path, 'probe', '--once', '--site', 'primary');
      expect(run.code).toBe(code);
      if (code === 2) expect(run.stderr).toContain('environment variable HCGUARD_TRANSMISSION_KEY is not set');
    } finally {
      process.env[TRANSMISSION_KEY_ENV] = key;
      rmSync(join(folder, '.hcguard/runtime.json'));
      await sandbox.stop();
    }
  });
});
