import { describe, expect, it } from 'vitest';
import { ANNOUNCE_WITHIN_MS, unannouncedSwitches } from '../../../lambdas/core/incidents/rules-switches.ts';
import type { RoutingState } from '../../../lambdas/core/model/routing.ts';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const routing = (extra: Partial<RoutingState>): RoutingState => ({
  record: 'verify.hc.example.com',
  activeSite: 'backup',
  since: ago(60_000),
  reason: 'primary verification failing',
  actor: 'controller',
  version: 3,
  ...extra,
});

describe('unannouncedSwitches: what the incidents must still tell, from durable state', () => {
  it.each([
    { name: 'a record never switched', state: routing({ activeSite: 'primary' }), announced: [], told: false },
    { name: 'a switch with no marker', state: routing({ lastSwitchedAt: ago(60_000) }), announced: [], told: true },
    {
      name: 'a switch whose marker is older',
      state: routing({ lastSwitchedAt: ago(60_000) }),
      announced: [{ record: 'verify.hc.example.com', switchedAt: ago(3_600_000) }],
      told: true,
    },
    {
      name: 'a switch already announced',
      state: routing({ lastSwitchedAt: ago(60_000) }),
      announced: [{ record: 'verify.hc.example.com', switchedAt: ago(60_000) }],
      told: false,
    },
    {
      name: 'another record’s marker',
      state: routing({ lastSwitchedAt: ago(60_000) }),
      announced: [{ record: 'collect.hc.example.com', switchedAt: ago(60_000) }],
      told: true,
    },
    {
      name: 'a switch older than the horizon',
      state: routing({ lastSwitchedAt: ago(ANNOUNCE_WITHIN_MS + 1) }),
      announced: [],
      told: false,
    },
    {
      name: 'a switch just inside the horizon',
      state: routing({ lastSwitchedAt: ago(ANNOUNCE_WITHIN_MS) }),
      announced: [],
      told: true,
    },
  ])('$name → told: $told', ({ state, announced, told }) => {
    expect(unannouncedSwitches([state], announced, NOW)).toHaveLength(told ? 1 : 0);
  });

  it('tells the switch as the routing item records it: from, to, who, why, the change and the incident', () => {
    const state = routing({
      lastSwitchedAt: ago(60_000),
      lastChange: { id: 'C9', status: 'INSYNC', at: ago(50_000) },
      incidentId: 'INC-7QX0000',
      drillId: 'drill-1',
      forced: true,
    });
    expect(unannouncedSwitches([state], [], NOW)).toEqual([
      {
        record: 'verify.hc.example.com',
        from: 'primary',
        to: 'backup',
        at: ago(60_000),
        actor: 'controller',
        reason: 'primary verification failing',
        changeId: 'C9',
        incidentId: 'INC-7QX0000',
        drillId: 'drill-1',
        forced: true,
      },
    ]);
  });
});
