import { describe, expect, it } from 'vitest';
import { evaluate, hysteresis, type DetectionPolicy } from '../../lambdas/core/evaluate.ts';
import type { FailureClass, Outcome, Site, Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult, TargetHealth, TargetState } from '../../lambdas/core/model/probing.ts';

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

const POLICY: DetectionPolicy = { failureThreshold: 3, successThreshold: 2, flap: { changes: 4, windowMinutes: 10 } };

const result = (
  outcome: Outcome,
  options: {
    site?: Site;
    stage?: Stage;
    failureClass?: FailureClass;
    message?: string;
    probeId?: string;
    second?: number;
  } = {},
): ProbeResult => ({
  probeId: options.probeId ?? 'verify-known-code',
  site: options.site ?? 'primary',
  stage: options.stage ?? 'verification',
  startedAt: at(options.second ?? 0).toISOString(),
  durationMs: 120,
  outcome,
  ...(options.failureClass
    ? { failureClass: options.failureClass }
    : outcome === 'failed'
      ? { failureClass: 'status' as const }
      : {}),
  ...(options.message ? { message: options.message } : {}),
  steps: [],
});

/** Runs rounds of one target (primary verification), one outcome per round, 30 s apart. */
const run = (
  outcomes: readonly (Outcome | 'aborted' | 'none')[],
  policy: DetectionPolicy = POLICY,
  start?: TargetState,
) => {
  let prior: TargetState[] = start ? [start] : [];
  const steps: { health: TargetHealth; flapping: boolean; transition?: string; reason?: string }[] = [];
  outcomes.forEach((outcome, round) => {
    const second = round * 30;
    const results =
      outcome === 'none'
        ? []
        : outcome === 'aborted'
          ? [result('failed', { failureClass: 'aborted', second })]
          : [result(outcome, { second })];
    const evaluation = evaluate({ results, prior, policy, now: at(second + 5) });
    prior = [...evaluation.targets];
    const target = evaluation.targets.find(
      (candidate) => candidate.site === 'primary' && candidate.stage === 'verification',
    );
    steps.push({
      health: target?.health ?? 'unknown',
      flapping: target?.flapping ?? false,
      ...(evaluation.transitions[0]
        ? {
            transition: `${evaluation.transitions[0].from}→${evaluation.transitions[0].to}`,
            reason: evaluation.transitions[0].reason,
          }
        : {}),
    });
  });
  return { steps, last: prior[0] };
};

describe('hysteresis rules', () => {
  const streaks = (failures: number, successes: number, notOk: number, answering: number) => ({
    failures,
    successes,
    notOk,
    answering,
  });
  it.each([
    // current,  outcome,    failures, successes, notOk, answering → next
    ['unknown', 'ok', streaks(0, 1, 0, 1), 'healthy'],
    ['unknown', 'degraded', streaks(0, 0, 1, 1), 'degraded'],
    ['unknown', 'failed', streaks(2, 0, 2, 0), 'unknown'],
    ['unknown', 'failed', streaks(3, 0, 3, 0), 'failing'],
    ['healthy', 'failed', streaks(2, 0, 2, 0), 'healthy'],
    ['healthy', 'failed', streaks(3, 0, 3, 0), 'failing'],
    ['healthy', 'degraded', streaks(0, 0, 2, 1), 'healthy'],
    ['healthy', 'degraded', streaks(0, 0, 3, 1), 'degraded'],
    ['healthy', 'degraded', streaks(0, 0, 3, 3), 'degraded'],
    ['degraded', 'ok', streaks(0, 1, 0, 4), 'degraded'],
    ['degraded', 'ok', streaks(0, 2, 0, 5), 'healthy'],
    ['degraded', 'failed', streaks(3, 0, 6, 0), 'failing'],
    ['failing', 'ok', streaks(0, 1, 0, 1), 'failing'],
    ['failing', 'ok', streaks(0, 2, 0, 2), 'healthy'],
    ['failing', 'degraded', streaks(0, 0, 1, 2), 'degraded'],
    ['failing', 'degraded', streaks(0, 1, 1, 1), 'failing'],
    ['failing', 'failed', streaks(7, 0, 7, 0), 'failing'],
  ] as const)('%s + %s with %o → %s', (current, outcome, counters, next) => {
    expect(hysteresis(current, outcome, counters, POLICY)).toBe(next);
  });
});

