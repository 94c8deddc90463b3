// `hcguard probe test <probe-id>` against the envelope platform, with the example config from a
// folder outside the checkout: every step's request, response, checks and captures, with
// secrets, identities and the pass masked everywhere.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHcguard } from '../support/cli.ts';
import { ENVELOPE_SECRETS, startEnvelopeTestbed, type EnvelopeTestbed } from '../platforms/envelope-support.ts';

let testbed: EnvelopeTestbed;
let configPath: string;
const originalCwd = process.cwd();

beforeAll(async () => {
  testbed = await startEnvelopeTestbed();
  const folder = mkdtempSync(join(tmpdir(), 'hcguard-probe-test-'));
  configPath = join(folder, 'platform.config.json');
  writeFileSync(configPath, JSON.stringify(testbed.input));
  process.chdir(folder);
});
afterAll(async () => {
  process.chdir(originalCwd);
  await testbed?.stop();
});
afterEach(() => testbed.platform.clear());

/** Every value that must never be printed: the secrets, and what looks like a pass or an identity. */
const expectMasked = (text: string) => {
  for (const secret of Object.values(ENVELOPE_SECRETS)) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/HC1:[A-Za-z0-9_-]{12}/);
  expect(text).not.toMatch(/SYN-[0-9A-F]{12}/);
  expect(text).not.toMatch(/Synthetic Probe [0-9A-F]{4}/);
};

describe('hcguard probe test', () => {
  it('prints each step with its request, response, checks and captures, and exits 0', async () => {
    const run = await runHcguard('-c', configPath, 'probe', 'test', 'pass', '--site', 'backup');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = run.stdout;
    expect(out).toContain(`probe pass on backup (verification, ${testbed.platform.baseUrls.backup})`);
    expect(out).toContain(`1. issue: ok\n   → POST ${testbed.platform.baseUrls.backup}/pass/issue`);
    expect(out).toMatch(/← 200 in \d+ ms, \d+ bytes/);
    expect(out).toContain('✓ envelope $.code 0 (got 0)');
    expect(out).toMatch(/✓ pass MAC: \$ of \{\{ tokenMacValid\(qr, secret\.passKey\) \}\} equals true \(got true\)/);
    expect(out).toMatch(/✓ pass not expired: \$\.exp of \{\{ tokenPayload\(qr\) \}\} gt \d+ \(got \d+\)/);
    expect(out).toMatch(/= qr := h:[0-9a-f]{8}/);
    expect(out).toContain('✓ envelope $.code: the refusal this step expects (got 40301)');
    expect(out).toContain('- forged pass accepted: $.data.valid notEquals (not judged: the step was already decided)');
    expect(out).toMatch(/result: ok in \d+ ms\n$/);
    expectMasked(out);
  });

  it('shows the headers with --verbose, the signature and credentials still masked', async () => {
    const run = await runHcguard('-c', configPath, 'probe', 'test', 'declare', '--verbose');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('x-app-id: hc-primary-app');
    expect(run.stdout).toMatch(/x-sign: [0-9a-f]{64}/);
    expect(run.stdout).toMatch(/2\. read-back: ok after \d+ attempts/);
    expectMasked(run.stdout);
  });

  it('exits 1 on a failed probe and shows the failed check with what was compared', async () => {
    testbed.platform.inject('primary', 'verification', 'wrong-verdict');
    const run = await runHcguard('-c', configPath, 'probe', 'test', 'pass');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ colour: $.data.colour equals (expected "green", got "red")');
    expect(run.stdout).toContain('result: failed (wrong-verdict)');
    expect(run.stderr).toBe('probe pass failed on primary (wrong-verdict)\n');
    expectMasked(run.stdout);
  });

  it('prints one JSON object with --json', async () => {
    const run = await runHcguard('-c', configPath, 'probe', 'test', 'transmit', '--json');
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { result: { outcome: string }; steps: { step: string }[] };
    expect(parsed.result.outcome).toBe('ok');
    expect(parsed.steps.map((step) => step.step)).toEqual(['send', 'check-stream']);
    expectMasked(run.stdout);
  });

  it.each([
    [['probe', 'test', 'nope'], 'no probe "nope" in', '(probes: declare, transmit, pass)'],
    [['probe', 'test', 'pass', '--site', 'mars'], "argument 'mars' is invalid", 'primary, backup'],
    [['probe', 'test'], "missing required argument 'probe-id'", ''],
  ])('exits 2 on bad usage: %j', async (args, message, more) => {
    const run = await runHcguard('-c', configPath, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(more);
  });
});
