// Judging one response against a step's expectations: pure functions from (expectation,
// response, scope) to findings. Every finding is already safe to store: identity values and
// secrets are replaced by short hashes before it leaves this module.
import type { FailureClass } from '../model.ts';
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
const FAILURE_RANK: readonly FailureClass[] = ['wrong-verdict', 'integrity', 'malformed', 'too-large', 'assertion', 'status'];
export const failureRank = (failureClass: FailureClass): number => {
  const rank = FAILURE_RANK.indexOf(failureClass);
  return rank === -1 ? FAILURE_RANK.length : rank;
};

export const worstFinding = (findings: readonly Finding[]): Finding | undefined =>
  findings.reduce<Finding | undefined>((worst, finding) => (!worst || failureRank(finding.failureClass) < failureRank(worst.failureClass) ? finding : worst), undefined);

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

/** Equal as JSON (object keys in any order). Strings, booleans, null and finite numbers compare directly: same answer, no serialising. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (isPlainScalar(a) && isPlainScalar(b)) return a === b;
  if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) return a === b;
  return canonicalJson(a) === canonicalJson(b);
};

/** The first place two JSON values differ, as a path suffix like `.symptoms[1]`; '' when the roots differ. */
export const firstDifference = (expected: unknown, actual: unknown, path = ''): { path: string; expected: unknown; actual: unknown } | undefined => {
  if (jsonEqual(expected, actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    for (let index = 0; index < expected.length; index++) {
      const difference = firstDifference(expected[index], actual[index], `${path}[${index}]`);
      if (difference) return difference;
    }
  }
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
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

export const judgeJson = (assertion: JsonAssertion, json: unknown, context: JudgeContext): Finding | undefined => {
  const { redactor } = context;
  const name = assertion.label ?? assertion.path;
  const shown = (value: unknown) => (value === undefined ? ABSENT : assertion.sensitive ? redactor.whole(value) : redactor.text(display(value)));
  const finding = (kind: string, expected: string, actual: string, message: string): Finding => ({
    failureClass: assertion.failureClass,
    assertion: `${assertion.path} ${kind}`,
    expected,
    actual,
    message: redactor.text(message),
  });
  let match;
  try {
    match = queryJson(json, assertion.path);
  } catch (error) {
    return finding('query', 'a valid JSONPath', 'error', `${name}: cannot evaluate ${assertion.path}: ${(error as Error).message}`);
  }
  const actual = match.found ? match.value : undefined;

  if (assertion.exists !== undefined || assertion.absent !== undefined) {
    const mustExist = assertion.exists ?? !assertion.absent;
    if (match.found === mustExist) return undefined;
    return mustExist
      ? finding('exists', 'present', ABSENT, `${name}: expected to be present, but it is absent`)
      : finding('absent', ABSENT, shown(actual), `${name}: expected to be absent, got ${shown(actual)}`);
  }
  if (assertion.matches !== undefined) {
    const pattern = new RegExp(assertion.matches);
    if (match.found && pattern.test(asText(actual))) return undefined;
    return finding('matches', `/${assertion.matches}/`, shown(actual), `${name}: expected to match /${assertion.matches}/, got ${shown(actual)}`);
  }
  if (assertion.equals !== undefined) {
    const expected = render(assertion.equals, context);
    if (expected.error) return finding('equals', 'a value', 'error', `${name}: cannot compute the expected value: ${expected.error}`);
    if (match.found && jsonEqual(expected.value, actual)) return undefined;
    const difference = match.found ? firstDifference(expected.value, actual) : undefined;
    const where = difference?.path ? `${name}${difference.path}` : name;
    const [wanted, got] = difference?.path ? [difference.expected, difference.actual] : [expected.value, actual];
    return finding('equals', shown(expected.value), shown(actual), `${where}: expected ${shown(wanted)}, got ${shown(got)}`);
  }
  const forbidden = render(assertion.notEquals, context);
  if (forbidden.error) return finding('notEquals', 'a value', 'error', `${name}: cannot compute the forbidden value: ${forbidden.error}`);
  if (!match.found || !jsonEqual(forbidden.value, actual)) return undefined;
  return finding('notEquals', `not ${shown(forbidden.value)}`, shown(actual), `${name}: must not be ${shown(forbidden.value)}, but it is`);
};

export const judgeHeader = (assertion: HeaderAssertion, headers: Readonly<Record<string, string>>, context: JudgeContext): Finding | undefined => {
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
    return actual === undefined ? undefined : finding('absent', ABSENT, display(actual), `header ${key}: expected to be absent, got ${display(actual)}`);
  }
  if (actual === undefined) return finding('present', 'present', ABSENT, `header ${key}: expected to be present, but it is absent`);
  if (assertion.equals !== undefined) {
    const expected = render(assertion.equals, context);
    if (expected.error) return finding('equals', 'a value', 'error', `header ${key}: cannot compute the expected value: ${expected.error}`);
    const wanted = asText(expected.value);
    if (actual !== wanted) return finding('equals', display(wanted), display(actual), `header ${key}: expected ${display(wanted)}, got ${display(actual)}`);
  }
  if (assertion.matches !== undefined && !new RegExp(assertion.matches).test(actual)) {
    return finding('matches', `/${assertion.matches}/`, display(actual), `header ${key}: expected to match /${assertion.matches}/, got ${display(actual)}`);
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
