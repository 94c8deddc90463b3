// Judging one response against a step's expectations: pure functions from (expectation,
// response, scope) to findings. Every finding is already safe to store: identity values and
// secrets are replaced by short hashes before it leaves this module.
import type { FailureClass } from '../model/vocabulary.ts';
import { queryJson } from './jsonpath.ts';
import type { Redactor } from './redact.ts';
import type { HeaderAssertion, JsonAssertion } from './schema.ts';
import { canonicalJson, renderValue, TemplateError, type TemplateRuntime, type TemplateScope } from './template.ts';

export interface Finding {
  readonly failureClass: FailureClass;
  /** What was checked, e.g. `$.verdict equals` or `status`. */
  readonly assertion: string;
  readonly expected: string;
  readonly actual: string;
  /** One line for humans, e.g. `temperature: expected 36.6, got 38.1`. */
  readonly message: string;
}

export interface JudgeContext {
  readonly scope: TemplateScope;
  readonly runtime: TemplateRuntime;
  readonly redactor: Redactor;
}

/** Most serious first: when several checks fail, the result reports the worst. */
const FAILURE_RANK: readonly FailureClass[] = [
  'wrong-verdict',
  'integrity',
  'malformed',
  'too-large',
  'assertion',
  'status',
];
export const failureRank = (failureClass: FailureClass): number => {
  const rank = FAILURE_RANK.indexOf(failureClass);
  return rank === -1 ? FAILURE_RANK.length : rank;
};

export const worstFinding = (findings: readonly Finding[]): Finding | undefined =>
  findings.reduce<Finding | undefined>(
    (worst, finding) =>
      !worst || failureRank(finding.failureClass) < failureRank(worst.failureClass) ? finding : worst,
    undefined,
  );

const MAX_SHOWN = 120;
const ABSENT = '(absent)';

