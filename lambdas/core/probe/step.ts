// Judging one step of a probe: its exchange against the step's expectations (transport, status,
// envelope, gate, assertions, captures, latency). Pure: the app layer sends, this decides.
import type { AssertionFailure, StepResult } from '../model/probing.ts';
import type { FailureClass, Outcome } from '../model/vocabulary.ts';
import {
  judgeBodySize,
  judgeHeader,
  judgeJson,
  judgeStatus,
  worstFinding,
  type Finding,
  type JudgeContext,
} from './assertions.ts';
import { judgeEnvelope } from './envelope.ts';
import type { HttpExchange } from './http.ts';
import { queryJson } from './jsonpath.ts';
import type { Redactor } from './redact.ts';
import { needsJson, type Envelope, type LatencyBounds, type ProbeStep } from './schema.ts';
import { renderString, TemplateError } from './template.ts';

export const NOTHING_CAPTURED: Readonly<Record<string, unknown>> = Object.freeze({});

export interface StepEvaluation {
  readonly result: StepResult;
  /** The assertion that failed, for the result's `failure`. */
  readonly failure?: AssertionFailure;
  /** Values captured for later steps (only when the step did not fail). */
  readonly captures: Readonly<Record<string, unknown>>;
  /** The platform answered with an expected status and a readable body: it took the request (sequence commit). */
  readonly acknowledged: boolean;
}

// One decoder for every response: `fatal` makes invalid UTF-8 throw instead of becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export const decodeJson = (body: Uint8Array): { json?: unknown; problem?: string } => {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { problem: 'response body is not valid UTF-8' };
  }
  if (!text.trim()) return { problem: 'response body is empty, JSON was expected' };
  try {
    return { json: JSON.parse(text) };
  } catch (error) {
    // V8's message quotes the body, which may hold personal data: only the position is kept.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return { problem: `response body is not valid JSON${position ? ` (at byte ${position})` : ''}` };
  }
};

const WITHIN_BOUNDS: { readonly outcome: Outcome; readonly message?: string } = Object.freeze({ outcome: 'ok' });

export const latencyVerdict = (
  durationMs: number,
  bounds: LatencyBounds | undefined,
  what: string,
): { readonly outcome: Outcome; readonly message?: string } => {
  if (!bounds) return WITHIN_BOUNDS;
  if (durationMs > bounds.failedMs)
    return {
      outcome: 'failed',
      message: `${what} took ${Math.round(durationMs)} ms, over the failed bound of ${bounds.failedMs} ms`,
    };
  if (durationMs > bounds.degradedMs)
    return {
      outcome: 'degraded',
      message: `${what} took ${Math.round(durationMs)} ms, over the degraded bound of ${bounds.degradedMs} ms`,
    };
  return WITHIN_BOUNDS;
};

const failedStep = (
  step: ProbeStep,
  durationMs: number,
  failureClass: FailureClass,
  message: string,
  extra: { status?: number; finding?: Finding; acknowledged?: boolean; more?: number } = {},
): StepEvaluation => ({
  result: {
    name: step.name,
    durationMs: Math.round(durationMs),
    ...(extra.status === undefined ? {} : { status: extra.status }),
    outcome: 'failed',
    failureClass,
    message: extra.more ? `${message} (and ${extra.more} more failed check${extra.more === 1 ? '' : 's'})` : message,
  },
  ...(extra.finding
    ? {
        failure: {
          step: step.name,
          assertion: extra.finding.assertion,
          expected: extra.finding.expected,
          actual: extra.finding.actual,
        },
      }
    : {}),
  captures: NOTHING_CAPTURED,
  acknowledged: extra.acknowledged ?? false,
});

const captureFailure = (step: ProbeStep, durationMs: number, status: number, name: string, why: string) => {
  const finding: Finding = {
    failureClass: 'assertion',
    assertion: `${name} capture`,
    expected: 'a value',
    actual: '(absent)',
    message: `cannot capture ${name}: ${why}`,
  };
  return failedStep(step, durationMs, 'assertion', finding.message, { status, finding, acknowledged: true });
};

/**
 * Judges one step's exchange, in order: transport, status, size and headers, the JSON body, the
 * envelope, captures, the gate, the JSON assertions, latency. A refusal (envelope or gate) ends
 * the judging: assertions that depend on the platform having served are not judged.
 */
