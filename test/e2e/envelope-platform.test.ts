// `npm start` against a platform that is not the sandbox: the envelope test platform, guarded by
// the example config. No sandbox starts; the real probes, handlers, routing and alerts run
// against it; a business error on the primary's verifier ("system busy" on HTTP 200) is
// `unavailable`, not a wrong verdict, and moves the record to the backup; faults go through the
// platform's fault hook.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardState } from '../../local/dashboard/state.ts';
import { PROJECT_ROOT, startUp, type UpProcess } from '../support/local-runtime.ts';
import { ENVELOPE_SECRETS, startEnvelopeTestbed, type EnvelopeTestbed } from '../platforms/envelope-support.ts';

const run = promisify(execFile);
let testbed: EnvelopeTestbed;
let up: UpProcess | undefined;

beforeAll(async () => {
  testbed = await startEnvelopeTestbed((input) => ({
    ...input,
    name: 'hcguard-envelope-e2e',
    detection: { failureThreshold: 2, successThreshold: 2 },
    failover: { dwellMinutes: 0, failback: 'manual' },
    local: { dashboardPort: 0, motoPort: 0 },
  }));
});
afterAll(async () => {
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGINT');
    await Promise.race([up.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (up.child.exitCode === null) up.child.kill('SIGKILL');
  }
  up?.removeFolder();
  await testbed?.stop();
});

describe('npm start against a platform that is not the sandbox', () => {
  it('guards it as configured: a busy primary verifier is unavailable and traffic moves to the backup', async () => {
    up = startUp(testbed.input, [], { ...ENVELOPE_SECRETS });
    const runtime = await up.ready();
    expect(up.output()).toContain("(the config's sites; no sandbox started)");
    expect(up.output()).toMatch(/why\s+the config's sites are not laid out like the sandbox's/);
    expect(up.output()).toContain(
      `faults          through the fault hook at ${new URL(testbed.platform.hookUrl).origin}`,
    );
    expect(runtime.sandboxUrl).toBeUndefined();

    const state = async (): Promise<DashboardState> =>
      (await fetch(`${runtime.dashboardUrl}api/state`)).json() as Promise<DashboardState>;
    await expect
      .poll(async () => (await state()).targets.map((target) => target.health), { timeout: 60_000, interval: 1_000 })
      .toEqual(Array(6).fill('healthy'));
    expect(testbed.platform.refusedSignatures()).toBe(0);

    // A second terminal injects the fault through the runtime, which sends it to the platform's hook
    // (asynchronously: the platform answers from this process).
    const fault = await run(
      process.execPath,
      [join(PROJECT_ROOT, 'bin/hcguard.js'), 'fault', 'primary', 'verification', 'error', '--for', '10m'],
      { cwd: up.folder, timeout: 60_000, env: { ...process.env, AWS_ENDPOINT_URL: '', HCGUARD_CONFIG_PATH: '' } },
    );
    expect(fault.stdout).toContain('injected error on primary verification');

    await expect
      .poll(async () => (await state()).routing[0]?.activeSite, { timeout: 60_000, interval: 1_000 })
      .toBe('backup');
    const titles = (await state()).incidents.map((open) => `${open.severity} ${open.title}`);
    expect(titles).toContain('SEV1 verification failing on primary: cannot serve now');
    expect(titles.some((title) => title.includes('wrong verdict'))).toBe(false);

    up.child.kill('SIGINT');
    expect(await up.exited).toMatchObject({ code: 0 });
    expect(up.output()).toContain('the platform itself was not touched');
  }, 180_000);
});
