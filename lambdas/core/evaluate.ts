// Turns one round's probe results into target states with hysteresis and flap detection.
// Pure: results, prior states, policy and `now` in; next states, transitions and actions out.
//
// Rules (Gatus' thresholds, with the degraded state and flap detection users of such tools ask for):
// - One observation per (site, stage) per round: the worst outcome of its results wins.
// - `aborted` results are ignored: the prober ran out of time, which says nothing about the
//   platform. A target with no other result this round stays exactly as it was.
// - failing after `failureThreshold` failed rounds in a row; from failing, healthy after
//   `successThreshold` ok rounds in a row, or degraded after as many answering (ok or degraded)
//   rounds; healthy → degraded after `failureThreshold` rounds in a row that were not ok;
//   degraded → healthy after `successThreshold` ok rounds. A target never seen before takes its
//   first answer at face value (ok → healthy, degraded → degraded); failures still need the
//   threshold, so a slow start does not page anyone.
// - Flap detection: when hysteresis changed the health `flap.changes` times within
//   `flap.windowMinutes`, the target is held at failing (and says so) until the changes age out.
import type { HcguardConfig } from './config/schema.ts';
import {
  SITES,
  STAGES,
  targetKey,
  type FailureClass,
  type Outcome,
  type Site,
  type Stage,
} from './model/vocabulary.ts';
import type { ProbeResult, TargetHealth, TargetState } from './model/probing.ts';

export type DetectionPolicy = HcguardConfig['detection'];

export interface EvaluationInput {
  readonly results: readonly ProbeResult[];
  readonly prior: readonly TargetState[];
  readonly policy: DetectionPolicy;
  readonly now: Date;
}

export interface TargetTransition {
  readonly site: Site;
  readonly stage: Stage;
  readonly from: TargetHealth;
  readonly to: TargetHealth;
  /** Flap detection holds `to` at failing; a transition is also reported when only this changes. */
  readonly flapping: boolean;
  readonly at: string;
  /** Why, in words an operator reads in the timeline. */
  readonly reason: string;
}

export type EvaluationAction =
  /** Store every result of the round (history), aborted ones included: they show the prober's own trouble. */
  | { readonly type: 'record-results'; readonly results: readonly ProbeResult[] }
  /** Store a target whose state or counters changed (conditional on the version read). */
  | { readonly type: 'save-target'; readonly target: TargetState; readonly expectedVersion: number };

export interface Evaluation {
  /** Every target known after this round, in site then stage order. */
  readonly targets: readonly TargetState[];
  readonly transitions: readonly TargetTransition[];
  readonly actions: readonly EvaluationAction[];
}

const OUTCOME_RANK: Record<Outcome, number> = { ok: 0, degraded: 1, failed: 2 };

/** The round's one observation of a target: its worst result (the first such in probe id order). */
interface Observation {
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  readonly message?: string;
  readonly status?: number;
  readonly at: string;
  readonly streamReset?: string;
}

const failedStatus = (result: ProbeResult): number | undefined =>
  result.steps.find((step) => step.outcome !== 'ok' && step.status !== undefined)?.status;

const observe = (results: readonly ProbeResult[]): Observation | undefined => {
  const counted = results
    .filter((result) => result.failureClass !== 'aborted')
    .toSorted((a, b) => OUTCOME_RANK[b.outcome] - OUTCOME_RANK[a.outcome] || a.probeId.localeCompare(b.probeId));
  const worst = counted[0];
  if (!worst) return undefined;
  const latest = counted.reduce((at, result) => (result.startedAt > at ? result.startedAt : at), worst.startedAt);
  const reset = counted.find((result) => result.streamReset !== undefined)?.streamReset;
  const status = failedStatus(worst);
  return {
    outcome: worst.outcome,
    failureClass: worst.failureClass,
    message: worst.message,
    ...(status === undefined ? {} : { status }),
    at: latest,
    ...(reset === undefined ? {} : { streamReset: reset }),
  };
};

/** A reset is kept until `successThreshold` good rounds followed it: its incident's life. */
const nextStreamReset = (
  prior: TargetState['streamReset'],
  observation: Observation,
  policy: DetectionPolicy,
): TargetState['streamReset'] => {
  if (observation.streamReset !== undefined)
    return { at: observation.at, message: observation.streamReset, goodRoundsSince: 0 };
  if (!prior) return undefined;
  const goodRoundsSince = prior.goodRoundsSince + (observation.outcome === 'ok' ? 1 : 0);
  return goodRoundsSince >= policy.successThreshold ? undefined : { ...prior, goodRoundsSince };
};

export const unknownTarget = (site: Site, stage: Stage, now: Date): TargetState => ({
  site,
  stage,
  health: 'unknown',
  since: now.toISOString(),
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  consecutiveNotOk: 0,
  consecutiveAnswering: 0,
  observedHealth: 'unknown',
  recentChanges: [],
  flapping: false,
  version: 0,
});

interface Streaks {
  readonly failures: number;
  readonly successes: number;
  readonly notOk: number;
  readonly answering: number;
}

const nextStreaks = (prior: TargetState, outcome: Outcome): Streaks => ({
  failures: outcome === 'failed' ? prior.consecutiveFailures + 1 : 0,
  successes: outcome === 'ok' ? prior.consecutiveSuccesses + 1 : 0,
  notOk: outcome === 'ok' ? 0 : (prior.consecutiveNotOk ?? 0) + 1,
  answering: outcome === 'failed' ? 0 : (prior.consecutiveAnswering ?? 0) + 1,
});

