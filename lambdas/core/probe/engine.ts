// The probe engine's decisions: build each step's request from the probe definition, judge the
// response, and turn the steps into one result. The app layer (lambdas/app/probe-engine.ts)
// runs the loop and does the I/O in between; nothing here touches the network or the clock.
import type { AssertionFailure, ProbeResult, StepResult } from '../model/probing.ts';
import type { FailureClass, Outcome, Site } from '../model/vocabulary.ts';
import {
  judgeBodySize,
  judgeHeader,
  judgeJson,
  judgeStatus,
  worstFinding,
  type Finding,
  type JudgeContext,
} from './assertions.ts';
import type { HttpExchange, HttpRequestSpec } from './http.ts';
import { queryJson } from './jsonpath.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { needsJson, type LatencyBounds, type ProbeDefinition, type ProbeStep } from './schema.ts';
import { identityValues, type SyntheticIdentity } from './synthetic.ts';
import {
  renderString,
  renderText,
  renderValue,
  TemplateError,
  type TemplateRuntime,
  type TemplateScope,
} from './template.ts';

export const PROBE_USER_AGENT = 'hcguard-probe/1 (synthetic test data)';

export interface ProbeRun {
  readonly probe: ProbeDefinition;
  readonly site: Site;
  readonly identity: SyntheticIdentity;
  /** Values of the secrets the probe's steps use, by name. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The transmission sequence number and stream, for probes that declare `sequence`. */
  readonly sequence?: { readonly stream: string; readonly seq: number };
}

/** The stream name of a probe that declares `sequence`, for the SequenceSource. */
export const sequenceStream = (probe: ProbeDefinition, site: Site, runtime: TemplateRuntime): string | undefined =>
  probe.sequence
    ? renderText(probe.sequence.stream, { site, stage: probe.stage, probe: probe.id }, runtime)
    : undefined;

/** The scope templates start with: built-ins, the sequence, then `vars` rendered in order. */
export const createProbeScope = (run: ProbeRun, runtime: TemplateRuntime): TemplateScope => {
  const base: Record<string, unknown> = {
    site: run.site,
    stage: run.probe.stage,
    probe: run.probe.id,
    identity: { ...run.identity },
    secret: { ...run.secrets },
    vars: {},
  };
  if (run.sequence) Object.assign(base, { seq: run.sequence.seq, stream: run.sequence.stream });
  const definitions = Object.entries(run.probe.vars);
  if (definitions.length === 0) return base;
  const vars: Record<string, unknown> = {};
  for (const [name, value] of definitions) {
    // vars may not use secrets (checked by the schema), so the scope they see has none.
    vars[name] = renderValue(value, { ...base, secret: {}, vars: { ...vars } }, runtime);
  }
  return { ...base, vars };
};

const NOTHING_CAPTURED: Readonly<Record<string, unknown>> = Object.freeze({});

/** A run's sensitive values, gathered when a message first needs redacting (most results never do). */
class RunSensitiveValues implements Iterable<unknown> {
  constructor(
    private readonly run: ProbeRun,
    private readonly vars: Readonly<Record<string, unknown>>,
    private readonly captures: Readonly<Record<string, unknown>>,
  ) {}

  *[Symbol.iterator](): Iterator<unknown> {
    yield* Object.values(this.run.secrets);
    yield* identityValues(this.run.identity);
    for (const name of this.run.probe.sensitive)
      yield Object.hasOwn(this.captures, name) ? this.captures[name] : this.vars[name];
  }
}

/** Values results must never show in clear: secrets, the identity, and the probe's `sensitive` names. */
export const createRunRedactor = (
  run: ProbeRun,
  scope: TemplateScope,
  captures: Readonly<Record<string, unknown>> = NOTHING_CAPTURED,
): Redactor =>
  createRedactor(new RunSensitiveValues(run, (scope.vars ?? NOTHING_CAPTURED) as Record<string, unknown>, captures));

const ABSOLUTE_URL = /^https?:\/\//i;
const SLASH = 47;

/**
 * The base URL without trailing slashes, a slash, the path without leading ones (string edits, not
 * regex replaces: every request).
 */
const joinUrl = (baseUrl: string, path: string): string => {
  if (ABSOLUTE_URL.test(path)) return path;
  let end = baseUrl.length;
  while (end > 0 && baseUrl.charCodeAt(end - 1) === SLASH) end--;
  let start = 0;
  while (start < path.length && path.charCodeAt(start) === SLASH) start++;
  return `${end === baseUrl.length ? baseUrl : baseUrl.slice(0, end)}/${start === 0 ? path : path.slice(start)}`;
};

/** The request a step sends; throws TemplateError when a template cannot be rendered. */
export const buildRequest = (
  step: ProbeStep,
  baseUrl: string,
  scope: TemplateScope,
  runtime: TemplateRuntime,
): HttpRequestSpec => {
  const url = joinUrl(baseUrl, renderText(step.path, scope, runtime));
  const headers: Record<string, string> = { 'user-agent': PROBE_USER_AGENT, accept: 'application/json' };
  for (const [name, value] of Object.entries(step.headers))
    headers[name.toLowerCase()] = renderText(value, scope, runtime);
  if (step.body === undefined) return { method: step.method, url, headers };
  const rendered =
    typeof step.body === 'string' ? renderString(step.body, scope, runtime) : renderValue(step.body, scope, runtime);
  const isText = typeof rendered === 'string';
  if (!headers['content-type']) headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json';
  return { method: step.method, url, headers, body: isText ? rendered : JSON.stringify(rendered) };
};

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

