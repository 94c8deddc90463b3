// The drill's environment checks, judged from the facts the runner gathered: one row per case.
import { describe, expect, it } from 'vitest';
import { environmentChecks, environmentNeeds, type EnvironmentFacts } from '../../../lambdas/core/drill/environment.ts';
import type { DrillRecord } from '../../../lambdas/core/drill/model.ts';
import { newDrill } from '../../../lambdas/core/drill/new-drill.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import { at, drillPolicy } from './fixtures.ts';

const policy = drillPolicy();
const scenarioDrill = (change: Partial<DrillRecord> = {}): DrillRecord => ({
  ...newDrill({
    id: 'd1',
    actor: 'operator:li@ops-1',
    now: at(0),
    policy,
    dryRun: false,
    scenario: findScenario(policy, 'verification-outage')!,
  }),
  ...change,
});
const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: string) => ({ ok: false as const, error });
const injection = (facts: EnvironmentFacts, drill = scenarioDrill()) =>
  environmentChecks(drill, ['preflight'], facts, policy).preflight?.find((check) => check.name === 'fault injection');

describe('environmentChecks: fault injection', () => {
  it.each([
    { name: 'no injector', facts: {}, pass: false, detail: /no fault injector/ },
    {
      name: 'a clean sandbox',
      facts: { injector: { description: 'the sandbox', active: ok([]) } },
      pass: true,
      detail: /answers; no fault active/,
    },
    {
      name: 'a fault left active',
      facts: {
        injector: {
          description: 'the sandbox',
          active: ok([{ site: 'primary' as const, stage: 'verification' as const, mode: 'error' as const, since: '' }]),
        },
      },
      pass: false,
      detail: /already active on the sandbox: error on primary verification/,
    },
    {
      name: 'a hook that cannot list',
      facts: { injector: { description: 'the hook', active: ok(undefined) } },
      pass: true,
      detail: /cannot list/,
    },
    {
      name: 'an unreachable hook',
      facts: { injector: { description: 'the hook', active: failed('ECONNREFUSED') } },
      pass: false,
      detail: /the hook: ECONNREFUSED/,
    },
  ])('$name → passes: $pass', ({ facts, pass, detail }) => {
    const check = injection(facts);
    expect(check).toMatchObject({ ok: pass, required: true });
    expect(check?.detail).toMatch(detail);
  });

  it('a simulated drill needs no injector', () => {
    expect(injection({}, scenarioDrill({ injection: 'simulated' }))).toMatchObject({
      ok: true,
      detail: expect.stringContaining('simulated'),
    });
  });
});

describe('environmentChecks: the other phases', () => {
  it('judges the audit queue, the record writer, the state store, routing and Route 53 from what was read', () => {
    const drill = scenarioDrill({ dryRun: true });
    const facts: EnvironmentFacts = {
      audit: failed('AccessDenied'),
      records: { description: 'counted on the sandbox', countable: ok(true) },
      store: ok({ targets: 6, incidents: 0 }),
      routing: ok({ records: 1, lock: { actor: 'operator:wang@ops-2', reason: 'x', at: '' } }),
      readings: [
        {
          record: 'verify.hc.example.com',
          reading: ok({ exists: true, site: 'backup' as const, description: 'A 10.0.1.1' }),
        },
      ],
      missingTopics: ['SEV4'],
    };
    const checks = environmentChecks(drill, drill.plan, facts, policy);
    expect(checks.notify).toEqual([
      { name: 'alert audit queue', ok: false, detail: 'cannot read the audit queue: AccessDenied', required: true },
      { name: 'alert topics', ok: false, detail: 'no topic for SEV4', required: true },
      expect.objectContaining({ name: 'subscribers', required: false }),
    ]);
    expect(checks.identify).toEqual([
      { name: 'state store readable', ok: true, detail: '6 target state(s), 0 open incident(s)', required: true },
    ]);
    expect(checks.activate).toEqual([
      expect.objectContaining({ name: 'failover mode', ok: true }),
      expect.objectContaining({
        name: 'routing state readable',
        ok: true,
        detail: '1 record(s) with routing state; LOCKED by operator:wang@ops-2',
      }),
      { name: 'Route 53 verify.hc.example.com', ok: false, detail: 'A 10.0.1.1 (backup)', required: true },
    ]);
    expect(checks.restore?.[0]).toMatchObject({ name: 'record writer', ok: true, required: false });
  });

  it('asks only for the facts the phases need', () => {
    expect(environmentNeeds(scenarioDrill(), ['preflight'])).toEqual({
      injector: true,
      audit: true,
      records: true,
      store: false,
      routing: false,
    });
    expect(environmentNeeds(scenarioDrill({ dryRun: true }), ['preflight'])).toEqual({
      injector: false,
      audit: false,
      records: false,
      store: false,
      routing: false,
    });
    expect(environmentNeeds(scenarioDrill({ step: 'notify' }), ['preflight'])).toMatchObject({
      injector: false,
      audit: true,
    });
  });
});
