// Runs one probe against one site: the loop around the core's decisions. The core builds each
// request and judges each response; this file does the I/O in between (HTTP, the sequence
// store) and measures time. It never throws for anything the platform does: every outcome,
// including the prober's own trouble, comes back as a ProbeResult.
import { errorText } from '../core/errors.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Site } from '../core/model/vocabulary.ts';
import type { ProbeResult } from '../core/model/probing.ts';
import {
  prepareStep,
  createProbeScope,
  createRunRedactor,
  decideProbe,
  evaluateStep,
  proberFailure,
  satisfiesRetry,
  sequenceStream,
  unbuildableStep,
  type ProbeRun,
  type StepEvaluation,
} from '../core/probe/engine.ts';
import type { JudgeContext } from '../core/probe/assertions.ts';
import type { StepObservation } from '../core/probe/explain.ts';
import { decodeJson } from '../core/probe/step.ts';
import type { HttpExchange, HttpRequestSpec, HttpTransport } from '../core/probe/http.ts';
import { stepEnvelope, type ProbeDefinition, type ProbeStep } from '../core/probe/schema.ts';
import { syntheticIdentity } from '../core/probe/synthetic.ts';
import { TemplateError, type TemplateRuntime, type TemplateScope } from '../core/probe/template.ts';
import { epochIn, resetMessage, streamContinuity } from '../core/probe/stream.ts';
import type { Clock, SequenceSource } from '../ports.ts';
import { sleep } from '../sleep.ts';

export type { StepObservation } from '../core/probe/explain.ts';

export interface ProbeEngineDeps {
  readonly transport: HttpTransport;
  readonly sequences: SequenceSource;
  readonly clock: Clock;
  /** uuid(), nonce() and now() for templates; real randomness and the clock by default. */
  readonly runtime?: TemplateRuntime;
  /** Monotonic milliseconds for durations; performance.now by default. */
  readonly monotonicMs?: () => number;
  /** The pause between a polling step's attempts; an abortable timer by default. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Sees each step's last request, exchange and judging context (`hcguard probe test`). */
  readonly observe?: (observation: StepObservation) => void;
}

export interface ProbeTask {
  readonly probe: ProbeDefinition;
  readonly site: Site;
  /** The site's base URL for the probe's stage. */
  readonly baseUrl: string;
  /** Values of the secrets the probe uses. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The site's `vars` (config `sites.<site>.vars`). */
  readonly siteVars?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  readonly drillId?: string;
}

/** Nonces from a pool of random bytes refilled 4 KiB at a time: one system call per 512 nonces. */
const pooledNonce = (): (() => string) => {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + 8 > pool.length) {
      pool = randomBytes(4096);
      offset = 0;
    }
    offset += 8;
    return pool.toString('hex', offset - 8, offset);
  };
};

export const systemTemplateRuntime = (clock: Clock): TemplateRuntime => ({
  now: () => clock.now(),
  uuid: () => randomUUID(),
  nonce: pooledNonce(),
});

const performanceNow = (): number => performance.now();

// The ways out of runProbe, as plain functions: a probe run makes no closures of its own (under
// tsx's keepNames each named closure also costs a defineProperty), and its inputs are spelt out
// rather than spread from a shared object (a spread into a larger object costs a microsecond).
const finished = (
  task: ProbeTask,
  startedAt: string,
  durationMs: number,
  steps: readonly StepEvaluation[],
  abortedBefore?: string,
): ProbeResult =>
  decideProbe({
    probe: task.probe,
    site: task.site,
    startedAt,
    durationMs,
    steps,
    abortedBefore,
    drillId: task.drillId,
  });

const proberError = (task: ProbeTask, startedAt: string, durationMs: number, message: string): ProbeResult =>
  proberFailure({ probe: task.probe, site: task.site, startedAt, durationMs, message, drillId: task.drillId });

type Sent =
  | {
      readonly request: HttpRequestSpec;
      readonly exchange: HttpExchange;
      readonly attempts: number;
      /** The judging context with this step's own vars. */
      readonly context: JudgeContext;
    }
  | { readonly unbuildable: TemplateError };

/**
 * Sends a step; a step with `retry` is sent again (request rendered afresh: new timestamps and
 * nonces) until its response satisfies `until`, all attempts within the step's own timeout.
 */
const sendStep = async (
  step: ProbeStep,
  task: ProbeTask,
  context: JudgeContext,
  deps: ProbeEngineDeps,
  monotonicMs: () => number,
): Promise<Sent> => {
  const { signal } = task;
  const started = monotonicMs();
  for (let attempts = 1; ; attempts++) {
    let request;
    let scope;
    try {
      ({ request, scope } = prepareStep(step, task.baseUrl, context.scope, context.runtime));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { unbuildable: error };
    }
    const timeoutMs =
      attempts === 1 ? step.timeoutMs : Math.max(1, Math.floor(step.timeoutMs - (monotonicMs() - started)));
    const exchange = await deps.transport.send(request, {
      timeoutMs,
      maxBodyBytes: step.maxBodyBytes,
      ...(signal ? { signal } : {}),
    });
    const pause = step.retry?.intervalMs ?? 0;
    const last =
      !step.retry ||
      attempts >= step.retry.attempts ||
      signal?.aborted === true ||
      step.timeoutMs - (monotonicMs() - started) <= pause;
    const judged = scope === context.scope ? context : { ...context, scope };
    if (last || satisfiesRetry(step, exchange, judged)) return { request, exchange, attempts, context: judged };
    try {
      await (deps.sleep ?? sleep)(pause, signal);
    } catch {
      return { request, exchange, attempts, context: judged };
    }
  }
};

