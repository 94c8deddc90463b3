import { describe, expect, it } from 'vitest';
import { resolveDrillRequest } from '../../../lambdas/core/drill/request.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import { testConfig } from '../../fakes/config.ts';

const config = testConfig();

describe('a drill request as an operator gives it', () => {
  it.each([
    [{ scenario: 'verification-outage' }, { ok: true, scenario: findScenario(config, 'verification-outage') }],
    [{ step: 'notify' }, { ok: true, step: 'notify' }],
    [
      { step: 'notify', severities: ['SEV1'] },
      { ok: true, step: 'notify' },
    ],
    [
      { scenario: 'verification-outage', step: 'notify' },
      { ok: false, reason: 'give either a scenario or a step, not both' },
    ],
    [
      { step: 'switch', severities: ['SEV1'] },
      { ok: false, reason: 'severities go with the notify step only' },
    ],
    [
      { scenario: 'verification-outage', severities: ['SEV2'] },
      { ok: false, reason: 'severities go with the notify step only' },
    ],
    [
      { scenario: 'nope' },
      { ok: false, reason: expect.stringMatching(/^unknown scenario "nope": one of verification-outage, /) },
    ],
    [
      {},
      { ok: false, reason: expect.stringMatching(/^name a scenario \(.+\) or a step \(notify, switch, restore\)$/) },
    ],
  ] as const)('%j → %j', (input, expected) => {
    expect(resolveDrillRequest(config, input)).toEqual(expected);
  });
});
