import { describe, expect, it } from 'vitest';
import { MAX_WAITS, foldWaits, observedWaits, type DrillWait } from '../../../lambdas/core/drill/waits.ts';
import type { RoutingState } from '../../../lambdas/core/model/routing.ts';
import type { TargetState } from '../../../lambdas/core/model/probing.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 20, 2, 0, seconds)).toISOString();
const hold = (reason: string, until = t(600)) => ({
  kind: 'flap-hold' as const,
  subject: 'primary/verification',
  reason,
  until,
});
const refusal = { kind: 'switch-refused' as const, subject: 'verify.hc.example.com', reason: 'dwell', since: t(5) };

describe('folding what held a drill up, tick by tick', () => {
  it('a wait starts when first sighted, follows the latest reason and announced end, and ends when gone', () => {
    const ticks: { at: number; sightings: Parameters<typeof foldWaits>[1] }[] = [
      { at: 10, sightings: [hold('4 changes', t(600))] },
      { at: 20, sightings: [hold('5 changes', t(660))] },
      { at: 30, sightings: [] },
      { at: 40, sightings: [hold('4 changes', t(700))] },
    ];
    let waits: DrillWait[] = [];
    for (const tick of ticks) waits = foldWaits(waits, tick.sightings, ['flap-hold', 'switch-refused'], t(tick.at));
    expect(waits).toEqual([
      {
        kind: 'flap-hold',
        subject: 'primary/verification',
        reason: '5 changes',
        from: t(10),
        endedAt: t(30),
        until: t(660),
      },
      { kind: 'flap-hold', subject: 'primary/verification', reason: '4 changes', from: t(40), until: t(700) },
    ]);
  });

  it("starts at the cause's own instant when that is earlier than the tick", () => {
    expect(foldWaits([], [refusal], ['switch-refused'], t(12))).toEqual([
      { kind: 'switch-refused', subject: 'verify.hc.example.com', reason: 'dwell', from: t(5) },
    ]);
  });

  it('a tick that did not look at a kind leaves its open waits open', () => {
    const open = foldWaits([], [refusal], ['switch-refused'], t(12));
    expect(foldWaits(open, [], ['failback-refused'], t(20))).toEqual(open);
    expect(foldWaits(open, [], ['switch-refused'], t(20))[0]?.endedAt).toBe(t(20));
  });

  it(`keeps at most ${MAX_WAITS}, dropping the oldest ended ones and never an open one`, () => {
    let waits: DrillWait[] = foldWaits([], [refusal], ['switch-refused'], t(0));
    for (let tick = 1; tick <= 2 * MAX_WAITS; tick++)
      waits = foldWaits(waits, tick % 2 ? [hold('flapping')] : [refusal], ['flap-hold'], t(tick));
    expect(waits).toHaveLength(MAX_WAITS);
    expect(waits[0]).toMatchObject({ kind: 'switch-refused', from: t(0) });
    expect(waits.filter((wait) => wait.endedAt === undefined).map((wait) => wait.kind)).toEqual(['switch-refused']);
    expect(waits[waits.length - 1]?.endedAt).toBe(t(2 * MAX_WAITS));
  });
});

describe('what an observation shows holding the drill', () => {
  const target = (site: 'primary' | 'backup', changes: number): TargetState =>
    ({
      site,
      stage: 'verification',
      flapping: changes >= 4,
      recentChanges: Array.from({ length: changes }, (_, index) => t(index * 30)),
    }) as unknown as TargetState;
  const routing = (record: string, refused: boolean): RoutingState =>
    ({
      record,
      ...(refused ? { refusal: { toSite: 'backup', codes: ['dwell'], message: 'dwell time', since: t(7) } } : {}),
    }) as unknown as RoutingState;

  it("flap holds on any target, refusals only on the drill's records", () => {
    expect(
      observedWaits(
        [target('primary', 4), target('backup', 1)],
        [routing('verify.hc.example.com.', true), routing('other.hc.example.com', true)],
        ['verify.hc.example.com'],
        { flap: { changes: 4, windowMinutes: 10 } },
      ),
    ).toEqual([
      {
        kind: 'flap-hold',
        subject: 'primary/verification',
        reason: '4 health changes within 10 min (flap limit 4): held at failing',
        until: t(600),
      },
      { kind: 'switch-refused', subject: 'verify.hc.example.com.', reason: 'dwell time', since: t(7) },
    ]);
  });
});
