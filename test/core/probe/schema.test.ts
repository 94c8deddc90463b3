import { describe, expect, it } from 'vitest';
import configInput from '../../../hcguard.config.ts';
import { ConfigError } from '../../../lambdas/core/config/problems.ts';
import { parseConfig } from '../../../lambdas/core/config.ts';
import { builtinProbes, provisionedCodeVerificationProbe } from '../../../lambdas/core/probe/builtin.ts';
import { probeSchema, type ProbeDefinitionInput } from '../../../lambdas/core/probe/schema.ts';

const problemsOf = (probe: ProbeDefinitionInput): string[] => {
  try {
    parseConfig({ ...configInput, probes: [...builtinProbes(), probe] });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.rule}`);
  }
};

const base = (
  steps: ProbeDefinitionInput['steps'],
  extra: Partial<ProbeDefinitionInput> = {},
): ProbeDefinitionInput => ({ id: 'custom', stage: 'collection', steps, ...extra });

describe('the built-in probes', () => {
  it('make the default config valid, with every stage probed on both sites', () => {
    const config = parseConfig(configInput);
    expect(config.probes.map((probe) => [probe.id, probe.stage, probe.sites])).toEqual([
      ['collection', 'collection', ['primary', 'backup']],
      ['transmission', 'transmission', ['primary', 'backup']],
      ['verification', 'verification', ['primary', 'backup']],
    ]);
    expect(config.secrets).toEqual({ transmissionKey: { env: 'HCGUARD_TRANSMISSION_KEY' } });
  });

  it("fit one 5 s round: every probe's step timeouts add up to at most 5 s", () => {
    for (const probe of parseConfig(configInput).probes)
      expect(probe.steps.reduce((sum, step) => sum + step.timeoutMs, 0)).toBeLessThanOrEqual(5_000);
  });

  it('compare every field of the declaration, marking identity fields sensitive', () => {
    const readBack = parseConfig(configInput).probes[0]?.steps[1];
    expect(readBack?.expect.json.map((assertion) => [assertion.label, assertion.sensitive])).toEqual([
      ['stored declaration', false],
      ['subjectId', true],
      ['name', true],
      ['phone', true],
      ['temperature', false],
      ['symptoms', false],
      ['travel', false],
      ['declaredAt', false],
      ['testData flag', false],
    ]);
  });

  it('can verify a provisioned code instead, with its secrets declared', () => {
    const probe = provisionedCodeVerificationProbe({
      goodCodeSecret: 'goodCode',
      revokedCodeSecret: 'revokedCode',
      expectedVerdict: 'green',
    });
    expect(probeSchema.parse(probe).steps.map((step) => step.name)).toEqual([
      'verify',
      'verify-forged',
      'verify-revoked',
    ]);
    expect(problemsOf({ ...probe, id: 'provisioned' })).toEqual([
      'probes[3].steps: uses secret "goodCode", which is not declared under secrets',
      'probes[3].steps: uses secret "revokedCode", which is not declared under secrets',
    ]);
  });
});

describe('probe definitions are checked when the config is', () => {
  it.each<[string, ProbeDefinitionInput, string]>([
    [
      'a variable nobody defines',
      base([{ name: 'a', path: '/{{ token }}' }]),
      'probes[3].steps[0].path: token is not defined here',
    ],
    [
      'a capture used before the step that captures it',
      base([
        { name: 'a', path: '/{{ token }}' },
        { name: 'b', path: '/', capture: { token: '$.t' } },
      ]),
      'probes[3].steps[0].path: token is not defined here',
    ],
    [
      'seq without a sequence',
      base([{ name: 'a', path: '/{{ seq }}' }]),
      'probes[3].steps[0].path: seq is not defined here (declare `sequence` on the probe to use it)',
    ],
    [
      'an undeclared var',
      base([{ name: 'a', path: '/{{ vars.x }}' }]),
      'probes[3].steps[0].path: vars.x is not defined (no vars are declared before this point)',
    ],
    [
      'a var that uses a later var',
      base([{ name: 'a', path: '/' }], { vars: { a: '{{ vars.b }}', b: 'x' } }),
      'probes[3].vars.a: vars.b is not defined',
    ],
    [
      'a secret inside vars',
      base([{ name: 'a', path: '/' }], { vars: { a: '{{ secret.transmissionKey }}' } }),
      'probes[3].vars.a: secret.transmissionKey: secrets may be used in steps only',
    ],
    [
      'an identity field that does not exist',
      base([{ name: 'a', path: '/{{ identity.email }}' }]),
      'probes[3].steps[0].path: identity.email: identity has id, name, phone',
    ],
    [
      'an unknown function',
      base([{ name: 'a', path: '/', body: { x: '{{ exec(1) }}' } }]),
      'probes[3].steps[0].body: unknown function exec()',
    ],
    [
      'a template that does not parse',
      base([{ name: 'a', path: '/{{ site' }]),
      'probes[3].steps[0].path: "{{" at position 1 is never closed with "}}"',
    ],
    [
      'a JSONPath script expression',
      base([{ name: 'a', path: '/', expect: { json: [{ path: '$..[?(@.x)]', exists: true }] } }]),
      'must not use script expressions',
    ],
    [
      'an assertion with two kinds',
      base([{ name: 'a', path: '/', expect: { json: [{ path: '$.a', equals: 1, exists: true }] } }]),
      'needs exactly one of equals, notEquals, matches, exists, absent, gt, gte, lt, lte, between, approx, ' +
        'length (has equals, exists)',
    ],
    [
      'an invalid regular expression',
      base([{ name: 'a', path: '/', expect: { json: [{ path: '$.a', matches: '(' }] } }]),
      'probes[3].steps[0].expect.json[0].matches: is not a valid regular expression',
    ],
    [
      'a sequence committed after no step',
      base([{ name: 'a', path: '/' }], { sequence: { stream: 's', commitAfter: 'send' } }),
      'probes[3].sequence.commitAfter: names no step of this probe (steps: a)',
    ],
    [
      'a capture named like a built-in',
      base([{ name: 'a', path: '/', capture: { site: '$.s' } }]),
      'probes[3].steps[0].capture.site: "site" is a built-in variable: pick another name',
    ],
    [
      'a sensitive name that is neither var nor capture',
      base([{ name: 'a', path: '/' }], { sensitive: ['code'] }),
      'probes[3].sensitive[0]: "code" is neither a var nor a capture of this probe',
    ],
    [
      'duplicate step names',
      base([
        { name: 'a', path: '/' },
        { name: 'a', path: '/' },
      ]),
      'probes[3].steps[1].name: duplicate step name "a"',
    ],
  ])('refuses %s', (_, probe, problem) => {
    expect(problemsOf(probe).join('\n')).toContain(problem);
  });

  it('accepts a probe using captures, vars, the sequence and secrets where they are defined', () => {
    expect(
      problemsOf(
        base(
          [
            {
              name: 'send',
              method: 'POST',
              path: '/s/{{ stream }}',
              timeoutMs: 1_000,
              body: { n: '{{ seq }}', mac: '{{ hmac(secret.transmissionKey, vars.p) }}' },
              capture: { id: '$.id' },
            },
            {
              name: 'read',
              path: '/r/{{ urlencode(id) }}',
              timeoutMs: 1_000,
              expect: { json: [{ path: '$.p', equals: '{{ vars.p }}' }] },
            },
          ],
          {
            id: 'custom',
            stage: 'transmission',
            sequence: { stream: 'x-{{ site }}', commitAfter: 'send' },
            vars: { p: 'payload {{ seq }} {{ identity.id }}' },
            sensitive: ['id'],
          },
        ),
      ),
    ).toEqual([]);
  });
});
