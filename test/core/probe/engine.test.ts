import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FailureClass } from '../../../lambdas/core/model/vocabulary.ts';
import {
  buildRequest,
  createProbeScope,
  createRunRedactor,
  decideProbe,
  evaluateStep,
  PROBE_USER_AGENT,
  type ProbeRun,
  type StepEvaluation,
} from '../../../lambdas/core/probe/engine.ts';
import type { HttpExchange } from '../../../lambdas/core/probe/http.ts';
import { shortHash } from '../../../lambdas/core/probe/redact.ts';
import { probeSchema, type ProbeDefinition, type ProbeDefinitionInput } from '../../../lambdas/core/probe/schema.ts';
import { syntheticIdentity } from '../../../lambdas/core/probe/synthetic.ts';
import type { TemplateRuntime } from '../../../lambdas/core/probe/template.ts';

const runtime: TemplateRuntime = {
  now: () => new Date('2026-11-26T08:00:00.000Z'),
  uuid: () => 'uuid-1',
  nonce: () => 'fedcba9876543210',
};
const identity = syntheticIdentity('0123456789abcdef');
const SECRET = 'hmac-key-never-shown';

const probe = (input: Partial<ProbeDefinitionInput> = {}): ProbeDefinition =>
  probeSchema.parse({
    id: 'sample',
    stage: 'transmission',
    sequence: { stream: 'hcguard-{{ site }}', commitAfter: 'send' },
    vars: { payload: '{"s":{{ seq }},"who":"{{ identity.id }}"}', at: '{{ now() }}' },
    latencyMs: { degradedMs: 1_000, failedMs: 3_000 },
    steps: [
      {
        name: 'send',
        method: 'POST',
        path: '/streams/{{ stream }}/records',
        headers: { 'X-Signature': '{{ hmac(secret.key, vars.payload) }}' },
        body: { sequence: '{{ seq }}', payload: '{{ vars.payload }}' },
        capture: { receiptId: '$.receipt.id' },
        expect: {
          status: [201],
          json: [
            {
              path: '$.receipt.sha256',
              equals: '{{ sha256(vars.payload) }}',
              failureClass: 'integrity',
              label: 'receipt hash',
            },
          ],
        },
      },
      { name: 'confirm', path: '/receipts/{{ receiptId }}', expect: { latencyMs: { degradedMs: 200, failedMs: 500 } } },
    ],
    ...input,
  });

const run = (definition = probe()): ProbeRun => ({
  probe: definition,
  site: 'primary',
  identity,
  secrets: { key: SECRET },
  sequence: { stream: 'hcguard-primary', seq: 9 },
});

const json = (value: unknown, status = 200, durationMs = 20): Extract<HttpExchange, { ok: true }> => ({
  ok: true,
  status,
  headers: { 'content-type': 'application/json' },
  body: new TextEncoder().encode(JSON.stringify(value)),
  durationMs,
});

const context = (definition = probe()) => {
  const scope = createProbeScope(run(definition), runtime);
  return { scope, runtime, redactor: createRunRedactor(run(definition), scope) };
};

describe('building a step request', () => {
  it('renders the path under the stage base URL, headers and a typed JSON body', () => {
    const { scope } = context();
    const request = buildRequest(probe().steps[0]!, 'http://127.0.0.1:18080/transmission/', scope, runtime);
    const payload = `{"s":9,"who":"${identity.id}"}`;
    expect(request).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:18080/transmission/streams/hcguard-primary/records',
      headers: {
        'user-agent': PROBE_USER_AGENT,
        accept: 'application/json',
        'x-signature': expect.stringMatching(/^[0-9a-f]{64}$/),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ sequence: 9, payload }),
    });
  });

  it('computes vars once, in order, from the sequence and the identity', () => {
    expect(context().scope).toMatchObject({
      seq: 9,
      stream: 'hcguard-primary',
      vars: { payload: `{"s":9,"who":"${identity.id}"}`, at: '2026-11-26T08:00:00.000Z' },
    });
  });

  it('uses an absolute step URL as it is', () => {
    const definition = probe({
      steps: [{ name: 'send', path: 'https://other.example/ping?x={{ seq }}' }],
      sequence: { stream: 's', commitAfter: 'send' },
    });
    expect(
      buildRequest(definition.steps[0]!, 'http://127.0.0.1/transmission', context(definition).scope, runtime).url,
    ).toBe('https://other.example/ping?x=9');
  });
});