export const runProbe = async (task: ProbeTask, deps: ProbeEngineDeps): Promise<ProbeResult> => {
  const { probe, site, signal } = task;
  const runtime = deps.runtime ?? systemTemplateRuntime(deps.clock);
  const monotonicMs = deps.monotonicMs ?? performanceNow;
  const startedAt = deps.clock.now().toISOString();
  const started = monotonicMs();
  const firstStep = probe.steps[0]?.name ?? 'the first step';
  if (signal?.aborted) return finished(task, startedAt, 0, [], firstStep);

  let sequence: ProbeRun['sequence'];
  const stream = sequenceStream(probe, site, runtime);
  if (stream !== undefined) {
    try {
      const position = await deps.sequences.position(stream, signal);
      sequence = { stream, seq: position.next, ...(position.epoch === undefined ? {} : { epoch: position.epoch }) };
    } catch (error) {
      if (signal?.aborted) return finished(task, startedAt, monotonicMs() - started, [], firstStep);
      return proberError(
        task,
        startedAt,
        monotonicMs() - started,
        `the sequence number of stream ${stream} could not be read: ${errorText(error)}`,
      );
    }
  }
  const run: ProbeRun = {
    probe,
    site,
    identity: syntheticIdentity(runtime.nonce()),
    secrets: task.secrets,
    ...(sequence ? { sequence } : {}),
    ...(task.siteVars ? { siteVars: task.siteVars } : {}),
  };
  let scope: TemplateScope;
  try {
    scope = createProbeScope(run, runtime);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return proberError(
      task,
      startedAt,
      monotonicMs() - started,
      createRunRedactor(run, {}).text(`vars could not be computed: ${error.message}`),
    );
  }
  let captures: Record<string, unknown> = {};
  let redactor = createRunRedactor(run, scope);
  const evaluations: StepEvaluation[] = [];
  const warnings: string[] = [];
  let streamReset: string | undefined;
  let abortedBefore: string | undefined;

  for (const step of probe.steps) {
    if (signal?.aborted) {
      abortedBefore = step.name;
      break;
    }
    const judged = { scope, runtime, redactor };
    const sent = await sendStep(step, task, judged, deps, monotonicMs);
    if ('unbuildable' in sent) {
      evaluations.push(unbuildableStep(step, sent.unbuildable, redactor));
      break;
    }
    const envelope = stepEnvelope(probe, step);
    const judgedStep = evaluateStep(step, sent.exchange, sent.context, envelope);
    const evaluation =
      sent.attempts > 1 ? { ...judgedStep, result: { ...judgedStep.result, attempts: sent.attempts } } : judgedStep;
    deps.observe?.({
      step,
      request: sent.request,
      exchange: sent.exchange,
      context: sent.context,
      evaluation,
      ...(envelope ? { envelope } : {}),
    });
    evaluations.push(evaluation);
    if (sequence && probe.sequence?.commitAfter === step.name && evaluation.acknowledged) {
      const epochPath = probe.sequence.epoch;
      const epoch =
        epochPath === undefined
          ? undefined
          : epochIn(sent.exchange.ok ? decodeJson(sent.exchange.body).json : undefined, epochPath);
      if (epochPath !== undefined && epoch === undefined)
        warnings.push(
          `no stream epoch at ${epochPath} in the ${step.name} response: a stream reset would read as loss`,
        );
      const continuity = streamContinuity(sequence.epoch, epoch);
      if (continuity.kind === 'reset') {
        streamReset = resetMessage(sequence.stream, sequence.seq, continuity);
        scope = { ...scope, streamFrom: sequence.seq };
      }
      try {
        await deps.sequences.commit(sequence.stream, sequence.seq, signal, epoch);
      } catch (error) {
        // The platform holds the record; the next round re-sends this number, which it treats as a duplicate.
        warnings.push(
          `sequence ${sequence.seq} of stream ${sequence.stream} was sent but could not be saved: ${errorText(error)}`,
        );
      }
    }
    if (evaluation.result.outcome === 'failed') break;
    if (Object.keys(evaluation.captures).length === 0) continue;
    captures = { ...captures, ...evaluation.captures };
    scope = { ...scope, ...evaluation.captures };
    if (probe.sensitive.some((name) => Object.hasOwn(evaluation.captures, name)))
      redactor = createRunRedactor(run, scope, captures);
  }
  const result = finished(task, startedAt, monotonicMs() - started, evaluations, abortedBefore);
  if (!warnings.length && streamReset === undefined) return result;
  return {
    ...result,
    ...(streamReset === undefined ? {} : { streamReset: redactor.text(streamReset) }),
    ...(warnings.length ? { warnings: warnings.map((warning) => redactor.text(warning)) } : {}),
  };
};
