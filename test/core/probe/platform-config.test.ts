// What adapting to a platform by config alone needs beyond assertions: presets in JSON, per-site
// vars and secret names, per-request vars, probe-level request defaults and a signed body.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambdas/core/config/problems.ts';
import { siteSecretName } from '../../../lambdas/core/config/cross-rules.ts';
import { parseConfig } from '../../../lambdas/core/config.ts';
import { createProbeScope, prepareStep, type ProbeRun } from '../../../lambdas/core/probe/engine.ts';
import { probeSchema } from '../../../lambdas/core/probe/schema.ts';
import { syntheticIdentity } from '../../../lambdas/core/probe/synthetic.ts';
import type { TemplateRuntime } from '../../../lambdas/core/probe/template.ts';

const fixture = () =>
  JSON.parse(readFileSync(new URL('../../fixtures/stack.config.json', import.meta.url), 'utf8')) as Record<string, any>;

const problems = (input: unknown): string[] => {
  try {
    parseConfig(input);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.rule}`);
  }
};

describe('presets: the shipped probes from a JSON config', () => {
  it('expands provisioned-code-verification into the same probe the .ts helper gives', () => {
    const input = fixture();
    input.secrets = { goodCode: { env: 'GOOD' }, revoked: { env: 'REVOKED' } };
    input.probes = [
      { preset: 'collection' },
      { preset: 'transmission' },
      {
        preset: 'provisioned-code-verification',
        goodCodeSecret: 'goodCode',
        expectedVerdict: 'green',
        revokedCodeSecret: 'revoked',
      },
    ];
    input.secrets.transmissionKey = { env: 'KEY' };
    const config = parseConfig(input);
    expect(config.probes.map((probe) => [probe.id, probe.steps.map((step) => step.name)])).toEqual([
      ['collection', ['submit', 'read-back']],
      ['transmission', ['send', 'check-stream']],
      ['verification', ['verify', 'verify-forged', 'verify-revoked']],
    ]);
  });

  it.each([
    [{ preset: 'nope' }, 'probes[0].preset: preset must be one of collection, transmission, verification'],
    [{ preset: 'provisioned-code-verification', goodCodeSecret: 'g' }, 'probes[0].expectedVerdict: is required'],
    [{ preset: 'collection', extra: 1 }, 'probes[0]'],
  ])('refuses %j, naming the path', (entry, message) => {
    const input = fixture();
    input.probes = [entry];
    expect(problems(input).join('\n')).toContain(message);
  });
});

describe('sites', () => {
  it('refuses a backup that is the primary again (case and trailing slashes aside)', () => {
    const input = fixture();
    input.sites.backup.stages = Object.fromEntries(
      Object.entries(input.sites.primary.stages as Record<string, string>).map(([stage, url]) => [
        stage,
        `${url.replace('http://', 'HTTP://')}/`,
      ]),
    );
    expect(problems(input)).toContain(
      'sites.backup.stages: is the same as sites.primary.stages: ' +
        'a failover would send citizens to the site that failed',
    );
  });

  it('accepts sites that share some stages (e.g. one collection API behind both)', () => {
    const input = fixture();
    input.sites.backup.stages.collection = input.sites.primary.stages.collection;
    expect(problems(input)).toEqual([]);
  });
});

describe('per-site vars and secret names', () => {
  const withSites = (mutate: (input: Record<string, any>) => void) => {
    const input = fixture();
    input.probes = [
      ...parseConfig(fixture()).probes.slice(0, 2),
      {
        id: 'verification',
        stage: 'verification',
        steps: [
          {
            name: 'verify',
            path: '/apps/{{ siteVars.appId }}/verify',
            headers: { 'X-Key': '{{ secret.appKey }}' },
          },
        ],
      },
    ];
    input.secrets = { ...input.secrets, appKey: { env: 'PRIMARY_KEY' }, backupKey: { env: 'BACKUP_KEY' } };
    input.sites.primary.vars = { appId: 'p-app' };
    input.sites.backup.vars = { appId: 'b-app' };
    input.sites.backup.secrets = { appKey: 'backupKey' };
    mutate(input);
    return input;
  };

  it('accepts one probe for both sites, each with its own app id and key', () => {
    const config = parseConfig(withSites(() => undefined));
    expect(siteSecretName(config, 'primary', 'appKey')).toBe('appKey');
    expect(siteSecretName(config, 'backup', 'appKey')).toBe('backupKey');
  });

  it.each([
    [
      'a site without the var',
      (input: Record<string, any>) => delete input.sites.backup.vars,
      'probes[2]: uses siteVars.appId, which sites.backup do not define under vars',
    ],
    [
      'a secret alias to an undeclared secret',
      (input: Record<string, any>) => (input.sites.backup.secrets = { appKey: 'missing' }),
      'sites.backup.secrets.appKey: names secret "missing", which is not declared under secrets',
    ],
    [
      'a site var name that is no name',
      (input: Record<string, any>) => (input.sites.primary.vars = { 'app-id': 1, appId: 'p' }),
      'sites.primary.vars.app-id',
    ],
  ])('refuses %s', (_, mutate, message) => {
    expect(problems(withSites(mutate)).join('\n')).toContain(message);
  });
});

const runtime: TemplateRuntime = (() => {
  let count = 0;
  return {
    now: () => new Date('2026-11-26T08:00:00.000Z'),
    uuid: () => 'uuid',
    nonce: () => `nonce-${String(++count).padStart(10, '0')}`,
  };
})();

describe('signed requests: per-request vars, probe-level defaults, the body as sent', () => {
  const probe = probeSchema.parse({
    id: 'signed',
    stage: 'verification',
    request: {
      vars: { ts: '{{ epochMillis() }}', nonce: '{{ nonce() }}' },
      headers: {
        'X-Nonce': '{{ vars.nonce }}',
        'X-Sign': "{{ hmac(secret.key, concat(vars.ts, '\\n', vars.nonce, '\\n', requestBody), 'sm3') }}",
        'Content-Type': 'application/json',
      },
    },
    steps: [
      { name: 'a', method: 'POST', path: '/a', body: { b: 2, a: '{{ siteVars.appId }}' } },
      { name: 'b', method: 'POST', path: '/b', headers: { 'x-nonce': 'fixed' }, body: { z: 1 } },
    ],
  });
  const run: ProbeRun = {
    probe,
    site: 'primary',
    identity: syntheticIdentity('0123456789abcdef'),
    secrets: { key: 'k' },
    siteVars: { appId: 'app-1' },
  };
  const scope = createProbeScope(run, runtime);

  it('signs exactly the bytes it sends, keys in the order written', () => {
    const { request } = prepareStep(probe.steps[0]!, 'http://127.0.0.1:1/api', scope, runtime);
    expect(request.body).toBe('{"b":2,"a":"app-1"}');
    const nonce = request.headers['x-nonce'] as string;
    const expected = createHmac('sm3', 'k').update(`1795680000000\n${nonce}\n${request.body}`).digest('hex');
    expect(request.headers['x-sign']).toBe(expected);
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('renders per-request vars afresh for every request (a nonce is never reused)', () => {
    const first = prepareStep(probe.steps[0]!, 'http://h/', scope, runtime).request.headers['x-nonce'];
    const second = prepareStep(probe.steps[0]!, 'http://h/', scope, runtime).request.headers['x-nonce'];
    expect(first).not.toBe(second);
  });

  it("lets a step's own header win over the probe's, whatever its case", () => {
    const { request } = prepareStep(probe.steps[1]!, 'http://h/', scope, runtime);
    expect(request.headers['x-nonce']).toBe('fixed');
    expect(Object.keys(probe.steps[1]!.headers).filter((name) => name.toLowerCase() === 'x-nonce')).toEqual([
      'x-nonce',
    ]);
  });

  it('refuses requestBody outside headers, where the body is not yet known', () => {
    const result = probeSchema.safeParse({
      id: 'bad',
      stage: 'verification',
      steps: [{ name: 'a', path: '/a', body: { sign: '{{ requestBody }}' } }],
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('requestBody is not defined here');
  });
});
