// A platform without an issuing API: verification checked with codes provisioned out of band and
// kept in secrets, by config alone (provisionedCodeVerificationProbe), here against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySequenceSource } from '../../../lambdas/adapters/local/memory-sequence-source.ts';
import { createSecretSource } from '../../../lambdas/adapters/secrets.ts';
import { createProbeRunner } from '../../../lambdas/app/probe-runner.ts';
import {
  builtinProbes,
  builtinSecrets,
  provisionedCodeVerificationProbe,
} from '../../../lambdas/core/probe/builtin.ts';
import { parseConfig } from '../../../lambdas/core/config.ts';
import { startTestSandbox, TEST_TRANSMISSION_KEY, type TestSandbox } from '../../support/sandbox.ts';

let testbed: TestSandbox;
let codes: { good: string; revoked: string };

const post = async (url: string, body: unknown) =>
  (await (
    await fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5_000),
    })
  ).json()) as Record<string, string>;

beforeAll(async () => {
  testbed = await startTestSandbox({ sandbox: { replicationLagMs: 10 } });
  const verification = testbed.sandbox.sites.primary.stages.verification;
  const good = await post(`${verification}/codes`, { subjectId: 'SYN-PROVISIONED01', testData: true });
  const revoked = await post(`${verification}/codes`, { subjectId: 'SYN-PROVISIONED02', testData: true });
  await post(`${verification}/revocations`, { codeId: revoked.codeId });
  codes = { good: good.code as string, revoked: revoked.code as string };
});
afterAll(() => testbed?.stop());

const runVerification = async () => {
  const [collection, transmission] = builtinProbes();
  const config = parseConfig({
    ...testbed.config,
    probes: [
      collection,
      transmission,
      provisionedCodeVerificationProbe({
        goodCodeSecret: 'goodCode',
        revokedCodeSecret: 'revokedCode',
        expectedVerdict: 'green',
      }),
    ],
    secrets: { ...builtinSecrets(), goodCode: { env: 'TEST_GOOD_CODE' }, revokedCode: { env: 'TEST_REVOKED_CODE' } },
  });
  const env = {
    HCGUARD_TRANSMISSION_KEY: TEST_TRANSMISSION_KEY,
    TEST_GOOD_CODE: codes.good,
    TEST_REVOKED_CODE: codes.revoked,
  };
  const runner = createProbeRunner({
    config,
    secrets: createSecretSource({ refs: config.secrets, env }),
    sequences: createMemorySequenceSource(),
  });
  const results = await runner.probeAll({ sites: ['primary'] });
  return { result: results.find((each) => each.stage === 'verification'), text: JSON.stringify(results) };
};

describe('verification with provisioned codes', () => {
  it('accepts the known-good code with its verdict and refuses its forged copy and the revoked code', async () => {
    const { result, text } = await runVerification();
    expect(result).toMatchObject({ outcome: 'ok' });
    expect(result?.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['verify', 'ok'],
      ['verify-forged', 'ok'],
      ['verify-revoked', 'ok'],
    ]);
    expect(text).not.toContain(codes.good);
  });

  it('sees a verifier that accepts anything as wrong-verdict, without showing the codes', async () => {
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'accept-all' });
    try {
      const { result, text } = await runVerification();
      expect(result).toMatchObject({
        outcome: 'failed',
        failureClass: 'wrong-verdict',
        message: 'verify-forged: forged code accepted: must not be true, but it is',
      });
      expect(text).not.toContain(codes.good);
      expect(text).not.toContain(codes.revoked);
    } finally {
      testbed.sandbox.faults.clearNow();
    }
  });
});
