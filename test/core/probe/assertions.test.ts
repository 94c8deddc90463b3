import { describe, expect, it } from 'vitest';
import {
  firstDifference,
  jsonEqual,
  judgeBodySize,
  judgeHeader,
  judgeJson,
  judgeStatus,
  worstFinding,
  type Finding,
  type JudgeContext,
} from '../../../lambdas/core/probe/assertions.ts';
import { createRedactor, shortHash } from '../../../lambdas/core/probe/redact.ts';
import type { JsonAssertion } from '../../../lambdas/core/probe/schema.ts';
import type { TemplateRuntime } from '../../../lambdas/core/probe/template.ts';

const runtime: TemplateRuntime = {
  now: () => new Date('2026-11-26T08:00:00Z'),
  uuid: () => 'u',
  nonce: () => '0123456789abcdef',
};
const context: JudgeContext = {
  scope: {
    seq: 7,
    vars: { payload: 'p', temperature: 36.6 },
    identity: { id: 'SYN-0123456789AB', name: 'Synthetic Probe CDEF' },
    secret: {},
  },
  runtime,
  redactor: createRedactor(['SYN-0123456789AB', 'Synthetic Probe CDEF']),
};

/** An assertion with the schema's defaults (templates are checked against a probe's scope elsewhere). */
const assertion = (input: Record<string, unknown>): JsonAssertion =>
  ({ failureClass: 'assertion', sensitive: false, ...input }) as JsonAssertion;

const body = {
  id: 'd-1',
  subjectId: 'SYN-0123456789AB',
  name: 'Real Person Name',
  temperature: 38.1,
  symptoms: ['cough'],
  receipt: { sequence: 7, sha256: 'abc' },
  valid: false,
  verdict: 'green',
};

