// What `hcguard probe test` shows for one step: the request as sent and the response as
// received (secrets, identities and sensitive values masked), every check with pass or fail and
// the values it compared, every capture. The verdict itself stays evaluateStep's; this explains it.
import type { Outcome, FailureClass } from '../model/vocabulary.ts';
import { display, judgeHeader, judgeJson, judgeStatus, type JudgeContext } from './assertions.ts';
import { ASSERTION_KINDS, type Envelope, type JsonAssertion } from './assertion-schema.ts';
import { judgeEnvelope } from './envelope.ts';
import type { HttpExchange, HttpRequestSpec } from './http.ts';
import { queryJson } from './jsonpath.ts';
import { createRedactor, type Redactor } from './redact.ts';
import type { ProbeStep } from './schema.ts';
import { decodeJson, type StepEvaluation } from './step.ts';
import { renderString, renderValue, TemplateError } from './template.ts';

/** Header values never shown, whatever they hold: credentials travel in them. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
export const MASKED = '***';

export interface CheckLine {
  readonly what: string;
  readonly passed: boolean;
  readonly expected?: string;
  readonly actual?: string;
  /** Not judged because an earlier check (envelope, gate) decided the step. */
  readonly skipped?: true;
}

export interface StepExplanation {
  readonly step: string;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string;
  };
  readonly response:
    | {
        readonly status: number;
        readonly durationMs: number;
        readonly headers: Readonly<Record<string, string>>;
        readonly bytes: number;
        /** The first part of the body as text, masked. */
        readonly body: string;
        readonly truncated: boolean;
      }
    | { readonly failure: string; readonly durationMs: number };
  readonly checks: readonly CheckLine[];
  readonly captures: Readonly<Record<string, string>>;
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  readonly message?: string;
  readonly attempts?: number;
}

const lossy = new TextDecoder('utf-8');

const maskHeaders = (headers: Readonly<Record<string, string>>, context: JudgeContext): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      CREDENTIAL_HEADERS.has(name.toLowerCase()) ? MASKED : context.redactor.text(value),
    ]),
  );

const kindOf = (assertion: JsonAssertion) => ASSERTION_KINDS.find((kind) => assertion[kind] !== undefined) ?? 'exists';

const shown = (value: unknown, sensitive: boolean, context: JudgeContext): string =>
  value === undefined ? '(absent)' : sensitive ? context.redactor.whole(value) : display(value, context.redactor);

/** The operand an assertion compares with, rendered (templates computed), masked. */
const operand = (assertion: JsonAssertion, context: JudgeContext): string => {
  const kind = kindOf(assertion);
  if (kind === 'exists' || kind === 'absent') return '';
  if (kind === 'matches') return `/${assertion.matches}/`;
  if (kind === 'length') return JSON.stringify(assertion.length);
  const raw =
    kind === 'approx'
      ? assertion.approx?.value
      : kind === 'between'
        ? assertion.between
        : (assertion as Record<string, unknown>)[kind];
  try {
    const value = renderValue(raw, context.scope, context.runtime);
    const text = shown(value, assertion.sensitive, context);
    return kind === 'approx' ? `${text} ± ${assertion.approx?.tolerance}` : text;
  } catch (error) {
    if (error instanceof TemplateError) return `(cannot compute: ${context.redactor.text(error.message)})`;
    throw error;
  }
};

const observed = (assertion: JsonAssertion, json: unknown, context: JudgeContext): string => {
  let subject = json;
  if (assertion.from !== undefined) {
    try {
      subject = renderString(assertion.from, context.scope, context.runtime);
    } catch {
      return '(cannot compute)';
    }
  }
  const match = queryJson(subject, assertion.path);
  return shown(match.found ? match.value : undefined, assertion.sensitive, context);
};

const assertionLine = (
  assertion: JsonAssertion,
  json: unknown,
  context: JudgeContext,
  prefix: string,
  skipped: boolean,
): CheckLine => {
  const kind = kindOf(assertion);
  const subject = assertion.from === undefined ? assertion.path : `${assertion.path} of ${assertion.from}`;
  const what = `${prefix}${assertion.label ? `${assertion.label}: ` : ''}${subject} ${kind}`;
  const expected = operand(assertion, context);
  if (skipped) return { what, passed: false, expected, skipped: true };
  const finding = judgeJson(assertion, json, context);
  return {
    what,
    passed: finding === undefined,
    expected,
    actual: finding?.actual ?? observed(assertion, json, context),
  };
};