const decodeJson = (body: Uint8Array): { json?: unknown; problem?: string } => {
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
    return { problem: `response body is not valid JSON (${(error as Error).message.slice(0, 80)})` };
  }
};

const WITHIN_BOUNDS: { readonly outcome: Outcome; readonly message?: string } = Object.freeze({ outcome: 'ok' });

const latencyVerdict = (
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

/** Judges one step's exchange: transport failure, status, size, headers, JSON, captures, latency. */
export const evaluateStep = (step: ProbeStep, exchange: HttpExchange, context: JudgeContext): StepEvaluation => {
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
  if (needsJson(step)) {
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
      for (const assertion of step.expect.json) {
        const finding = judgeJson(assertion, json, context);
        if (finding) findings.push(finding);
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

  let captures = NOTHING_CAPTURED;
  const toCapture = Object.entries(step.capture);
  if (toCapture.length > 0) {
    const captured: Record<string, unknown> = {};
    for (const [name, path] of toCapture) {
      const match = queryJson(json, path);
      if (!match.found) {
        const finding: Finding = {
          failureClass: 'assertion',
          assertion: `${path} capture`,
          expected: 'present',
          actual: '(absent)',
          message: `cannot capture ${name}: ${path} is absent`,
        };
        return failedStep(step, durationMs, 'assertion', finding.message, { status, finding, acknowledged: true });
      }
      captured[name] = match.value;
    }
    captures = captured;
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

/** A step whose request could not even be built (a template needed a value the platform did not give). */
export const unbuildableStep = (step: ProbeStep, error: TemplateError, redactor: Redactor): StepEvaluation =>
  failedStep(step, 0, 'assertion', redactor.text(`cannot build the request: ${error.message}`));

export interface ProbeOutcomeInput {
  readonly probe: ProbeDefinition;
  readonly site: Site;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly steps: readonly StepEvaluation[];
  /** Set when the caller's deadline stopped the probe before a step could run. */
  readonly abortedBefore?: string;
  readonly drillId?: string;
}

type Verdict = Pick<ProbeResult, 'outcome' | 'failureClass' | 'message' | 'failure'>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

// Built as one literal plus the optional fields that are set, in the order results have always
// had: on Node 20, spreading an object into a larger one costs about a microsecond, every probe.
const probeResult = (input: ProbeOutcomeInput, verdict: Verdict): ProbeResult => {
  const { probe, site, startedAt, drillId } = input;
  const durationMs = Math.round(input.durationMs);
  const steps = input.steps.map((step) => step.result);
  const { outcome } = verdict;
  const result: Writable<ProbeResult> = drillId
    ? { probeId: probe.id, site, stage: probe.stage, startedAt, durationMs, steps, drillId, outcome }
    : { probeId: probe.id, site, stage: probe.stage, startedAt, durationMs, steps, outcome };
  if (verdict.failureClass) result.failureClass = verdict.failureClass;
  if (verdict.message !== undefined) result.message = verdict.message;
  if (verdict.failure) result.failure = verdict.failure;
  return result;
};

/** The probe's result: the first failed step decides; otherwise latency can degrade or fail it. */
export const decideProbe = (input: ProbeOutcomeInput): ProbeResult => {
  const failed = input.steps.find((step) => step.result.outcome === 'failed');
  if (failed) {
    const { name, failureClass, message } = failed.result;
    return probeResult(input, {
      outcome: 'failed',
      failureClass,
      message: `${name}: ${message ?? 'failed'}`,
      failure: failed.failure,
    });
  }
  if (input.abortedBefore !== undefined) {
    return probeResult(input, {
      outcome: 'failed',
      failureClass: 'aborted',
      message: `the prober's deadline came before step ${input.abortedBefore}`,
    });
  }
  const latency = latencyVerdict(input.durationMs, input.probe.latencyMs, 'probe');
  if (latency.outcome === 'failed')
    return probeResult(input, { outcome: 'failed', failureClass: 'timeout', message: latency.message ?? '' });
  const slowStep = input.steps.find((step) => step.result.outcome === 'degraded');
  if (latency.outcome === 'degraded')
    return probeResult(input, { outcome: 'degraded', message: latency.message ?? '' });
  if (slowStep)
    return probeResult(input, {
      outcome: 'degraded',
      message: `${slowStep.result.name}: ${slowStep.result.message ?? 'slow'}`,
    });
  return probeResult(input, { outcome: 'ok' });
};

/** The prober itself could not run the probe (a secret or the sequence store was unavailable). */
export const proberFailure = (
  input: Omit<ProbeOutcomeInput, 'steps' | 'abortedBefore'> & { readonly message: string },
): ProbeResult => ({
  probeId: input.probe.id,
  site: input.site,
  stage: input.probe.stage,
  startedAt: input.startedAt,
  durationMs: Math.round(input.durationMs),
  outcome: 'failed',
  failureClass: 'aborted',
  message: `prober error, nothing was learnt about the platform: ${input.message}`,
  proberError: true,
  steps: [],
  ...(input.drillId ? { drillId: input.drillId } : {}),
});
