// The probe engine's decisions: build each step's request from the probe definition, judge the
// response (./step.ts), and turn the steps into one result. The app layer (lambdas/app/probe-engine.ts)
// runs the loop and does the I/O in between; nothing here touches the network or the clock.
import type { ProbeResult } from '../model/probing.ts';
import type { Site } from '../model/vocabulary.ts';
import type { HttpRequestSpec } from './http.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { REQUEST_BODY, type ProbeDefinition, type ProbeStep } from './schema.ts';
import { latencyVerdict, NOTHING_CAPTURED, type StepEvaluation } from './step.ts';
import { identityValues, type SyntheticIdentity } from './synthetic.ts';
import { renderString, renderText, renderValue, type TemplateRuntime, type TemplateScope } from './template.ts';

export { evaluateStep, satisfiesRetry, unbuildableStep, type StepEvaluation } from './step.ts';

export const PROBE_USER_AGENT = 'hcguard-probe/1 (synthetic test data)';

export interface ProbeRun {
  readonly probe: ProbeDefinition;
  readonly site: Site;
  readonly identity: SyntheticIdentity;
  /** Values of the secrets the probe's steps use, by name. */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * The transmission sequence number and stream, for probes that declare `sequence`, and the
   * stream epoch stored with the last commit.
   */
  readonly sequence?: { readonly stream: string; readonly seq: number; readonly epoch?: string };
  /** The site's `vars` from the config, as `siteVars.*`. */
  readonly siteVars?: Readonly<Record<string, unknown>>;
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
    siteVars: { ...run.siteVars },
    vars: {},
  };
  // streamFrom: the first record the platform must still hold (the previous one; after a reset, this one).
  if (run.sequence)
    Object.assign(base, { seq: run.sequence.seq, stream: run.sequence.stream, streamFrom: run.sequence.seq - 1 });
  const definitions = Object.entries(run.probe.vars);
  if (definitions.length === 0) return base;
  const vars: Record<string, unknown> = {};
  for (const [name, value] of definitions) {
    // vars may not use secrets (checked by the schema), so the scope they see has none.
    vars[name] = renderValue(value, { ...base, secret: {}, vars: { ...vars } }, runtime);
  }
  return { ...base, vars };
};

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

/** The scope a step renders and is judged in: the probe's, plus the step's own `vars`, rendered now. */
export const stepScope = (step: ProbeStep, scope: TemplateScope, runtime: TemplateRuntime): TemplateScope => {
  const definitions = Object.entries(step.vars);
  if (definitions.length === 0) return scope;
  const vars: Record<string, unknown> = { ...(scope.vars as Record<string, unknown> | undefined) };
  for (const [name, value] of definitions) vars[name] = renderValue(value, { ...scope, vars: { ...vars } }, runtime);
  return { ...scope, vars };
};

/**
 * The request a step sends and the scope it was built in; throws TemplateError when a template
 * cannot be rendered. The body is rendered first, so headers can sign it (`requestBody`).
 */
export const prepareStep = (
  step: ProbeStep,
  baseUrl: string,
  probeScope: TemplateScope,
  runtime: TemplateRuntime,
): { readonly request: HttpRequestSpec; readonly scope: TemplateScope } => {
  const scope = stepScope(step, probeScope, runtime);
  const url = joinUrl(baseUrl, renderText(step.path, scope, runtime));
  let body: string | undefined;
  let isText = false;
  if (step.body !== undefined) {
    const rendered =
      typeof step.body === 'string' ? renderString(step.body, scope, runtime) : renderValue(step.body, scope, runtime);
    isText = typeof rendered === 'string';
    body = isText ? (rendered as string) : JSON.stringify(rendered);
  }
  const headers: Record<string, string> = { 'user-agent': PROBE_USER_AGENT, accept: 'application/json' };
  const names = Object.keys(step.headers);
  if (names.length) {
    const headerScope = { ...scope, [REQUEST_BODY]: body ?? '' };
    for (const name of names)
      headers[name.toLowerCase()] = renderText(step.headers[name] as string, headerScope, runtime);
  }
  if (body === undefined) return { request: { method: step.method, url, headers }, scope };
  if (!headers['content-type']) headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json';
  return { request: { method: step.method, url, headers, body }, scope };
};

/** The request a step sends; throws TemplateError when a template cannot be rendered. */
export const buildRequest = (
  step: ProbeStep,
  baseUrl: string,
  scope: TemplateScope,
  runtime: TemplateRuntime,
): HttpRequestSpec => prepareStep(step, baseUrl, scope, runtime).request;

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