describe('evaluate: sequences of rounds for one target', () => {
  it('fails only after three failed rounds and recovers after two good ones', () => {
    const { steps } = run(['ok', 'failed', 'failed', 'failed', 'ok', 'ok', 'ok']);
    expect(steps.map((step) => step.health)).toEqual([
      'healthy',
      'healthy',
      'healthy',
      'failing',
      'failing',
      'healthy',
      'healthy',
    ]);
    expect(steps.map((step) => step.transition)).toEqual([
      'unknown→healthy',
      undefined,
      undefined,
      'healthy→failing',
      undefined,
      'failing→healthy',
      undefined,
    ]);
    expect(steps.map((step) => step.reason).filter(Boolean)).toEqual([
      'first answer',
      '3 failed rounds in a row (threshold 3)',
      '2 good rounds in a row (threshold 2)',
    ]);
  });

  it('does not go down on interrupted failures', () => {
    const { steps } = run(['ok', 'failed', 'failed', 'ok', 'failed', 'failed', 'ok']);
    expect(new Set(steps.map((step) => step.health))).toEqual(new Set(['healthy']));
  });

  it('marks a probe that never answers failing after the threshold, from a cold start', () => {
    const { steps, last } = run(['failed', 'failed', 'failed', 'failed']);
    expect(steps.map((step) => step.health)).toEqual(['unknown', 'unknown', 'failing', 'failing']);
    expect(last).toMatchObject({ consecutiveFailures: 4, lastOutcome: 'failed', lastFailureClass: 'status' });
  });

  it('passes through degraded when a failing target answers slowly, then healthy on good answers', () => {
    const { steps } = run(['failed', 'failed', 'failed', 'degraded', 'degraded', 'ok', 'ok']);
    expect(steps.map((step) => step.health)).toEqual([
      'unknown',
      'unknown',
      'failing',
      'failing',
      'degraded',
      'degraded',
      'healthy',
    ]);
  });

  it('ignores aborted results and rounds without a result: the target stays exactly as it was', () => {
    const { steps, last } = run(['failed', 'failed', 'aborted', 'none', 'aborted', 'failed']);
    expect(steps.map((step) => step.health)).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'failing',
    ]);
    expect(last?.consecutiveFailures).toBe(3);
  });

  it('holds a flapping target at failing, says so, and lets go once the changes age out', () => {
    // Each cycle: 3 failures (→ failing) then 2 ok (→ healthy): two changes per 2.5 minutes.
    const cycle: Outcome[] = ['failed', 'failed', 'failed', 'ok', 'ok'];
    const { steps } = run(['ok', ...cycle, ...cycle, 'ok', 'ok', ...Array<Outcome>(22).fill('ok')]);
    const firstFlap = steps.findIndex((step) => step.flapping);
    // Changes: failing (round 3), healthy (5), failing (8), healthy (10) → the fourth change flaps.
    expect(firstFlap).toBe(10);
    expect(steps[10]).toEqual({
      health: 'failing',
      flapping: true,
      transition: 'failing→failing',
      reason: 'flapping: 4 state changes within 10 min; held at failing',
    });
    expect(steps.slice(10, 23).every((step) => step.health === 'failing' && step.flapping)).toBe(true);
    const released = steps.findIndex((step, index) => index > firstFlap && !step.flapping);
    // The first change (round 3, 95 s) leaves the 10-minute window at round 23 (695 s).
    expect(released).toBe(23);
    expect(steps[released]).toEqual({
      health: 'healthy',
      flapping: false,
      transition: 'failing→healthy',
      reason: 'no longer flapping (fewer than 4 changes within 10 min)',
    });
  });

  it('uses the flap policy from config', () => {
    const strict: DetectionPolicy = {
      failureThreshold: 1,
      successThreshold: 1,
      flap: { changes: 2, windowMinutes: 60 },
    };
    const { steps } = run(['ok', 'failed', 'ok', 'ok'], strict);
    expect(steps.map((step) => [step.health, step.flapping])).toEqual([
      ['healthy', false],
      ['failing', false],
      ['failing', true],
      ['failing', true],
    ]);
  });
});