export const evaluateStep = (
  step: ProbeStep,
  exchange: HttpExchange,
  context: JudgeContext,
  envelope?: Envelope,
): StepEvaluation => {
  const { redactor } = context;
  if (!exchange.ok) {
    return failedStep(
      step,
      exchange.durationMs,
      exchange.failureClass,
      redactor.text(exchange.message),
      exchange.status === undefined ? {} : { status: exchange.status },
    );
  }
  const { status, durationMs } = exchange;
  const statusFinding = judgeStatus(step.expect.status, status);
  if (statusFinding)
    return failedStep(step, durationMs, 'status', statusFinding.message, { status, finding: statusFinding });

  const findings: Finding[] = [];
  const sizeFinding = judgeBodySize(step.expect.maxBodyBytes, exchange.body.byteLength);
  if (sizeFinding) findings.push(sizeFinding);
  for (const assertion of step.expect.headers) {
    const finding = judgeHeader(assertion, exchange.headers, context);
    if (finding) findings.push(finding);
  }
  let json: unknown;
  let judged = context;
  let captured: Record<string, unknown> | undefined;
  const missing: [string, string][] = [];
  let expectedRefusal = false;
  if (needsJson(step, envelope)) {
    const decoded = decodeJson(exchange.body);
    if (decoded.problem) {
      findings.push({
        failureClass: 'malformed',
        assertion: 'JSON body',
        expected: 'a JSON body',
        actual: 'not JSON',
        message: decoded.problem,
      });
    } else {
      json = decoded.json;
      const verdict = envelope ? judgeEnvelope(envelope, json, redactor) : undefined;
      if (verdict?.kind === 'refused')
        return failedStep(step, durationMs, verdict.finding.failureClass, verdict.finding.message, {
          status,
          finding: verdict.finding,
        });
      expectedRefusal = verdict?.kind === 'expected-refusal';
      if (!expectedRefusal) {
        ({ captured, judged } = captureFromBody(step, json, context, missing));
        const gateFinding = step.gate.map((assertion) => judgeJson(assertion, json, judged)).find(Boolean);
        if (gateFinding)
          return failedStep(step, durationMs, gateFinding.failureClass, gateFinding.message, {
            status,
            finding: gateFinding,
          });
        for (const assertion of step.expect.json) {
          const finding = judgeJson(assertion, json, judged);
          if (finding) findings.push(finding);
        }
      }
    }
  }
  const worst = worstFinding(findings);
  if (worst) {
    // An unreadable answer is no acknowledgement: the sequence number is sent again next round.
    const acknowledged = !findings.some((finding) => finding.failureClass === 'malformed');
    return failedStep(step, durationMs, worst.failureClass, worst.message, {
      status,
      finding: worst,
      acknowledged,
      more: findings.length - 1,
    });
  }
  const [absent] = missing;
  if (absent) return captureFailure(step, durationMs, status, absent[0], `${absent[1]} is absent`);

  let captures = NOTHING_CAPTURED;
  if (!expectedRefusal && Object.keys(step.capture).length > 0) {
    const computed = captureComputed(step, captured ?? {}, judged);
    if ('failed' in computed) return captureFailure(step, durationMs, status, computed.failed, computed.why);
    captures = computed.captures;
  }

  const latency = latencyVerdict(durationMs, step.expect.latencyMs, step.name);
  if (latency.outcome === 'failed')
    return failedStep(step, durationMs, 'timeout', latency.message ?? '', { status, acknowledged: true });
  return {
    result: {
      name: step.name,
      durationMs: Math.round(durationMs),
      status,
      outcome: latency.outcome,
      ...(latency.message ? { message: latency.message } : {}),
    },
    captures,
    acknowledged: true,
  };
};

/** This step's captures from the body, and the context its assertions are judged in (they may use them). */
const captureFromBody = (
  step: ProbeStep,
  json: unknown,
  context: JudgeContext,
  missing: [string, string][],
): { captured: Record<string, unknown>; judged: JudgeContext } => {
  const captured: Record<string, unknown> = {};
  for (const [name, capture] of Object.entries(step.capture)) {
    if (typeof capture !== 'string') continue;
    const match = queryJson(json, capture);
    if (match.found) captured[name] = match.value;
    else missing.push([name, capture]);
  }
  const judged = Object.keys(captured).length ? { ...context, scope: { ...context.scope, ...captured } } : context;
  return { captured, judged };
};

/** The computed captures (`{ from, path }`), in the order written, after the body's. */
const captureComputed = (
  step: ProbeStep,
  captured: Record<string, unknown>,
  context: JudgeContext,
): { captures: Record<string, unknown> } | { failed: string; why: string } => {
  const captures = { ...captured };
  let scope = context.scope;
  for (const [name, capture] of Object.entries(step.capture)) {
    if (typeof capture === 'string') continue;
    let value: unknown;
    try {
      value = renderString(capture.from, scope, context.runtime);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { failed: name, why: context.redactor.text(error.message) };
    }
    const match = queryJson(value, capture.path);
    if (!match.found) return { failed: name, why: `${capture.path} is absent from the computed value` };
    captures[name] = match.value;
    scope = { ...scope, [name]: match.value };
  }
  return { captures };
};

/** Whether a response satisfies a step's `retry.until` (a body that is not JSON does not). */
export const satisfiesRetry = (step: ProbeStep, exchange: HttpExchange, context: JudgeContext): boolean => {
  if (!step.retry || !exchange.ok || !step.expect.status.includes(exchange.status)) return !step.retry;
  const decoded = decodeJson(exchange.body);
  if (decoded.problem) return false;
  const { judged } = captureFromBody(step, decoded.json, context, []);
  return judgeJson(step.retry.until, decoded.json, judged) === undefined;
};

/** A step whose request could not even be built (a template needed a value the platform did not give). */
export const unbuildableStep = (step: ProbeStep, error: TemplateError, redactor: Redactor): StepEvaluation =>
  failedStep(step, 0, 'assertion', redactor.text(`cannot build the request: ${error.message}`));
