// Business envelopes, gates, computed captures and the numeric/length assertions: what a
// platform that answers HTTP 200 with {code, msg, data} looks like to the probe engine.
import { describe, expect, it } from 'vitest';
import { judgeJson, type JudgeContext } from '../../../lambdas/core/probe/assertions.ts';
import { evaluateStep, satisfiesRetry } from '../../../lambdas/core/probe/engine.ts';
import type { HttpExchange } from '../../../lambdas/core/probe/http.ts';
import { createRedactor } from '../../../lambdas/core/probe/redact.ts';
import {
  probeSchema,
  stepEnvelope,
  type JsonAssertion,
  type ProbeDefinitionInput,
} from '../../../lambdas/core/probe/schema.ts';
import type { TemplateRuntime } from '../../../lambdas/core/probe/template.ts';

const runtime: TemplateRuntime = {
  now: () => new Date('2026-11-26T08:00:00.000Z'),
  uuid: () => 'uuid-1',
  nonce: () => 'fedcba9876543210',
};
const SUBJECT = 'SYN-0123456789AB';
const context: JudgeContext = {
  scope: { vars: { temperature: 37.8, exp: 1795680600 }, secret: { key: 'k' }, identity: { id: SUBJECT } },
  runtime,
  redactor: createRedactor([SUBJECT]),
};

const assertion = (input: Record<string, unknown>): JsonAssertion =>
  ({ path: '$', failureClass: 'assertion', sensitive: false, ...input }) as JsonAssertion;

const body = {
  temperature: 37.800000000000004,
  reading: '36.6',
  code: 'HC1:abcdefgh',
  symptoms: ['cough', 'fever'],
  name: '张三',
  exp: 1795680600,
  word: 'green',
};

describe('numeric, length and computed-value assertions', () => {
  it.each([
    ['approx within the tolerance', { path: '$.temperature', approx: { value: 37.8, tolerance: 0.001 } }],
    ['approx with a template', { path: '$.temperature', approx: { value: '{{ vars.temperature }}', tolerance: 0.01 } }],
    ['gt', { path: '$.exp', gt: 1795680599 }],
    ['gt a computed bound (in the future)', { path: '$.exp', gt: '{{ epochSeconds() }}' }],
    ['gte equal', { path: '$.exp', gte: 1795680600 }],
    ['lt a numeric string', { path: '$.reading', lt: 37.3 }],
    ['lte', { path: '$.reading', lte: '36.6' }],
    ['between, inclusive', { path: '$.reading', between: [36.6, 37.2] }],
    ['length exact (code points)', { path: '$.name', length: 2 }],
    ['length of a list in bounds', { path: '$.symptoms', length: { min: 1, max: 3 } }],
    ['length at least', { path: '$.code', length: { min: 8 } }],
    ['matches on a computed value', { from: "{{ split('HC1:abc', ':', 0) }}", matches: '^HC1$' }],
    ['a path into a computed value', { from: "{{ parseJson('[1,2]') }}", path: '$[1]', equals: 2 }],
  ])('passes: %s', (_, input) => {
    expect(judgeJson(assertion(input), body, context)).toBeUndefined();
  });

  it.each([
    ['exact equality is not approx', { path: '$.temperature', equals: 37.8 }, 'expected 37.8, got 37.800000000000004'],
    [
      'approx outside the tolerance',
      { path: '$.temperature', approx: { value: 37.7, tolerance: 0.01 } },
      'expected 37.7 ± 0.01, got 37.800000000000004',
    ],
    ['gt equal', { path: '$.exp', gt: 1795680600 }, 'expected greater than 1795680600, got 1795680600'],
    ['gt on an absent value', { path: '$.missing', gt: 0 }, 'expected greater than 0, got (absent)'],
    ['lt on text that is no number', { path: '$.word', lt: 5 }, 'expected a number less than 5, got "green"'],
    ['between below', { path: '$.reading', between: [36.7, 37.2] }, 'expected between 36.7 and 37.2, got "36.6"'],
    ['length too long', { path: '$.symptoms', length: { max: 1 } }, 'expected at most 1 long, got length 2'],
    ['length of an absent value', { path: '$.missing', length: 3 }, 'expected length 3, got (absent)'],
    ['length of a number', { path: '$.exp', length: 3 }, 'expected length 3, got 1795680600, which has no length'],
    ['matches on an absent value', { path: '$.missing', matches: '.' }, 'expected to match /./, got (absent)'],
    ['equals on an absent value', { path: '$.missing', equals: null }, 'expected null, got (absent)'],
    ['a bound that is not a number', { path: '$.exp', gt: 'soon' }, 'cannot compute the bound: "soon" is not a number'],
    [
      'a computed value that cannot be computed',
      { from: '{{ tokenPayload(code) }}', path: '$.exp', gt: 0 },
      'cannot compute the value to check',
    ],
  ])('fails: %s', (_, input, message) => {
    const finding = judgeJson(assertion(input), body, context);
    expect(finding?.message).toContain(message);
  });

  it('shows a sensitive value as a short hash, also in numeric findings', () => {
    const finding = judgeJson(assertion({ path: '$.exp', lt: 5, sensitive: true }), body, context);
    expect(finding?.actual).toMatch(/^h:[0-9a-f]{8}$/);
    expect(JSON.stringify(finding)).not.toContain('1795680600');
  });
});