describe('judging one step', () => {
  const send = () => probe().steps[0]!;

  it('passes and captures values for later steps', () => {
    const { scope } = context();
    const sha = createHash('sha256')
      .update((scope.vars as { payload: string }).payload)
      .digest('hex');
    const evaluation = evaluateStep(send(), json({ receipt: { id: 'r-1', sha256: sha } }, 201), context());
    expect(evaluation).toEqual({
      result: { name: 'send', durationMs: 20, status: 201, outcome: 'ok' },
      captures: { receiptId: 'r-1' },
      acknowledged: true,
    });
  });

  it.each<[string, HttpExchange, FailureClass, string, boolean]>([
    [
      'a transport failure keeps its class',
      { ok: false, failureClass: 'connect', message: 'host: connection failed (ECONNREFUSED)', durationMs: 3 },
      'connect',
      'host: connection failed (ECONNREFUSED)',
      false,
    ],
    ['an unexpected status', json({ error: 'busy' }, 503), 'status', 'HTTP 503, expected 201', false],
    [
      'a body that is not JSON',
      { ...json({}, 201), body: new TextEncoder().encode('<html>oops') },
      'malformed',
      'response body is not valid JSON',
      false,
    ],
    [
      'a body that is not UTF-8',
      { ...json({}, 201), body: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      'malformed',
      'response body is not valid UTF-8',
      false,
    ],
    [
      'an empty body where JSON is expected',
      { ...json({}, 201), body: new Uint8Array(0) },
      'malformed',
      'response body is empty, JSON was expected',
      false,
    ],
    [
      'a receipt hash that does not match',
      json({ receipt: { id: 'r', sha256: 'beef' } }, 201),
      'integrity',
      'receipt hash: expected',
      true,
    ],
  ])('fails on %s', (_, exchange, failureClass, message, acknowledged) => {
    const evaluation = evaluateStep(send(), exchange, context());
    expect(evaluation.result).toMatchObject({ outcome: 'failed', failureClass });
    expect(evaluation.result.message).toContain(message);
    expect(evaluation.acknowledged).toBe(acknowledged);
    expect(evaluation.captures).toEqual({});
  });

  it('fails a capture whose path is absent', () => {
    const definition = probe({ steps: [{ name: 'send', path: '/', capture: { code: '$.code' } }] });
    expect(evaluateStep(definition.steps[0]!, json({ other: 1 }), context(definition)).result).toMatchObject({
      outcome: 'failed',
      failureClass: 'assertion',
      message: 'cannot capture code: $.code is absent',
    });
  });

  it.each([
    [150, 'ok', undefined],
    [350, 'degraded', 'confirm took 350 ms, over the degraded bound of 200 ms'],
    [600, 'failed', 'confirm took 600 ms, over the failed bound of 500 ms'],
  ])('judges a %i ms step against its latency bounds: %s', (durationMs, outcome, message) => {
    const result = evaluateStep(probe().steps[1]!, json({}, 200, durationMs), context()).result;
    expect(result.outcome).toBe(outcome);
    expect(result.message).toBe(message);
    if (outcome === 'failed') expect(result.failureClass).toBe('timeout');
  });

  it('never shows a secret or an identity value, even when the platform echoes them', () => {
    const definition = probe({
      steps: [
        {
          name: 'send',
          path: '/',
          expect: {
            json: [
              { path: '$.echo', equals: 'nothing' },
              { path: '$.who', equals: 'someone' },
            ],
          },
        },
      ],
    });
    const evaluation = evaluateStep(
      definition.steps[0]!,
      json({ echo: `key=${SECRET}`, who: identity.name }),
      context(definition),
    );
    const text = JSON.stringify(evaluation);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(identity.name);
    expect(evaluation.result.message).toBe(
      `$.echo: expected "nothing", got "key=${shortHash(SECRET)}" (and 1 more failed check)`,
    );
  });
});

describe('deciding the probe result', () => {
  const step = (
    name: string,
    outcome: 'ok' | 'degraded' | 'failed',
    extra: Partial<StepEvaluation['result']> = {},
  ): StepEvaluation => ({
    result: { name, durationMs: 10, outcome, ...extra },
    captures: {},
    acknowledged: outcome !== 'failed',
  });
  const decide = (steps: StepEvaluation[], durationMs = 100, more: { abortedBefore?: string; drillId?: string } = {}) =>
    decideProbe({ probe: probe(), site: 'backup', startedAt: '2026-11-26T08:00:00.000Z', durationMs, steps, ...more });

  it('is ok when every step is ok and the probe was fast', () => {
    expect(decide([step('send', 'ok'), step('confirm', 'ok')])).toEqual({
      probeId: 'sample',
      site: 'backup',
      stage: 'transmission',
      startedAt: '2026-11-26T08:00:00.000Z',
      durationMs: 100,
      outcome: 'ok',
      steps: [
        { name: 'send', durationMs: 10, outcome: 'ok' },
        { name: 'confirm', durationMs: 10, outcome: 'ok' },
      ],
    });
  });

  it('takes outcome, class and message from the failed step', () => {
    const failed = {
      ...step('send', 'failed', { failureClass: 'integrity', message: 'receipt hash: expected "a", got "b"' }),
      failure: { step: 'send', assertion: '$.h equals', expected: '"a"', actual: '"b"' },
    };
    expect(decide([failed])).toMatchObject({
      outcome: 'failed',
      failureClass: 'integrity',
      message: 'send: receipt hash: expected "a", got "b"',
      failure: failed.failure,
    });
  });

  it.each([
    [900, 'ok', undefined],
    [1_500, 'degraded', 'probe took 1500 ms, over the degraded bound of 1000 ms'],
    [3_200, 'failed', 'probe took 3200 ms, over the failed bound of 3000 ms'],
  ])('judges a %i ms probe against its latency bounds: %s', (durationMs, outcome, message) => {
    const result = decide([step('send', 'ok')], durationMs);
    expect(result.outcome).toBe(outcome);
    expect(result.message).toBe(message);
  });

  it('is degraded when a step was slow', () => {
    expect(
      decide([step('send', 'degraded', { message: 'send took 300 ms, over the degraded bound of 200 ms' })]),
    ).toMatchObject({
      outcome: 'degraded',
      message: 'send: send took 300 ms, over the degraded bound of 200 ms',
    });
  });

  it("reports a probe the caller's deadline stopped as aborted, and tags drill results", () => {
    expect(decide([step('send', 'ok')], 50, { abortedBefore: 'confirm', drillId: 'D-1' })).toMatchObject({
      outcome: 'failed',
      failureClass: 'aborted',
      message: "the prober's deadline came before step confirm",
      drillId: 'D-1',
    });
  });
});