/** One step as the probe engine judged it: its last request and exchange, the context, the verdict. */
export interface StepObservation {
  readonly step: ProbeStep;
  readonly request: HttpRequestSpec;
  readonly exchange: HttpExchange;
  readonly context: JudgeContext;
  readonly envelope?: Envelope;
  readonly evaluation: StepEvaluation;
}

export const explainStep = (
  /** `sensitive`: the probe's sensitive names, whose captures are shown as short hashes. */
  input: StepObservation & { readonly sensitive: readonly string[] },
  bodyChars: number,
): StepExplanation => {
  const { step, request, exchange, envelope, evaluation } = input;
  // The run's redactor learns this step's sensitive captures only after it: mask them here too.
  const own = createRedactor(
    input.sensitive.filter((name) => Object.hasOwn(evaluation.captures, name)).map((name) => evaluation.captures[name]),
  );
  const redactor: Redactor = {
    text: (value) => own.text(input.context.redactor.text(value)),
    whole: (value) => input.context.redactor.whole(value),
  };
  const context: JudgeContext = { ...input.context, redactor };
  const checks: CheckLine[] = [];
  const base = {
    step: step.name,
    request: {
      method: request.method,
      url: redactor.text(request.url),
      headers: maskHeaders(request.headers, context),
      ...(request.body === undefined ? {} : { body: redactor.text(request.body) }),
    },
    captures: Object.fromEntries(
      Object.entries(evaluation.captures).map(([name, value]) => [
        name,
        shown(value, input.sensitive.includes(name), context),
      ]),
    ),
    outcome: evaluation.result.outcome,
    ...(evaluation.result.failureClass ? { failureClass: evaluation.result.failureClass } : {}),
    ...(evaluation.result.message ? { message: evaluation.result.message } : {}),
    ...(evaluation.result.attempts ? { attempts: evaluation.result.attempts } : {}),
  };
  if (!exchange.ok)
    return { ...base, response: { failure: redactor.text(exchange.message), durationMs: exchange.durationMs }, checks };

  const text = lossy.decode(exchange.body);
  const response = {
    status: exchange.status,
    durationMs: Math.round(exchange.durationMs),
    headers: maskHeaders(exchange.headers, context),
    bytes: exchange.body.byteLength,
    body: redactor.text(text).slice(0, bodyChars),
    truncated: text.length > bodyChars,
  };
  const status = judgeStatus(step.expect.status, exchange.status);
  checks.push({
    what: 'status',
    passed: !status,
    expected: step.expect.status.join(' or '),
    actual: String(exchange.status),
  });
  for (const assertion of step.expect.headers) {
    const finding = judgeHeader(assertion, exchange.headers, context);
    checks.push({
      what: `header ${assertion.name.toLowerCase()}`,
      passed: !finding,
      ...(finding ? { actual: finding.actual, expected: finding.expected } : {}),
    });
  }
  const { json } = decodeJson(exchange.body);
  let decided = status !== undefined;
  if (envelope && !decided) {
    const verdict = judgeEnvelope(envelope, json, redactor);
    const code = queryJson(json, envelope.code);
    const actual = shown(code.found ? code.value : undefined, false, context);
    checks.push(
      verdict.kind === 'expected-refusal'
        ? { what: `envelope ${envelope.code}: the refusal this step expects`, passed: true, actual }
        : {
            what: `envelope ${envelope.code}`,
            passed: verdict.kind === 'served',
            expected: envelope.ok.map(String).join(' or '),
            actual,
          },
    );
    decided = verdict.kind !== 'served';
  }
  const scoped: JudgeContext = { ...context, scope: { ...context.scope, ...evaluation.captures } };
  for (const assertion of step.gate) {
    const line = assertionLine(assertion, json, scoped, 'gate ', decided);
    checks.push(line);
    if (!line.passed) decided = true;
  }
  for (const assertion of step.expect.json) checks.push(assertionLine(assertion, json, scoped, '', decided));
  return { ...base, response, checks };
};