const exchange = (value: unknown, status = 200): Extract<HttpExchange, { ok: true }> => ({
  ok: true,
  status,
  headers: {},
  body: new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)),
  durationMs: 12,
});

const envelopeProbe = (steps: ProbeDefinitionInput['steps'], extra: Partial<ProbeDefinitionInput> = {}) =>
  probeSchema.parse({
    id: 'envelope',
    stage: 'verification',
    envelope: { code: '$.code', message: '$.msg', ok: [0], codes: { '50000': 'unavailable' } },
    steps,
    ...extra,
  });

const judge = (definition: ReturnType<typeof envelopeProbe>, index: number, value: unknown) => {
  const step = definition.steps[index]!;
  return evaluateStep(step, exchange(value), context, stepEnvelope(definition, step));
};

describe('business envelopes: a refusal is not a wrong verdict', () => {
  const verifier = envelopeProbe([
    {
      name: 'verify',
      method: 'POST',
      path: '/verify',
      expect: {
        json: [
          { path: '$.data.valid', equals: true, failureClass: 'wrong-verdict', label: 'known-good code accepted' },
        ],
      },
    },
    {
      name: 'verify-forged',
      method: 'POST',
      path: '/verify',
      envelope: { code: '$.code', message: '$.msg', ok: [0], codes: { '40301': 'pass', '50000': 'unavailable' } },
      expect: { json: [{ path: '$.data.valid', notEquals: true, failureClass: 'wrong-verdict', label: 'forged' }] },
    },
    { name: 'raw', path: '/health', envelope: false, expect: { json: [{ path: '$.up', equals: true }] } },
  ]);

  it.each([
    ['served and valid', 0, { code: 0, data: { valid: true } }, 'ok', undefined, undefined],
    ['served, a wrong verdict', 0, { code: 0, data: { valid: false } }, 'failed', 'wrong-verdict', 'known-good'],
    [
      '"system busy" is unavailable, not a wrong verdict',
      0,
      { code: 50000, msg: '系统繁忙', data: null },
      'failed',
      'unavailable',
      'the platform cannot serve now: code 50000 (系统繁忙)',
    ],
    [
      'an unlisted code is rejected, carrying code and message',
      0,
      { code: '40100', msg: 'signature error' },
      'failed',
      'rejected',
      'the platform refused the request: code 40100 (signature error)',
    ],
    [
      'no business code is malformed',
      0,
      { data: { valid: true } },
      'failed',
      'malformed',
      'no business code at $.code',
    ],
    ['the forged code refused as expected', 1, { code: 40301, msg: 'forged' }, 'ok', undefined, undefined],
    ['the forged code served and refused', 1, { code: 0, data: { valid: false } }, 'ok', undefined, undefined],
    ['the forged code accepted', 1, { code: 0, data: { valid: true } }, 'failed', 'wrong-verdict', 'forged'],
    ['a busy answer to the forged code', 1, { code: 50000, msg: 'busy' }, 'failed', 'unavailable', 'code 50000'],
    ['a step without the envelope', 2, { up: true }, 'ok', undefined, undefined],
  ])('%s', (_, index, value, outcome, failureClass, message) => {
    const { result } = judge(verifier, index, value);
    expect(result.outcome).toBe(outcome);
    expect(result.failureClass).toBe(failureClass);
    if (message) expect(result.message).toContain(message);
  });

  it("redacts identity values in the platform's message, strips control characters and shortens it", () => {
    const { result } = judge(verifier, 0, { code: 1, msg: `subject ${SUBJECT} unknown\n\u0007${'x'.repeat(300)}` });
    expect(result.message).not.toContain(SUBJECT);
    expect(result.message).not.toContain('\n');
    expect(result.message).not.toContain(String.fromCharCode(7));
    expect(result.message!.length).toBeLessThan(200);
  });

  it('a refusal is no acknowledgement (a sequenced record is sent again)', () => {
    expect(judge(verifier, 0, { code: 50000 }).acknowledged).toBe(false);
    expect(judge(verifier, 0, { code: 0, data: { valid: true } }).acknowledged).toBe(true);
  });

  it('a body that is not JSON is malformed without quoting the body', () => {
    const step = verifier.steps[0]!;
    const { result } = evaluateStep(step, exchange(`oops ${SUBJECT} not json`), context, stepEnvelope(verifier, step));
    expect(result.failureClass).toBe('malformed');
    expect(result.message).not.toContain(SUBJECT);
    expect(result.message).not.toContain('oops');
  });
});

