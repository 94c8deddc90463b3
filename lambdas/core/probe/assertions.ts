// Judging one response against a step's expectations: pure functions from (expectation,
// response, scope) to findings. Every finding is already safe to store: identity values and
// secrets are replaced by short hashes before it leaves this module.
import type { FailureClass } from '../model/vocabulary.ts';
import { queryJson } from './jsonpath.ts';
import type { Redactor } from './redact.ts';
import { ASSERTION_KINDS, type AssertionKind, type HeaderAssertion, type JsonAssertion } from './assertion-schema.ts';
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
  'rejected',
  'unavailable',
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

/** A value as a human reads it in a result: JSON, redacted when a redactor is given, then shortened. */
export const display = (value: unknown, redactor?: Redactor): string => {
  if (value === undefined) return ABSENT;
  const json = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  // Redacted before shortening: a sensitive value cut in half would no longer be recognised.
  const shown = redactor ? redactor.text(json) : json;
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
  value === undefined ? ABSENT : assertion.sensitive ? redactor.whole(value) : display(value, redactor);

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

/** A number from a JSON value: numbers, and strings that hold one ("37.8"); anything else is not. */
const numeric = (value: unknown): number | undefined => {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
};

const COMPARISONS = {
  gt: { holds: (a: number, b: number) => a > b, words: 'greater than' },
  gte: { holds: (a: number, b: number) => a >= b, words: 'at least' },
  lt: { holds: (a: number, b: number) => a < b, words: 'less than' },
  lte: { holds: (a: number, b: number) => a <= b, words: 'at most' },
} as const;
type Comparison = keyof typeof COMPARISONS;

const sizeOf = (value: unknown): number | undefined =>
  Array.isArray(value) ? value.length : typeof value === 'string' ? [...value].length : undefined;

/** The kind an assertion judges by (the schema allows exactly one). */
const kindOf = (assertion: JsonAssertion): AssertionKind =>
  ASSERTION_KINDS.find((kind) => assertion[kind] !== undefined) ?? 'exists';

export const judgeJson = (assertion: JsonAssertion, json: unknown, context: JudgeContext): Finding | undefined => {
  const { redactor } = context;
  const name = assertion.label ?? assertion.path;
  const kind = kindOf(assertion);
  const fail = (expected: string, actual: string, message: string): Finding =>
    report(assertion, redactor, kind, expected, actual, `${name}: ${message}`);
  let subject = json;
  if (assertion.from !== undefined) {
    const computed = render(assertion.from, context);
    if (computed.error) return fail('a value', 'error', `cannot compute the value to check: ${computed.error}`);
    subject = computed.value;
  }
  let match;
  try {
    match = queryJson(subject, assertion.path);
  } catch (error) {
    return fail('a valid JSONPath', 'error', `cannot evaluate ${assertion.path}: ${(error as Error).message}`);
  }
  const actual = match.found ? match.value : undefined;
  const got = (): string => show(assertion, redactor, actual);

  switch (kind) {
    case 'exists':
    case 'absent': {
      const mustExist = assertion.exists ?? !assertion.absent;
      if (match.found === mustExist) return undefined;
      return mustExist
        ? fail('present', ABSENT, 'expected to be present, but it is absent')
        : fail(ABSENT, got(), `expected to be absent, got ${got()}`);
    }
    case 'matches': {
      const pattern = new RegExp(assertion.matches as string);
      if (match.found && pattern.test(asText(actual))) return undefined;
      return fail(`/${assertion.matches}/`, got(), `expected to match /${assertion.matches}/, got ${got()}`);
    }
    case 'length': {
      const bounds =
        typeof assertion.length === 'number' ? { min: assertion.length, max: assertion.length } : assertion.length;
      const size = sizeOf(actual);
      const { min, max } = bounds ?? {};
      const wanted =
        min === max
          ? `length ${min}`
          : [min === undefined ? '' : `at least ${min}`, max === undefined ? '' : `at most ${max}`]
              .filter(Boolean)
              .join(' and ') + ' long';
      if (size !== undefined && (min === undefined || size >= min) && (max === undefined || size <= max))
        return undefined;
      const shown = size === undefined ? (match.found ? `${got()}, which has no length` : ABSENT) : `length ${size}`;
      return fail(wanted, shown, `expected ${wanted}, got ${shown}`);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'between':
    case 'approx':
      return judgeNumber(assertion, kind, actual, match.found, context, fail);
    case 'equals': {
      const expected = render(assertion.equals, context);
      if (expected.error) return fail('a value', 'error', `cannot compute the expected value: ${expected.error}`);
      if (match.found && jsonEqual(expected.value, actual)) return undefined;
      const difference = match.found ? firstDifference(expected.value, actual) : undefined;
      const where = difference?.path ? `${name}${difference.path}` : name;
      const [wanted, seen] = difference?.path ? [difference.expected, difference.actual] : [expected.value, actual];
      return report(
        assertion,
        redactor,
        'equals',
        show(assertion, redactor, expected.value),
        got(),
        `${where}: expected ${show(assertion, redactor, wanted)}, got ${show(assertion, redactor, seen)}`,
      );
    }
    case 'notEquals': {
      const forbidden = render(assertion.notEquals, context);
      if (forbidden.error) return fail('a value', 'error', `cannot compute the forbidden value: ${forbidden.error}`);
      if (!match.found || !jsonEqual(forbidden.value, actual)) return undefined;
      const value = show(assertion, redactor, forbidden.value);
      return fail(`not ${value}`, got(), `must not be ${value}, but it is`);
    }
  }
};

const judgeNumber = (
  assertion: JsonAssertion,
  kind: Comparison | 'between' | 'approx',
  actual: unknown,
  found: boolean,
  context: JudgeContext,
  fail: (expected: string, actual: string, message: string) => Finding,
): Finding | undefined => {
  const operands =
    kind === 'between' ? (assertion.between ?? []) : kind === 'approx' ? [assertion.approx?.value] : [assertion[kind]];
  const bounds: number[] = [];
  for (const operand of operands) {
    const rendered = render(operand, context);
    const bound = rendered.error === undefined ? numeric(rendered.value) : undefined;
    if (bound === undefined)
      return fail(
        'a number',
        'error',
        `cannot compute the bound: ${rendered.error ?? `${display(rendered.value)} is not a number`}`,
      );
    bounds.push(bound);
  }
  const [first = NaN, second = NaN] = bounds;
  let holds: (value: number) => boolean;
  let wanted: string;
  if (kind === 'between') {
    holds = (value) => value >= first && value <= second;
    wanted = `between ${first} and ${second}`;
  } else if (kind === 'approx') {
    const tolerance = assertion.approx?.tolerance ?? 0;
    holds = (value) => Math.abs(value - first) <= tolerance;
    wanted = `${first} ± ${tolerance}`;
  } else {
    const comparison = COMPARISONS[kind];
    holds = (value) => comparison.holds(value, first);
    wanted = `${comparison.words} ${first}`;
  }
  const value = numeric(actual);
  if (value !== undefined && holds(value)) return undefined;
  const shown = !found
    ? ABSENT
    : assertion.sensitive
      ? context.redactor.whole(actual)
      : display(actual, context.redactor);
  return fail(
    wanted,
    shown,
    value === undefined && found ? `expected a number ${wanted}, got ${shown}` : `expected ${wanted}, got ${shown}`,
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
      : finding(
          'absent',
          ABSENT,
          display(actual, redactor),
          `header ${key}: expected to be absent, got ${display(actual, redactor)}`,
        );
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
        display(wanted, redactor),
        display(actual, redactor),
        `header ${key}: expected ${display(wanted, redactor)}, got ${display(actual, redactor)}`,
      );
  }
  if (assertion.matches !== undefined && !new RegExp(assertion.matches).test(actual)) {
    return finding(
      'matches',
      `/${assertion.matches}/`,
      display(actual, redactor),
      `header ${key}: expected to match /${assertion.matches}/, got ${display(actual, redactor)}`,
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
