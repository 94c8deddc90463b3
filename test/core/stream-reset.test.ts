// A platform's stream reset, from the probe's view to the incident: table tests for the
// continuity rule, a sequence test for the target state, and the incident's one open and one
// resolve.
import { describe, expect, it } from 'vitest';
import { evaluate, type DetectionPolicy } from '../../lambdas/core/evaluate.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../lambdas/core/model/probing.ts';
import type { Outcome } from '../../lambdas/core/model/vocabulary.ts';
import { epochIn, resetMessage, streamContinuity } from '../../lambdas/core/probe/stream.ts';
import { testConfig } from '../fakes/config.ts';

describe('stream continuity: stored epoch × observed epoch', () => {
  it.each([
    ['no epoch read (the probe names none, or the response lacks it)', 'e1', undefined, { kind: 'continuous' }],
    ['a new counter: nothing stored yet', undefined, 'e1', { kind: 'first' }],
    ['the same epoch', 'e1', 'e1', { kind: 'continuous' }],
    ['a new epoch: the platform reset its stream', 'e1', 'e2', { kind: 'reset', previousEpoch: 'e1', epoch: 'e2' }],
  ])('%s', (_, stored, observed, expected) => {
    expect(streamContinuity(stored, observed)).toEqual(expected);
  });

  it.each([
    [{ data: { epoch: 'abc' } }, 'abc'],
    [{ data: { epoch: 42 } }, '42'],
    [{ data: { epoch: { nested: true } } }, undefined],
    [{ data: {} }, undefined],
    ['not json', undefined],
  ])('reads the epoch from %j', (json, expected) => {
    expect(epochIn(json, '$.data.epoch')).toBe(expected);
  });

  it('says which records went with the old epoch', () => {
    expect(resetMessage('s', 42, { kind: 'reset', previousEpoch: 'old', epoch: 'new' })).toBe(
      "the platform's stream s was reset (epoch old → new): records up to 41 sent before it are no longer on the " +
        'platform; loss checks start again from 42',
    );
  });
});

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const POLICY: DetectionPolicy = { failureThreshold: 3, successThreshold: 2, flap: { changes: 4, windowMinutes: 10 } };
const RESET = "the platform's stream s was reset";

const round = (second: number, outcome: Outcome, streamReset?: string): ProbeResult => ({
  probeId: 'transmission',
  site: 'primary',
  stage: 'transmission',
  startedAt: new Date(T0 + second * 1000).toISOString(),
  durationMs: 50,
  outcome,
  ...(outcome === 'failed' ? { failureClass: 'status' as const } : {}),
  ...(streamReset ? { streamReset } : {}),
  steps: [],
});

/** The primary transmission target after each round. */
const play = (rounds: readonly [Outcome, string?][]): TargetState[] => {
  let prior: readonly TargetState[] = [];
  return rounds.map(([outcome, reset], index) => {
    const { targets } = evaluate({
      prior,
      results: [round(index * 10, outcome, reset)],
      policy: POLICY,
      now: new Date(T0 + index * 10_000),
    });
    prior = targets;
    return targets.find((target) => target.site === 'primary' && target.stage === 'transmission') as TargetState;
  });
};

describe('a reset in the target state', () => {
  it('is kept until successThreshold good rounds followed it', () => {
    const states = play([['ok'], ['ok', RESET], ['ok'], ['ok'], ['ok']]);
    expect(states.map((state) => state.streamReset?.goodRoundsSince ?? null)).toEqual([null, 0, 1, null, null]);
    expect(states[1]?.streamReset?.message).toBe(RESET);
  });

  it('waits through failed rounds (they do not count as good)', () => {
    const states = play([['ok', RESET], ['failed'], ['ok'], ['ok']]);
    expect(states.map((state) => state.streamReset?.goodRoundsSince ?? null)).toEqual([0, 0, 1, null]);
  });

  it('a second reset starts the count again', () => {
    const states = play([['ok', RESET], ['ok'], ['ok', `${RESET} again`], ['ok']]);
    expect(states.map((state) => state.streamReset?.goodRoundsSince ?? null)).toEqual([0, 1, 0, 1]);
  });
});

describe('the stream-reset incident', () => {
  const config = testConfig();
  let open: Incident[] = [];
  const decide = (minute: number, target: TargetState) => {
    const decisions = decideIncidents({
      policy: config,
      targets: [target],
      open,
      routing: [],
      conditions: [],
      unannounced: [],
      now: new Date(T0 + minute * 60_000),
    });
    for (const change of decisions.changes) {
      open = open.filter((incident) => incident.id !== change.incident.id);
      if (change.incident.status !== 'resolved') open.push(change.incident);
    }
    return decisions.changes;
  };

  it('opens once at SEV3 with what was lost, stays while the target is healthy, resolves when cleared', () => {
    const healthy = play([['ok'], ['ok']])[1] as TargetState;
    const withReset = play([['ok'], ['ok'], ['ok', RESET]])[2] as TargetState;
    const opened = decide(0, withReset);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      type: 'open',
      incident: {
        severity: 'SEV3',
        failureClass: 'stream-reset',
        detail: RESET,
        site: 'primary',
        stage: 'transmission',
      },
    });
    expect(decide(1, withReset).filter((change) => change.type === 'open')).toEqual([]);
    expect(open).toHaveLength(1);
    const resolved = decide(2, healthy);
    expect(resolved).toMatchObject([{ type: 'update', reason: 'resolve', incident: { status: 'resolved' } }]);
    expect(open).toEqual([]);
  });
});