describe('gates: preconditions judged before the assertions that depend on them', () => {
  const gated = probeSchema.parse({
    id: 'gated',
    stage: 'transmission',
    steps: [
      {
        name: 'send',
        method: 'POST',
        path: '/records',
        gate: [{ path: '$.status', equals: 'accepted', label: 'record accepted' }],
        expect: { json: [{ path: '$.receipt.sha256', equals: 'abc', failureClass: 'integrity', label: 'hash' }] },
      },
    ],
  });

  it.each([
    ['a refused record is rejected, not tampering', { status: 'busy' }, 'rejected', 'record accepted'],
    [
      'an accepted record with a wrong hash is integrity',
      { status: 'accepted', receipt: { sha256: 'x' } },
      'integrity',
      'hash',
    ],
  ])('%s', (_, value, failureClass, message) => {
    const { result } = evaluateStep(gated.steps[0]!, exchange(value), context);
    expect(result.failureClass).toBe(failureClass);
    expect(result.message).toContain(message);
  });

  it('passes when gate and assertions hold', () => {
    const value = { status: 'accepted', receipt: { sha256: 'abc' } };
    expect(evaluateStep(gated.steps[0]!, exchange(value), context).result.outcome).toBe('ok');
  });
});

describe('captures from the body and from computed values', () => {
  const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(
    JSON.stringify({ sub: 'SYN-1', exp: 1795680600, colour: 'green' }),
  ).toString('base64url')}.sig`;
  const issuing = probeSchema.parse({
    id: 'issuing',
    stage: 'verification',
    steps: [
      {
        name: 'issue',
        method: 'POST',
        path: '/codes',
        capture: { code: '$.data.code', colour: { from: '{{ tokenPayload(code) }}', path: '$.colour' } },
        expect: {
          json: [
            { from: '{{ tokenPayload(code) }}', path: '$.exp', gt: '{{ epochSeconds() }}', label: 'code not expired' },
          ],
        },
      },
      { name: 'use', path: '/x/{{ colour }}' },
    ],
  });

  it('captures a field of the decoded code, and judges this step with this step’s capture', () => {
    const evaluation = evaluateStep(issuing.steps[0]!, exchange({ data: { code: token } }), context);
    expect(evaluation.result.outcome).toBe('ok');
    expect(evaluation.captures).toEqual({ code: token, colour: 'green' });
  });

  it('an expired code fails its assertion', () => {
    const expired = token.replace(/\.[^.]+\./, `.${Buffer.from('{"exp":1}').toString('base64url')}.`);
    const { result } = evaluateStep(issuing.steps[0]!, exchange({ data: { code: expired } }), context);
    expect(result.message).toContain('code not expired: expected greater than 1795680000, got 1');
  });

  it('a computed capture that is absent fails the step, naming it', () => {
    const plain = `a.${Buffer.from('{"exp":1795680601}').toString('base64url')}.c`;
    const { result } = evaluateStep(issuing.steps[0]!, exchange({ data: { code: plain } }), context);
    expect(result).toMatchObject({ outcome: 'failed', failureClass: 'assertion' });
    expect(result.message).toContain('cannot capture colour: $.colour is absent from the computed value');
  });
});

describe('retry until: polling an eventually consistent read-back', () => {
  const polled = probeSchema.parse({
    id: 'polled',
    stage: 'collection',
    steps: [
      {
        name: 'read-back',
        path: '/declarations/1',
        expect: { status: [200, 404] },
        retry: { until: { path: '$.id', exists: true }, attempts: 3, intervalMs: 100 },
      },
    ],
  });

  it.each([
    ['the record is there', { id: 1 }, 200, true],
    ['not yet', { error: 'not found' }, 404, false],
    ['an unexpected status is not worth waiting for… but it is not satisfied', { id: 1 }, 500, false],
  ])('%s', (_, value, status, satisfied) => {
    expect(satisfiesRetry(polled.steps[0]!, exchange(value, status), context)).toBe(satisfied);
  });

  it('a step without retry is always satisfied', () => {
    const plain = probeSchema.parse({ id: 'p', stage: 'collection', steps: [{ name: 'a', path: '/' }] });
    expect(satisfiesRetry(plain.steps[0]!, exchange('x', 500), context)).toBe(true);
  });
});
