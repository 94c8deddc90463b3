// The flap hold's end, as status shows it, checked against what evaluation then does.
import { describe, expect, it } from 'vitest';
import { evaluate, type DetectionPolicy } from '../../lambdas/core/evaluate.ts';
import { flapHold, flapRisk } from '../../lambdas/core/holds.ts';
import type { ProbeResult, TargetState } from '../../lambdas/core/model/probing.ts';

const POLICY: DetectionPolicy = { failureThreshold: 3, successThreshold: 2, flap: { changes: 4, windowMinutes: 10 } };
const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const minute = (n: number) => new Date(T0 + n * 60_000).toISOString();

const held = (changes: readonly string[]): TargetState => ({
  site: 'primary',
  stage: 'verification',
  health: 'failing',
  since: changes[0] ?? minute(0),
  consecutiveFailures: 0,
  consecutiveSuccesses: 5,
  observedHealth: 'healthy',
  lastOutcome: 'ok',
  recentChanges: changes,
  flapping: true,
  version: 7,
});

const okRound = (at: string): ProbeResult => ({
  probeId: 'verification',
  site: 'primary',
  stage: 'verification',
  startedAt: at,
  durationMs: 10,
  outcome: 'ok',
  steps: [],
});

describe('flapHold', () => {
  it.each([
    ['exactly the limit of changes: the oldest ages out first', [0, 1, 2, 3], minute(10)],
    ['more than the limit: the one that keeps the count at the limit', [0, 1, 2, 3, 4, 5], minute(12)],
    ['changes in any order', [3, 0, 2, 1], minute(10)],
  ])('%s', (_, minutes, until) => {
    const hold = flapHold(held(minutes.map(minute)), POLICY);
    expect(hold).toMatchObject({ kind: 'flap', until });
    expect(hold?.reason).toBe(`${minutes.length} health changes within 10 min (flap limit 4): held at failing`);
  });

  it('is none for a target that is not flapping', () => {
    expect(flapHold({ ...held([minute(0)]), flapping: false }, POLICY)).toBeUndefined();
  });

  it('ends when evaluation lets the target go: still held just before, released at the instant', () => {
    const target = held([0, 1, 2, 3, 4].map(minute));
    const until = Date.parse(flapHold(target, POLICY)?.until as string);
    const at = (ms: number) =>
      evaluate({
        prior: [target],
        results: [okRound(new Date(ms).toISOString())],
        policy: POLICY,
        now: new Date(ms),
      }).targets.find((next) => next.site === 'primary' && next.stage === 'verification');
    expect(at(until - 1)).toMatchObject({ flapping: true, health: 'failing' });
    expect(at(until)).toMatchObject({ flapping: false, health: 'healthy' });
  });
});

describe("flapRisk: would a drill's two changes bring a hold, and from when not", () => {
  const now = new Date(minute(10));
  it.each([
    ['below the limit with the two added', [9], undefined],
    ['at the limit: wait until the older one ages out', [5, 9], { changes: 2, until: minute(15) }],
    ['above it: the one that keeps the count at the limit', [1, 2, 4, 9], { changes: 4, until: minute(14) }],
    ['changes older than the window do not count', [-5, 9], undefined],
  ])('%s', (_, minutes, risk) => {
    expect(flapRisk({ recentChanges: minutes.map(minute) }, POLICY, now)).toEqual(risk);
  });

  it('says no wait helps when the limit is the two changes themselves', () => {
    const policy = { flap: { changes: 2, windowMinutes: 10 } };
    expect(flapRisk({ recentChanges: [] }, policy, now)).toEqual({ changes: 0 });
  });
});