/** Hysteresis alone: the health the streaks justify, before flap detection. */
export const hysteresis = (
  current: TargetHealth,
  outcome: Outcome,
  streaks: Streaks,
  policy: DetectionPolicy,
): TargetHealth => {
  if (streaks.failures >= policy.failureThreshold) return 'failing';
  switch (current) {
    case 'unknown':
      return outcome === 'ok' ? 'healthy' : outcome === 'degraded' ? 'degraded' : 'unknown';
    case 'healthy':
      return streaks.notOk >= policy.failureThreshold ? 'degraded' : 'healthy';
    case 'degraded':
      return streaks.successes >= policy.successThreshold ? 'healthy' : 'degraded';
    case 'failing':
      if (streaks.successes >= policy.successThreshold) return 'healthy';
      return streaks.answering >= policy.successThreshold ? 'degraded' : 'failing';
  }
};

const transitionReason = (from: TargetHealth, to: TargetHealth, streaks: Streaks, policy: DetectionPolicy): string => {
  if (to === 'failing') return `${streaks.failures} failed rounds in a row (threshold ${policy.failureThreshold})`;
  if (from === 'unknown') return 'first answer';
  if (to === 'healthy') return `${streaks.successes} good rounds in a row (threshold ${policy.successThreshold})`;
  if (from === 'failing') return `answering again, but slowly (${streaks.answering} rounds)`;
  return `${streaks.notOk} rounds in a row not ok (threshold ${policy.failureThreshold})`;
};

const evaluateTarget = (
  prior: TargetState,
  observation: Observation,
  policy: DetectionPolicy,
  now: Date,
): { readonly next: TargetState; readonly transition?: TargetTransition } => {
  const at = now.toISOString();
  const streaks = nextStreaks(prior, observation.outcome);
  const priorObserved = prior.observedHealth ?? prior.health;
  const observed = hysteresis(priorObserved, observation.outcome, streaks, policy);
  const windowStart = now.getTime() - policy.flap.windowMinutes * 60_000;
  // Leaving `unknown` is learning, not changing: it does not count towards flapping.
  const changed = observed !== priorObserved && priorObserved !== 'unknown';
  const recentChanges = [...prior.recentChanges, ...(changed ? [at] : [])].filter(
    (instant) => Date.parse(instant) > windowStart,
  );
  const flapping = recentChanges.length >= policy.flap.changes;
  const health: TargetHealth = flapping ? 'failing' : observed;
  const streamReset = nextStreamReset(prior.streamReset, observation, policy);
  const lastStatus = observation.outcome === 'ok' ? prior.lastStatus : observation.status;
  const next: TargetState = {
    site: prior.site,
    stage: prior.stage,
    health,
    since: health === prior.health ? prior.since : at,
    consecutiveFailures: streaks.failures,
    consecutiveSuccesses: streaks.successes,
    consecutiveNotOk: streaks.notOk,
    consecutiveAnswering: streaks.answering,
    observedHealth: observed,
    lastOutcome: observation.outcome,
    // The last failure's class and message stay after an ok round: a flapping or recovering
    // target still says what went wrong.
    lastFailureClass:
      observation.outcome === 'ok' ? prior.lastFailureClass : (observation.failureClass ?? prior.lastFailureClass),
    lastMessage: observation.outcome === 'ok' ? prior.lastMessage : (observation.message ?? prior.lastMessage),
    ...(lastStatus === undefined ? {} : { lastStatus }),
    lastResultAt: observation.at,
    recentChanges,
    flapping,
    ...(streamReset ? { streamReset } : {}),
    version: prior.version + 1,
  };

  if (health === prior.health && flapping === prior.flapping) return { next };
  const reason =
    flapping && !prior.flapping
      ? `flapping: ${recentChanges.length} state changes within ${policy.flap.windowMinutes} min; held at failing`
      : !flapping && prior.flapping
        ? `no longer flapping (fewer than ${policy.flap.changes} changes within ${policy.flap.windowMinutes} min)`
        : transitionReason(prior.health, health, streaks, policy);
  return {
    next,
    transition: { site: prior.site, stage: prior.stage, from: prior.health, to: health, flapping, at, reason },
  };
};

export const evaluate = (input: EvaluationInput): Evaluation => {
  const priorByKey = new Map(input.prior.map((target) => [targetKey(target.site, target.stage), target]));
  const targets: TargetState[] = [];
  const transitions: TargetTransition[] = [];
  const actions: EvaluationAction[] = [];
  if (input.results.length > 0) actions.push({ type: 'record-results', results: input.results });
  for (const site of SITES) {
    for (const stage of STAGES) {
      const prior = priorByKey.get(targetKey(site, stage));
      const observation = observe(input.results.filter((result) => result.site === site && result.stage === stage));
      if (!observation) {
        if (prior) targets.push(prior);
        continue;
      }
      const { next, transition } = evaluateTarget(
        prior ?? unknownTarget(site, stage, input.now),
        observation,
        input.policy,
        input.now,
      );
      targets.push(next);
      if (transition) transitions.push(transition);
      actions.push({ type: 'save-target', target: next, expectedVersion: prior?.version ?? 0 });
    }
  }
  return { targets, transitions, actions };
};