describe('evaluate: a round', () => {
  it('takes the worst result per target and keeps its class and message', () => {
    const evaluation = evaluate({
      results: [
        result('ok', { probeId: 'a-known-code' }),
        result('failed', {
          probeId: 'b-forged-code',
          failureClass: 'wrong-verdict',
          message: 'forged code accepted (code#3f2a)',
        }),
        result('degraded', { probeId: 'c-slow' }),
      ],
      prior: [],
      policy: { ...POLICY, failureThreshold: 1 },
      now: at(5),
    });
    expect(evaluation.targets).toHaveLength(1);
    expect(evaluation.targets[0]).toMatchObject({
      site: 'primary',
      stage: 'verification',
      health: 'failing',
      lastOutcome: 'failed',
      lastFailureClass: 'wrong-verdict',
      lastMessage: 'forged code accepted (code#3f2a)',
      version: 1,
    });
  });

  it("keeps the failing step's HTTP status for plain words, through ok rounds, until a failure without one", () => {
    const step = (status: number, outcome: Outcome) => ({ name: 'verify', durationMs: 10, status, outcome });
    const withStatus: ProbeResult = { ...result('failed'), steps: [step(200, 'ok'), step(503, 'failed')] };
    const failed = evaluate({ results: [withStatus], prior: [], policy: POLICY, now: at(5) }).targets;
    expect(failed[0]?.lastStatus).toBe(503);
    const ok = evaluate({ results: [result('ok', { second: 30 })], prior: failed, policy: POLICY, now: at(35) });
    expect(ok.targets[0]?.lastStatus).toBe(503);
    const timedOut = evaluate({
      results: [result('failed', { failureClass: 'timeout', second: 60 })],
      prior: ok.targets,
      policy: POLICY,
      now: at(65),
    });
    expect(timedOut.targets[0]).not.toHaveProperty('lastStatus');
  });

  it('returns the actions: record every result, save changed targets against the version read', () => {
    const prior: TargetState[] = [
      {
        site: 'primary',
        stage: 'verification',
        health: 'healthy',
        since: at(-600).toISOString(),
        consecutiveFailures: 2,
        consecutiveSuccesses: 0,
        recentChanges: [],
        flapping: false,
        version: 7,
      },
    ];
    const results = [
      result('failed', { failureClass: 'timeout' }),
      result('ok', { site: 'backup' }),
      result('failed', { stage: 'collection', failureClass: 'aborted' }),
    ];
    const evaluation = evaluate({ results, prior, policy: POLICY, now: at(5) });
    expect(evaluation.actions).toEqual([
      { type: 'record-results', results },
      {
        type: 'save-target',
        target: expect.objectContaining({ site: 'primary', stage: 'verification', health: 'failing', version: 8 }),
        expectedVersion: 7,
      },
      {
        type: 'save-target',
        target: expect.objectContaining({ site: 'backup', stage: 'verification', health: 'healthy', version: 1 }),
        expectedVersion: 0,
      },
    ]);
    expect(evaluation.transitions).toEqual([
      {
        site: 'primary',
        stage: 'verification',
        from: 'healthy',
        to: 'failing',
        flapping: false,
        at: at(5).toISOString(),
        reason: '3 failed rounds in a row (threshold 3)',
      },
      {
        site: 'backup',
        stage: 'verification',
        from: 'unknown',
        to: 'healthy',
        flapping: false,
        at: at(5).toISOString(),
        reason: 'first answer',
      },
    ]);
  });

  it('leaves failover to the controller, which decides from the targets every round', () => {
    const evaluation = evaluate({
      results: [result('failed', { stage: 'collection' })],
      prior: [],
      policy: { ...POLICY, failureThreshold: 1 },
      now: at(5),
    });
    expect(evaluation.targets[0]?.health).toBe('failing');
    expect(evaluation.actions.map((action) => action.type)).toEqual(['record-results', 'save-target']);
  });
});
