import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITY_RULES, type SeverityRule } from '../../lambdas/core/config/sections.ts';
import {
  isMoreSerious,
  raiseSeverity,
  servesTraffic,
  severityFor,
  UNMATCHED_SEVERITY,
  type SeverityInput,
} from '../../lambdas/core/severity.ts';

describe('the default severity rules (first match wins)', () => {
  it.each<[string, SeverityInput, string, string]>([
    [
      'a verifier accepting forged codes, even on the standby',
      { stage: 'verification', failureClass: 'wrong-verdict', outcome: 'failed', serving: false },
      'SEV1',
      'a verifier giving wrong verdicts is a security breach',
    ],
    [
      'verification failing where citizens are served',
      { stage: 'verification', failureClass: 'timeout', outcome: 'failed', serving: true },
      'SEV1',
      'citizens cannot be verified at checkpoints',
    ],
    [
      "the platform's stream reset: a finding of its own, not loss",
      { stage: 'transmission', failureClass: 'stream-reset', outcome: 'degraded', serving: true },
      'SEV3',
      "the platform's transmission stream was reset: records sent before it are gone from it",
    ],
    [
      'a verifier refusing the probe with a business error (signature, not found): its own rule',
      { stage: 'verification', failureClass: 'rejected', outcome: 'failed', serving: true },
      'SEV2',
      "the platform refuses the probe's requests with a business error (see its code and message)",
    ],
    [
      'a verifier that says "system busy" where citizens are served: they cannot be verified',
      { stage: 'verification', failureClass: 'unavailable', outcome: 'failed', serving: true },
      'SEV1',
      'citizens cannot be verified at checkpoints',
    ],
    [
      'a busy transmission is not tampering',
      { stage: 'transmission', failureClass: 'unavailable', outcome: 'failed', serving: true },
      'SEV2',
      'a stage of the serving site is failing',
    ],
    [
      'verification failing on the standby',
      { stage: 'verification', failureClass: 'connect', outcome: 'failed', serving: false },
      'SEV2',
      'the standby site is broken: no failover is possible',
    ],
    [
      'transmission tampering on the serving site',
      { stage: 'transmission', failureClass: 'integrity', outcome: 'failed', serving: true },
      'SEV2',
      'declarations are lost or tampered with in transit',
    ],
    [
      'transmission tampering on the standby',
      { stage: 'transmission', failureClass: 'integrity', outcome: 'failed', serving: false },
      'SEV2',
      'declarations are lost or tampered with in transit',
    ],
    [
      'collection drift on the serving site',
      { stage: 'collection', failureClass: 'assertion', outcome: 'failed', serving: true },
      'SEV3',
      'stored health data differs from what was declared',
    ],
    [
      'slow verification on the serving site',
      { stage: 'verification', outcome: 'degraded', serving: true },
      'SEV3',
      'slow answers: checkpoints queue up',
    ],
    [
      'slow collection on the standby',
      { stage: 'collection', outcome: 'degraded', serving: false },
      'SEV3',
      'slow answers: checkpoints queue up',
    ],
    [
      'collection down on the serving site',
      { stage: 'collection', failureClass: 'status', outcome: 'failed', serving: true },
      'SEV2',
      'a stage of the serving site is failing',
    ],
  ])('%s → %s', (_, input, severity, reason) => {
    expect(severityFor(input, DEFAULT_SEVERITY_RULES)).toMatchObject({ severity, reason });
  });

  it('names the rule that matched', () => {
    expect(
      severityFor(
        { stage: 'verification', failureClass: 'timeout', outcome: 'failed', serving: true },
        DEFAULT_SEVERITY_RULES,
      ).rule,
    ).toBe(3);
  });
});

describe('custom rules', () => {
  const rules: SeverityRule[] = [
    {
      when: { stage: 'collection', failureClass: ['assertion', 'integrity'] },
      severity: 'SEV1',
      reason: 'wrong health data is served',
    },
    { when: { serving: true }, severity: 'SEV2', reason: 'serving site' },
  ];

  it.each<[SeverityInput, string]>([
    [{ stage: 'collection', failureClass: 'integrity', outcome: 'failed', serving: false }, 'SEV1'],
    [{ stage: 'collection', outcome: 'degraded', serving: true }, 'SEV2'],
    [{ stage: 'verification', failureClass: 'assertion', outcome: 'failed', serving: true }, 'SEV2'],
  ])('%o → %s', (input, severity) => {
    expect(severityFor(input, rules).severity).toBe(severity);
  });

  it('falls back to a documented level when no rule matches, rather than dropping the finding', () => {
    expect(severityFor({ stage: 'verification', outcome: 'failed', serving: false }, rules)).toEqual(
      UNMATCHED_SEVERITY,
    );
  });

  it('a rule naming failure classes does not match a finding without one', () => {
    expect(severityFor({ stage: 'collection', outcome: 'degraded', serving: false }, rules)).toEqual(
      UNMATCHED_SEVERITY,
    );
  });
});

describe('severity order', () => {
  it.each([
    ['SEV1', 'SEV2', true],
    ['SEV2', 'SEV1', false],
    ['SEV3', 'SEV3', false],
  ] as const)('%s more serious than %s: %s', (a, b, expected) => {
    expect(isMoreSerious(a, b)).toBe(expected);
  });

  it.each([
    ['SEV4', 'SEV3'],
    ['SEV2', 'SEV1'],
    ['SEV1', 'SEV1'],
  ] as const)('raising %s gives %s', (from, to) => {
    expect(raiseSeverity(from)).toBe(to);
  });
});

describe('servesTraffic', () => {
  const records = [{ name: 'verify.hc.example.com.', stage: 'verification' as const }];

  it.each([
    ['primary', 'verification', [], true],
    ['backup', 'verification', [], false],
    ['backup', 'verification', [{ record: 'verify.hc.example.com', activeSite: 'backup' as const }], true],
    ['primary', 'verification', [{ record: 'verify.hc.example.com', activeSite: 'backup' as const }], false],
    // No record follows collection: the site the records point at is where citizens are.
    ['primary', 'collection', [], true],
    ['backup', 'collection', [{ record: 'verify.hc.example.com', activeSite: 'backup' as const }], true],
  ] as const)('%s serves %s with routing %o: %s', (site, stage, routing, expected) => {
    expect(servesTraffic(site, stage, records, routing)).toBe(expected);
  });
});