describe('JSONPath assertions', () => {
  it.each([
    ['equals a literal number', { path: '$.temperature', equals: 38.1 }],
    ['equals a templated number (types kept)', { path: '$.receipt.sequence', equals: '{{ seq }}' }],
    ['equals a list', { path: '$.symptoms', equals: ['cough'] }],
    ['equals an object in any key order', { path: '$.receipt', equals: { sha256: 'abc', sequence: 7 } }],
    ['notEquals a different value', { path: '$.verdict', notEquals: 'red' }],
    ['notEquals passes when the value is absent', { path: '$.missing', notEquals: true }],
    ['matches a pattern', { path: '$.id', matches: '^d-\\d+$' }],
    ['matches a number as text', { path: '$.temperature', matches: '^38\\.' }],
    ['exists', { path: '$.receipt.sha256', exists: true }],
    ['exists: false', { path: '$.error', exists: false }],
    ['absent', { path: '$.error', absent: true }],
    ['exists for a value that is false', { path: '$.valid', exists: true }],
  ])('passes: %s', (_, input) => {
    expect(judgeJson(assertion(input), body, context)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Partial<Finding>]>([
    [
      'a drifted field, named by its label',
      { path: '$.temperature', equals: '{{ vars.temperature }}', label: 'temperature' },
      {
        failureClass: 'assertion',
        assertion: '$.temperature equals',
        expected: '36.6',
        actual: '38.1',
        message: 'temperature: expected 36.6, got 38.1',
      },
    ],
    [
      'the first difference inside an object',
      { path: '$.receipt', equals: { sequence: 7, sha256: 'abd' }, label: 'receipt' },
      { message: 'receipt.sha256: expected "abd", got "abc"' },
    ],
    [
      'an absent value',
      { path: '$.declaration', equals: 1, label: 'declaration' },
      { actual: '(absent)', message: 'declaration: expected 1, got (absent)' },
    ],
    [
      'a forged code accepted, as wrong-verdict',
      { path: '$.verdict', notEquals: 'green', failureClass: 'wrong-verdict', label: 'forged code refused' },
      {
        failureClass: 'wrong-verdict',
        assertion: '$.verdict notEquals',
        message: 'forged code refused: must not be "green", but it is',
      },
    ],
    [
      'a pattern that does not match',
      { path: '$.id', matches: '^x' },
      { assertion: '$.id matches', expected: '/^x/', actual: '"d-1"' },
    ],
    [
      'a missing value',
      { path: '$.receipt.hash', exists: true, failureClass: 'integrity' },
      { failureClass: 'integrity', message: '$.receipt.hash: expected to be present, but it is absent' },
    ],
    [
      'a value that should be absent',
      { path: '$.valid', absent: true },
      { assertion: '$.valid absent', actual: 'false' },
    ],
    [
      'an expectation that cannot be computed',
      { path: '$.id', equals: '{{ missing }}' },
      { message: '$.id: cannot compute the expected value: unknown variable "missing"' },
    ],
  ])('fails: %s', (_, input, finding) => {
    expect(judgeJson(assertion(input), body, context)).toMatchObject(finding);
  });

  it('shows only short hashes for a sensitive field, whatever the platform returned', () => {
    const finding = judgeJson(
      assertion({ path: '$.name', equals: '{{ identity.name }}', label: 'name', sensitive: true }),
      body,
      context,
    );
    expect(finding).toMatchObject({
      expected: shortHash('Synthetic Probe CDEF'),
      actual: shortHash('Real Person Name'),
    });
    expect(JSON.stringify(finding)).not.toMatch(/Real Person Name|Synthetic Probe CDEF/);
  });

  it('replaces identity values inside messages of fields not marked sensitive', () => {
    const finding = judgeJson(assertion({ path: '$.subjectId', equals: 'SYN-OTHER', label: 'subject' }), body, context);
    expect(finding?.message).toBe(`subject: expected "SYN-OTHER", got "${shortHash('SYN-0123456789AB')}"`);
  });
});

describe('header, status and size assertions', () => {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-7' };
  it.each([
    [{ name: 'Content-Type', present: true }, undefined],
    [{ name: 'content-type', matches: '^application/json' }, undefined],
    [{ name: 'x-request-id', equals: 'r-{{ seq }}' }, undefined],
    [{ name: 'x-powered-by', present: false }, undefined],
    [{ name: 'x-request-id', equals: 'r-8' }, 'header x-request-id: expected "r-8", got "r-7"'],
    [{ name: 'etag', present: true }, 'header etag: expected to be present, but it is absent'],
    [{ name: 'x-request-id', present: false }, 'header x-request-id: expected to be absent, got "r-7"'],
    [
      { name: 'content-type', matches: '^text/' },
      'header content-type: expected to match /^text//, got "application/json; charset=utf-8"',
    ],
  ])('header %j → %s', (input, message) => {
    const finding = judgeHeader({ present: true, ...input }, headers, context);
    expect(finding?.message).toBe(message);
  });

  it('checks the status against the expected set', () => {
    expect(judgeStatus([200, 201], 201)).toBeUndefined();
    expect(judgeStatus([200, 201], 503)).toEqual({
      failureClass: 'status',
      assertion: 'status',
      expected: '200 or 201',
      actual: '503',
      message: 'HTTP 503, expected 200 or 201',
    });
  });

  it('checks the body size bound', () => {
    expect(judgeBodySize(100, 100)).toBeUndefined();
    expect(judgeBodySize(undefined, 10_000)).toBeUndefined();
    expect(judgeBodySize(100, 101)).toMatchObject({
      failureClass: 'too-large',
      message: 'body is 101 bytes, over the bound of 100',
    });
  });
});

describe('which failure a step reports', () => {
  const finding = (failureClass: Finding['failureClass']): Finding => ({
    failureClass,
    assertion: failureClass,
    expected: '',
    actual: '',
    message: failureClass,
  });
  it.each([
    [['assertion', 'wrong-verdict'], 'wrong-verdict'],
    [['assertion', 'integrity'], 'integrity'],
    [['integrity', 'wrong-verdict', 'assertion'], 'wrong-verdict'],
    [['too-large', 'assertion'], 'too-large'],
  ] as const)('%j → %s (the most serious)', (classes, worst) => {
    expect(worstFinding(classes.map(finding))?.failureClass).toBe(worst);
  });

  it('keeps the first of equally serious failures', () => {
    expect(
      worstFinding([
        { ...finding('assertion'), message: 'first' },
        { ...finding('assertion'), message: 'second' },
      ])?.message,
    ).toBe('first');
  });
});

describe('firstDifference', () => {
  it.each([
    [{ a: [1, 2] }, { a: [1, 3] }, '.a[1]'],
    [{ a: 1 }, { a: 1, b: 2 }, '.b'],
    [[1], [1, 2], ''],
    [1, '1', ''],
  ])('%j vs %j differ at "%s"', (expected, actual, path) => {
    expect(firstDifference(expected, actual)?.path).toBe(path);
  });
});

describe('jsonEqual', () => {
  it.each([
    ['equal strings', 'green', 'green', true],
    ['different strings', 'green', 'red', false],
    ['a number and its text', 7, '7', false],
    ['null and its text', null, 'null', false],
    ['true and its text', true, 'true', false],
    ['0 and -0', 0, -0, true],
    ['1 and 1.0', 1, 1.0, true],
    ['null and undefined (both JSON null)', null, undefined, true],
    ['objects with keys in another order', { a: 1, b: [2, { c: 3 }] }, { b: [2, { c: 3 }], a: 1 }, true],
    ['arrays in another order', [1, 2], [2, 1], false],
  ])('%s', (_, a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
  });
});