/** A value as a human reads it in a result: JSON, shortened. */
export const display = (value: unknown): string => {
  if (value === undefined) return ABSENT;
  const shown = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 1)}…` : shown;
};

const isPlainScalar = (value: unknown): value is string | boolean | null =>
  value === null || typeof value === 'string' || typeof value === 'boolean';

/**
 * Equal as JSON (object keys in any order). Strings, booleans, null and finite numbers compare
 * directly: same answer, no serialising.
 */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (isPlainScalar(a) && isPlainScalar(b)) return a === b;
  if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  return canonicalJson(a) === canonicalJson(b);
};

/** The first place two JSON values differ, as a path suffix like `.symptoms[1]`; '' when the roots differ. */
export const firstDifference = (
  expected: unknown,
  actual: unknown,
  path = '',
): { path: string; expected: unknown; actual: unknown } | undefined => {
  if (jsonEqual(expected, actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    for (let index = 0; index < expected.length; index++) {
      const difference = firstDifference(expected[index], actual[index], `${path}[${index}]`);
      if (difference) return difference;
    }
  }
  const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      const difference = firstDifference(expected[key], actual[key], `${path}.${key}`);
      if (difference) return difference;
    }
  }
  return { path, expected, actual };
};

const render = (value: unknown, context: JudgeContext): { value?: unknown; error?: string } => {
  try {
    return { value: renderValue(value, context.scope, context.runtime) };
  } catch (error) {
    if (error instanceof TemplateError) return { error: error.message };
    throw error;
  }
};

const asText = (value: unknown): string => (typeof value === 'string' ? value : canonicalJson(value));

// judgeJson runs for every assertion of every probe and mostly finds nothing to report, so its
// two helpers live out here instead of being made afresh as closures on every call.
const show = (assertion: JsonAssertion, redactor: Redactor, value: unknown): string =>
  value === undefined ? ABSENT : assertion.sensitive ? redactor.whole(value) : redactor.text(display(value));

const report = (
  assertion: JsonAssertion,
  redactor: Redactor,
  kind: string,
  expected: string,
  actual: string,
  message: string,
): Finding => ({
  failureClass: assertion.failureClass,
  assertion: `${assertion.path} ${kind}`,
  expected,
  actual,
  message: redactor.text(message),
});

export const judgeJson = (assertion: JsonAssertion, json: unknown, context: JudgeContext): Finding | undefined => {
  const { redactor } = context;
  const name = assertion.label ?? assertion.path;
  let match;
  try {
    match = queryJson(json, assertion.path);
  } catch (error) {
    return report(
      assertion,
      redactor,
      'query',
      'a valid JSONPath',
      'error',
      `${name}: cannot evaluate ${assertion.path}: ${(error as Error).message}`,
    );
  }
  const actual = match.found ? match.value : undefined;

  if (assertion.exists !== undefined || assertion.absent !== undefined) {
    const mustExist = assertion.exists ?? !assertion.absent;
    if (match.found === mustExist) return undefined;
    if (mustExist)
      return report(
        assertion,
        redactor,
        'exists',
        'present',
        ABSENT,
        `${name}: expected to be present, but it is absent`,
      );
    const got = show(assertion, redactor, actual);
    return report(assertion, redactor, 'absent', ABSENT, got, `${name}: expected to be absent, got ${got}`);
  }
  if (assertion.matches !== undefined) {
    const pattern = new RegExp(assertion.matches);
    if (match.found && pattern.test(asText(actual))) return undefined;
    const got = show(assertion, redactor, actual);
    return report(
      assertion,
      redactor,
      'matches',
      `/${assertion.matches}/`,
      got,
      `${name}: expected to match /${assertion.matches}/, got ${got}`,
    );
  }
  if (assertion.equals !== undefined) {
    const expected = render(assertion.equals, context);
    if (expected.error)
      return report(
        assertion,
        redactor,
        'equals',
        'a value',
        'error',
        `${name}: cannot compute the expected value: ${expected.error}`,
      );
    if (match.found && jsonEqual(expected.value, actual)) return undefined;
    const difference = match.found ? firstDifference(expected.value, actual) : undefined;
    const where = difference?.path ? `${name}${difference.path}` : name;
    const [wanted, got] = difference?.path ? [difference.expected, difference.actual] : [expected.value, actual];
    const message = `${where}: expected ${show(assertion, redactor, wanted)}, got ${show(assertion, redactor, got)}`;
    return report(
      assertion,
      redactor,
      'equals',
      show(assertion, redactor, expected.value),
      show(assertion, redactor, actual),
      message,
    );
  }
  const forbidden = render(assertion.notEquals, context);
  if (forbidden.error)
    return report(
      assertion,
      redactor,
      'notEquals',
      'a value',
      'error',
      `${name}: cannot compute the forbidden value: ${forbidden.error}`,
    );
  if (!match.found || !jsonEqual(forbidden.value, actual)) return undefined;
  const value = show(assertion, redactor, forbidden.value);
  return report(
    assertion,
    redactor,
    'notEquals',
    `not ${value}`,
    show(assertion, redactor, actual),
    `${name}: must not be ${value}, but it is`,
  );
};

export const judgeHeader = (
  assertion: HeaderAssertion,
  headers: Readonly<Record<string, string>>,
  context: JudgeContext,
): Finding | undefined => {
  const { redactor } = context;
  const key = assertion.name.toLowerCase();
  const actual = headers[key];
  const finding = (kind: string, expected: string, got: string, message: string): Finding => ({
    failureClass: 'assertion',
    assertion: `header ${key} ${kind}`,
    expected: redactor.text(expected),
    actual: redactor.text(got),
    message: redactor.text(message),
  });
  if (!assertion.present) {
    return actual === undefined
      ? undefined
      : finding('absent', ABSENT, display(actual), `header ${key}: expected to be absent, got ${display(actual)}`);
  }
  if (actual === undefined)
    return finding('present', 'present', ABSENT, `header ${key}: expected to be present, but it is absent`);
  if (assertion.equals !== undefined) {
    const expected = render(assertion.equals, context);
    if (expected.error)
      return finding(
        'equals',
        'a value',
        'error',
        `header ${key}: cannot compute the expected value: ${expected.error}`,
      );
    const wanted = asText(expected.value);
    if (actual !== wanted)
      return finding(
        'equals',
        display(wanted),
        display(actual),
        `header ${key}: expected ${display(wanted)}, got ${display(actual)}`,
      );
  }
  if (assertion.matches !== undefined && !new RegExp(assertion.matches).test(actual)) {
    return finding(
      'matches',
      `/${assertion.matches}/`,
      display(actual),
      `header ${key}: expected to match /${assertion.matches}/, got ${display(actual)}`,
    );
  }
  return undefined;
};

export const judgeStatus = (expected: readonly number[], status: number): Finding | undefined =>
  expected.includes(status)
    ? undefined
    : {
        failureClass: 'status',
        assertion: 'status',
        expected: expected.join(' or '),
        actual: String(status),
        message: `HTTP ${status}, expected ${expected.join(' or ')}`,
      };

export const judgeBodySize = (maxBytes: number | undefined, bytes: number): Finding | undefined =>
  maxBytes === undefined || bytes <= maxBytes
    ? undefined
    : {
        failureClass: 'too-large',
        assertion: 'body size',
        expected: `at most ${maxBytes} bytes`,
        actual: `${bytes} bytes`,
        message: `body is ${bytes} bytes, over the bound of ${maxBytes}`,
      };
