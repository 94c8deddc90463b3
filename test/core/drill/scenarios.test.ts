import { describe, expect, it } from 'vitest';
import { findScenario, planObjectives, scenarioNames } from '../../../lambdas/core/drill/scenarios.ts';
import { simulateResult } from '../../../lambdas/core/drill/simulate.ts';
import type { ProbeResult } from '../../../lambdas/core/model/probing.ts';
import { drillPolicy } from './fixtures.ts';

describe('scenarios', () => {
  const config = drillPolicy({
    drills: {
      objectives: { rtoSeconds: 300, rpoRecords: 0, notifySeconds: 60 },
      scenarios: [
        {
          name: 'slow-verifier',
          description: 'Verification on the primary is slow',
          faults: [{ site: 'primary', stage: 'verification', mode: 'latency', latencyMs: 4000 }],
          expectFailover: false,
          objectives: { rtoSeconds: 60 },
        },
      ],
    },
  });

  // Unset detect and switch objectives: 2 failed rounds at 5 s plus one, and the INSYNC timeout.
  const promised = { detectSeconds: 15, switchSeconds: 120, derived: ['detectSeconds', 'switchSeconds'] };

  it('lists the four built-ins, then the custom ones', () => {
    expect(scenarioNames(config)).toEqual([
      'verification-outage',
      'transmission-tampering',
      'collection-data-loss',
      'full-site-outage',
      'slow-verifier',
    ]);
  });

  it.each([
    { name: 'verification-outage', faults: [['primary', 'verification', 'error']], expectFailover: true },
    { name: 'transmission-tampering', faults: [['primary', 'transmission', 'tamper']], expectFailover: false },
    { name: 'collection-data-loss', faults: [['primary', 'collection', 'drop-writes']], expectFailover: false },
    {
      name: 'full-site-outage',
      faults: [
        ['primary', 'collection', 'reset'],
        ['primary', 'transmission', 'reset'],
        ['primary', 'verification', 'reset'],
      ],
      expectFailover: true,
    },
  ])(
    '$name injects $faults and expects failover: $expectFailover (the record follows verification)',
    ({ name, faults, expectFailover }) => {
      const scenario = findScenario(config, name);
      expect(scenario?.faults.map((fault) => [fault.site, fault.stage, fault.mode])).toEqual(faults);
      expect(scenario?.expectFailover).toBe(expectFailover);
      expect(scenario?.objectives).toEqual({ ...promised, rtoSeconds: 300, rpoRecords: 0, notifySeconds: 60 });
    },
  );

  it('a built-in expects failover when a record follows the faulted stage', () => {
    const followsTransmission = drillPolicy({
      records: [
        {
          zone: { id: 'Z0HCGUARDTEST', name: 'hc.example.com' },
          name: 'tx.hc.example.com',
          type: 'A',
          stage: 'transmission',
          values: { primary: { values: ['10.0.0.1'] }, backup: { values: ['10.0.1.1'] } },
        },
      ],
    });
    expect(findScenario(followsTransmission, 'transmission-tampering')?.expectFailover).toBe(true);
  });

  it('a custom scenario keeps its faults and overrides only the objectives it names', () => {
    expect(findScenario(config, 'slow-verifier')).toEqual({
      name: 'slow-verifier',
      description: 'Verification on the primary is slow',
      builtin: false,
      faults: [{ site: 'primary', stage: 'verification', mode: 'latency', latencyMs: 4000 }],
      expectFailover: false,
      objectives: { ...promised, rtoSeconds: 60, rpoRecords: 0, notifySeconds: 60 },
    });
  });

  it('an unknown name is undefined', () => {
    expect(findScenario(config, 'nope')).toBeUndefined();
  });
});

describe('planObjectives', () => {
  const policy = drillPolicy({ failover: { insyncTimeoutSeconds: 90 } });
  it.each([
    {
      why: 'nothing set: detect, notify and switch are what the settings promise',
      drills: {},
      scenario: {},
      expected: { detectSeconds: 15, notifySeconds: 60, switchSeconds: 90, rtoSeconds: 300, rpoRecords: 0 },
      derived: ['detectSeconds', 'notifySeconds', 'switchSeconds'],
    },
    {
      why: 'set in drills.objectives: kept, and no longer derived',
      drills: { detectSeconds: 8, switchSeconds: 30 },
      scenario: {},
      expected: { detectSeconds: 8, notifySeconds: 60, switchSeconds: 30, rtoSeconds: 300, rpoRecords: 0 },
      derived: ['notifySeconds'],
    },
    {
      why: "a scenario's own objectives win over the drills' and over the promise",
      drills: { detectSeconds: 8 },
      scenario: { detectSeconds: 4, notifySeconds: 20, switchSeconds: 45, rtoSeconds: 60 },
      expected: { detectSeconds: 4, notifySeconds: 20, switchSeconds: 45, rtoSeconds: 60, rpoRecords: 0 },
      derived: undefined,
    },
  ])('$why', ({ drills, scenario, expected, derived }) => {
    const config = { ...policy, drills: { ...policy.drills, objectives: { ...policy.drills.objectives, ...drills } } };
    const { derived: actual, ...objectives } = planObjectives(config, scenario);
    expect(objectives).toEqual(expected);
    expect(actual).toEqual(derived);
  });
});

describe('simulated injection', () => {
  const result = (site: 'primary' | 'backup', stage: 'verification' | 'collection'): ProbeResult => ({
    probeId: `${stage}-check`,
    site,
    stage,
    startedAt: '2026-11-20T02:00:00.000Z',
    durationMs: 12,
    outcome: 'ok',
    steps: [
      { name: 'submit', durationMs: 5, status: 200, outcome: 'ok' },
      { name: 'verify', durationMs: 7, status: 200, outcome: 'ok' },
    ],
  });
  const faults = [{ site: 'primary' as const, stage: 'verification' as const, mode: 'accept-all' as const }];

  it("turns the faulted target's result into the failure the fault would cause, tagged with the drill", () => {
    expect(simulateResult(result('primary', 'verification'), faults, 'd1')).toEqual({
      ...result('primary', 'verification'),
      outcome: 'failed',
      failureClass: 'wrong-verdict',
      message: 'forged code accepted (simulated) during drill d1',
      steps: [
        { name: 'submit', durationMs: 5, status: 200, outcome: 'ok' },
        {
          name: 'verify',
          durationMs: 7,
          status: 200,
          outcome: 'failed',
          failureClass: 'wrong-verdict',
          message: 'forged code accepted (simulated)',
        },
      ],
      drillId: 'd1',
    });
  });

  it.each([
    ['primary', 'collection'],
    ['backup', 'verification'],
  ] as const)('leaves %s %s alone', (site, stage) => {
    expect(simulateResult(result(site, stage), faults, 'd1')).toEqual(result(site, stage));
  });
});
