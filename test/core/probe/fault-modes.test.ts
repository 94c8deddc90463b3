import { describe, expect, it } from 'vitest';
import { FAULT_MODES, STAGES } from '../../../lambdas/core/model/vocabulary.ts';
import { expectedDetection, faultApplies, parseFaultSpec } from '../../../lambdas/core/probe/fault-modes.ts';

describe('fault modes', () => {
  it('lets the verifier faults break verification only, and every other mode any stage', () => {
    const table = Object.fromEntries(
      FAULT_MODES.map((mode) => [mode, STAGES.filter((stage) => faultApplies(mode, stage))]),
    );
    expect(table).toEqual({
      error: [...STAGES],
      latency: [...STAGES],
      hang: [...STAGES],
      reset: [...STAGES],
      tamper: [...STAGES],
      'wrong-verdict': ['verification'],
      'accept-all': ['verification'],
      'drop-writes': [...STAGES],
      'stale-replica': [...STAGES],
      malformed: [...STAGES],
      'huge-body': [...STAGES],
    });
  });

  it.each([
    ['error', 'verification', { outcome: 'failed', failureClass: 'status' }],
    ['latency', 'collection', { outcome: 'degraded' }],
    ['hang', 'transmission', { outcome: 'failed', failureClass: 'timeout' }],
    ['reset', 'verification', { outcome: 'failed', failureClass: 'connect' }],
    ['tamper', 'collection', { outcome: 'failed', failureClass: 'assertion' }],
    ['tamper', 'transmission', { outcome: 'failed', failureClass: 'integrity' }],
    ['tamper', 'verification', { outcome: 'failed', failureClass: 'wrong-verdict' }],
    ['accept-all', 'verification', { outcome: 'failed', failureClass: 'wrong-verdict' }],
    ['drop-writes', 'transmission', { outcome: 'failed', failureClass: 'integrity' }],
    ['stale-replica', 'collection', { outcome: 'failed', failureClass: 'assertion' }],
    ['malformed', 'collection', { outcome: 'failed', failureClass: 'malformed' }],
    ['huge-body', 'verification', { outcome: 'failed', failureClass: 'too-large' }],
    ['accept-all', 'collection', undefined],
  ] as const)('%s on %s is expected as %j', (mode, stage, expected) => {
    expect(expectedDetection(mode, stage)).toEqual(expected);
  });

  it.each([
    [{ site: 'primary', stage: 'verification', mode: 'latency', latencyMs: 500, forMs: 30_000 }, undefined],
    [{ site: 'east', stage: 'verification', mode: 'error' }, ['site: must be one of: primary, backup']],
    [
      { site: 'primary', stage: 'transmission', mode: 'wrong-verdict' },
      ['mode: wrong-verdict applies to verification only'],
    ],
    [
      { site: 'primary', stage: 'collection', mode: 'error', forMs: 0 },
      ['forMs: must be an integer between 1 and 604800000'],
    ],
    [{ site: 'primary', stage: 'collection', mode: 'hang', extra: 1 }, ['fault: Unrecognized key: "extra"']],
  ])('validates %j', (input, problems) => {
    const parsed = parseFaultSpec(input);
    if (problems) expect(parsed).toEqual({ problems });
    else expect(parsed).toEqual({ spec: input });
  });
});
