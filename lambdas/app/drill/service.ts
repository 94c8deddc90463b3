// The drill runner: observes the world (./observe.ts), lets the core's phase machine decide
// (core/drill/machine.ts), carries out its actions (./execute.ts), and stores the drill after every
// tick under a lease (core/drill/lease.ts). Everything it knows is in the stored drill, so any
// process can continue it: the CLI after Ctrl-C or a crash, the next Lambda invocation after a
// deadline.
//
// - `advance` runs until the drill finishes or the deadline comes; a paused drill keeps its
//   state (and the fault, and traffic where it is) recorded, to be resumed or aborted.
// - Faults go in with an expiry just past the drill's time limit (the sandbox and fault hooks
//   drop them on their own), so a drill nobody resumes cannot break the platform forever.
import { randomBytes } from 'node:crypto';
import {
  drillChanged,
  drillLeaseMs,
  heldByOther,
  impactDue,
  leaseRenewDue,
  mergeAfterConflict,
  stampForSave,
  staleClaim,
  writesAhead,
} from '../../core/drill/lease.ts';
import { advanceDrill } from '../../core/drill/machine.ts';
import type { DrillRecord } from '../../core/drill/model.ts';
import { newDrill } from '../../core/drill/new-drill.ts';
import { applyActionResult } from '../../core/drill/outcomes.ts';
import { renderDrillHtml } from '../../core/drill/report-html.ts';
import { renderDrillMarkdown } from '../../core/drill/report-markdown.ts';
import { resolveDrillRequest } from '../../core/drill/request.ts';
import { drillPollMs } from '../../core/drill/timing.ts';
import { AlreadyExistsError, errorText, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import { sleep as abortableSleep } from '../../sleep.ts';
import { execute } from './execute.ts';
import { observe } from './observe.ts';
import {
  DrillInputError,
  newDrillId,
  type AdvanceOptions,
  type AdvanceResult,
  type DrillReport,
  type DrillService,
  type DrillServiceDeps,
  type StartInput,
} from './types.ts';

/** Saves that only a live lease holder may make; a release is a short call of its own. */
const RELEASE_TIMEOUT_MS = 10_000;
const MAX_REPORT_RESULTS = 20_000;
/** The citizens' view a report keeps at most. */
const MAX_IMPACT_SAMPLES = 240;

/** Another process holds the drill's lease: this one must not act on it. */
class DrillBusyError extends Error {
  constructor(readonly drill: DrillRecord) {
    super(`drill ${drill.id} is being advanced by ${drill.runner?.id} until ${drill.runner?.leaseUntil}`);
    this.name = 'DrillBusyError';
  }
}

export const createDrillService = (deps: DrillServiceDeps): DrillService => {
  const { config, clock, drills } = deps;
  const pollMs = deps.pollMs ?? drillPollMs(config);
  const sleep = deps.sleep ?? abortableSleep;
  const runnerId = deps.runnerId ?? `runner-${randomBytes(6).toString('hex')}`;
  const newId = deps.newId ?? newDrillId;
  const leaseMs = drillLeaseMs(config, pollMs);
  const lease = () => ({ runnerId, until: new Date(clock.now().getTime() + leaseMs) });

  /** Stores a tick; after a lost race, merges the abort request written meanwhile (the only write others make). */
  const persist = async (
    next: DrillRecord,
    previous: DrillRecord,
    options: { holdLease: boolean; signal?: AbortSignal },
  ): Promise<DrillRecord> => {
    const held = options.holdLease ? lease() : undefined;
    const candidate = stampForSave(next, previous, held);
    try {
      await drills.save(candidate, previous, options.signal);
      return candidate;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const stored = await drills.get(next.id, options.signal);
      if (!stored) throw error;
      if (heldByOther(stored, runnerId, clock.now())) throw new DrillBusyError(stored);
      const merged = stampForSave(mergeAfterConflict(next, stored), stored, held);
      await drills.save(merged, stored, options.signal);
      return merged;
    }
  };

  const captureImpact = async (drill: DrillRecord, signal?: AbortSignal): Promise<DrillRecord> => {
    if (!deps.impact || !impactDue(drill)) return drill;
    try {
      const until = new Date(drill.endedAt ?? clock.now().toISOString());
      const samples = await deps.impact(new Date(drill.startedAt), until, signal);
      return samples.length ? { ...drill, impact: samples.slice(-MAX_IMPACT_SAMPLES) } : drill;
    } catch {
      // The report then simply has no citizens' view; the drill itself is complete.
      return drill;
    }
  };

  const create = async (input: StartInput, signal?: AbortSignal): Promise<DrillRecord> => {
    const request = resolveDrillRequest(config, input);
    if (!request.ok) throw new DrillInputError(request.reason);
    const now = clock.now();
    const drill = newDrill({
      id: newId(now),
      actor: input.actor,
      now,
      policy: config,
      dryRun: input.dryRun,
      ...(request.scenario ? { scenario: request.scenario } : {}),
      ...(request.step ? { step: request.step } : {}),
      ...(input.severities ? { severities: input.severities } : {}),
      ...(deps.records ? {} : { dataUnmeasured: 'no record writer for this platform' }),
    });
    if (input.dryRun) {
      await drills.create(drill, { claimActive: false }, signal);
      return drill;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await drills.create(drill, { claimActive: true }, signal);
        return drill;
      } catch (error) {
        if (!(error instanceof AlreadyExistsError) || !error.entity.startsWith('running drill')) throw error;
        const running = await drills.active(signal);
        const holder = running ? await drills.get(running.drillId, signal) : undefined;
        if (running && attempt === 1 && staleClaim(holder)) {
          await drills.release(running.drillId, signal);
          continue;
        }
        // Recorded without the claim: its pre-flight refuses it, and the refusal is on record.
        await drills.create(drill, { claimActive: false }, signal);
        return drill;
      }
    }
  };

  /** One tick: observe, decide, store ahead what breaks or moves something, act, fold the outcomes in. */
  const tick = async (drill: DrillRecord, signal?: AbortSignal) => {
    const { observation, problems } = await observe(deps, drill, clock.now(), signal);
    const step = advanceDrill(drill, observation, config);
    let stored = drill;
    let next = step.drill;
    if (writesAhead(step.actions) && drillChanged(next, drill)) {
      stored = await persist(next, drill, { holdLease: true, ...(signal ? { signal } : {}) });
      next = stored;
    }
    for (const action of step.actions)
      next = applyActionResult(next, action, await execute(deps, next, action, signal));
    return {
      stored,
      next: await captureImpact(next, signal),
      problem: problems.length ? problems.join('; ') : undefined,
    };
  };

  /** Hands the lease back at once, so a resume (or the next invocation) can continue. */
  const pause = async (id: string, drill: DrillRecord): Promise<DrillRecord> => {
    try {
      const stored = await drills.get(id, AbortSignal.timeout(RELEASE_TIMEOUT_MS));
      if (stored?.runner?.id === runnerId) {
        return await persist(stored, stored, { holdLease: false, signal: AbortSignal.timeout(RELEASE_TIMEOUT_MS) });
      }
      return stored ?? drill;
    } catch {
      // The lease then lapses by itself.
      return drill;
    }
  };

  const advance = async (id: string, options: AdvanceOptions = {}): Promise<AdvanceResult> => {
    const { signal, deadline } = options;
    let drill = await drills.get(id, signal);
    if (!drill) throw new NotFoundError(`drill ${id}`);
    if (drill.status === 'finished') return { drill, state: 'finished' };
    if (heldByOther(drill, runnerId, clock.now())) return { drill, state: 'busy' };
    try {
      while (!signal?.aborted) {
        const previous = drill;
        let next = drill;
        let problem: string | undefined;
        try {
          ({ stored: drill, next, problem } = await tick(drill, signal));
        } catch (error) {
          if (signal?.aborted) break;
          // Could not observe (a read failed): nothing decided, try again next tick.
          problem = errorText(error);
        }
        if (drillChanged(next, drill) || leaseRenewDue(drill, runnerId, leaseMs, clock.now())) {
          drill = await persist(next, drill, { holdLease: true, ...(signal ? { signal } : {}) });
        }
        options.onProgress?.(drill, previous, problem);
        if (drill.status === 'finished') return { drill, state: 'finished' };
        if (deadline && clock.now().getTime() + pollMs >= deadline.getTime()) break;
        try {
          await sleep(pollMs, signal);
        } catch {
          break;
        }
      }
    } catch (error) {
      if (error instanceof DrillBusyError) return { drill: error.drill, state: 'busy' };
      if (!signal?.aborted) throw error;
    }
    return { drill: await pause(id, drill), state: 'paused' };
  };

  /** Advances the drill, or waits while another process holds it, until it finishes or the deadline. */
  const advanceOrWatch = async (id: string, options: AdvanceOptions): Promise<AdvanceResult> => {
    for (;;) {
      const result = await advance(id, options);
      if (result.state !== 'busy') return result;
      if (options.deadline && clock.now().getTime() + pollMs >= options.deadline.getTime()) return result;
      try {
        await sleep(pollMs, options.signal);
      } catch {
        return result;
      }
    }
  };

  const report = async (
    id: string,
    options: { readonly htmlFile?: string; readonly signal?: AbortSignal } = {},
  ): Promise<DrillReport> => {
    const drill = await drills.get(id, options.signal);
    if (!drill) throw new NotFoundError(`drill ${id}`);
    const until = drill.endedAt ?? clock.now().toISOString();
    const history = await deps.store.history({ since: drill.startedAt, limit: MAX_REPORT_RESULTS }, options.signal);
    const input = {
      drill,
      config,
      results: history.filter((result) => result.startedAt <= until),
      generatedAt: clock.now(),
    };
    return {
      drill,
      markdown: renderDrillMarkdown(input, options.htmlFile ? { htmlFile: options.htmlFile } : {}),
      html: renderDrillHtml(input),
    };
  };

  return {
    pollMs,
    create,
    start: async (input, options = {}) => advance((await create(input, options.signal)).id, options),
    advance: (id, options) => advanceOrWatch(id, options ?? {}),
    // Finished or already stopping: nothing to request, only to follow to the end.
    abort: async (id, actor, reason, options = {}) => {
      await drills.requestAbort(id, { by: actor, reason, at: clock.now().toISOString() }, options.signal);
      return advanceOrWatch(id, options);
    },
    get: (id, signal) => drills.get(id, signal),
    list: (limit, signal) => drills.list({ ...(limit ? { limit } : {}) }, signal),
    report,
  };
};
