// The example config against the envelope platform, a platform the sandbox is not: every fault
// the platform can show is caught by the probe of its stage with the right class, and nothing
// passes that should not. Business errors on HTTP 200 are `unavailable`/`rejected`, never a
// wrong verdict; a forged pass's expected refusal passes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretSource } from '../../lambdas/adapters/secrets.ts';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { createProbeRunner } from '../../lambdas/app/probe-runner.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { ProbeResult } from '../../lambdas/core/model/probing.ts';
import type { Site, Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { EnvelopeFault } from './envelope-platform.ts';
import { ENVELOPE_SECRETS, startEnvelopeTestbed, type EnvelopeTestbed } from './envelope-support.ts';

let testbed: EnvelopeTestbed;
let round: (site: Site) => Promise<ProbeResult[]>;

beforeAll(async () => {
  testbed = await startEnvelopeTestbed();
});
// A lost record stays lost on the platform and would (rightly) fail the next test's round too:
// each test starts with fresh streams and counters.
beforeEach(() => {
  testbed.platform.resetStreams();
  const runner = createProbeRunner({
    config: testbed.config,
    secrets: createSecretSource({ refs: testbed.config.secrets }),
    sequences: createMemorySequenceSource(),
  });
  round = (site) => runner.probeAll({ sites: [site] });
});
afterAll(() => testbed?.stop());
afterEach(() => testbed.platform.clear());

const byStage = (results: readonly ProbeResult[], stage: Stage) => results.find((result) => result.stage === stage);

describe('the example config on the envelope platform', () => {
  it('passes every probe on both sites, signing every request right (none refused)', async () => {
    for (const site of ['primary', 'backup'] as const) {
      const results = await round(site);
      expect(results.map((result) => [result.probeId, result.outcome, result.message])).toEqual([
        ['declare', 'ok', undefined],
        ['transmit', 'ok', undefined],
        ['pass', 'ok', undefined],
      ]);
    }
    expect(testbed.platform.refusedSignatures()).toBe(0);
  });

  it('polls the read-back through the replication lag instead of failing it', async () => {
    const results = await round('primary');
    const readBack = byStage(results, 'collection')?.steps.find((step) => step.name === 'read-back');
    expect(readBack?.outcome).toBe('ok');
    expect(readBack?.attempts).toBeGreaterThan(1);
  });

  it.each<[EnvelopeFault, Stage, string, string]>([
    ['error', 'verification', 'unavailable', 'the platform cannot serve now: code 50000 (系统繁忙，请稍后再试)'],
    ['sign-error', 'verification', 'rejected', 'code 40100 (签名错误)'],
    ['http-500', 'verification', 'status', 'HTTP 500'],
    ['wrong-verdict', 'verification', 'wrong-verdict', 'colour: expected "green", got "red"'],
    ['accept-all', 'verification', 'wrong-verdict', 'forged pass accepted'],
    ['expired-pass', 'verification', 'assertion', 'pass not expired'],
    ['bad-mac', 'verification', 'integrity', 'pass MAC'],
    ['malformed', 'verification', 'malformed', 'not valid JSON'],
    ['latency', 'verification', 'timeout', 'issue'],
    ['error', 'transmission', 'unavailable', 'code 50000'],
    ['tamper', 'transmission', 'integrity', 'receipt digest (tampering)'],
    ['drop-writes', 'transmission', 'integrity', 'records missing from the stream (loss)'],
    ['sign-error', 'transmission', 'rejected', 'code 40100'],
    ['error', 'collection', 'unavailable', 'code 50000'],
    ['drop-writes', 'collection', 'assertion', 'code 40400 (记录不存在)'],
    ['sign-error', 'collection', 'rejected', 'code 40100'],
  ])('%s on %s is %s', async (fault, stage, failureClass, message) => {
    testbed.platform.inject('backup', stage, fault);
    const results = await round('backup');
    const result = byStage(results, stage);
    expect(result).toMatchObject({ outcome: 'failed', failureClass });
    expect(result?.message).toContain(message);
    // The fault is where it was put: the other stages still pass (no false alarm beside it).
    expect(results.filter((other) => other.stage !== stage).map((other) => other.outcome)).toEqual(['ok', 'ok']);
  });

  it('never shows a secret, the pass or an identity in a failed result', async () => {
    testbed.platform.inject('primary', 'verification', 'wrong-verdict');
    const results = await round('primary');
    const text = JSON.stringify(results);
    for (const secret of Object.values(ENVELOPE_SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/HC1:[A-Za-z0-9_-]{8}/);
    expect(text).not.toMatch(/SYN-[0-9A-F]{12}/);
  });
});

describe('a platform whose stream was reset', () => {
  it('reports the reset once, as its own finding, and the loss check starts again (no false loss)', async () => {
    const sequences = createMemorySequenceSource();
    const runner = createProbeRunner({
      config: testbed.config,
      secrets: createSecretSource({ refs: testbed.config.secrets }),
      sequences,
    });
    const transmit = async () =>
      (await runner.probeAll({ sites: ['primary'] })).find((result) => result.stage === 'transmission');
    expect(await transmit()).toMatchObject({ outcome: 'ok' });
    expect((await transmit())?.streamReset).toBeUndefined();
    testbed.platform.resetStreams();
    const afterReset = await transmit();
    expect(afterReset).toMatchObject({ outcome: 'ok' });
    expect(afterReset?.streamReset).toMatch(/^the platform's stream hcguard-primary was reset \(epoch .+ → .+\): /);
    expect(afterReset?.streamReset).toMatch(
      /records up to 2 sent before it are no longer on the platform; loss checks start again from 3$/,
    );
    const next = await transmit();
    expect(next).toMatchObject({ outcome: 'ok' });
    expect(next?.streamReset).toBeUndefined();
  });

  it('without an epoch to read, the same reset reads as loss (what the epoch is for)', async () => {
    const input = structuredClone(testbed.input) as { probes: { id: string; sequence?: { epoch?: string } }[] };
    const probe = input.probes.find((candidate) => candidate.id === 'transmit');
    delete probe?.sequence?.epoch;
    const config = parseConfig(input);
    const runner = createProbeRunner({
      config,
      secrets: createSecretSource({ refs: config.secrets }),
      sequences: createMemorySequenceSource(),
    });
    const transmit = async () =>
      (await runner.probeAll({ sites: ['primary'] })).find((result) => result.stage === 'transmission');
    await transmit();
    testbed.platform.resetStreams();
    expect(await transmit()).toMatchObject({ outcome: 'failed', failureClass: 'integrity' });
  });
});
