import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sandboxConfig from '../../hcguard.config.ts';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { configSchema, type HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import { hasParsedShape, loadBakedConfig } from '../../lambdas/core/config/baked.ts';
import { testConfigInput } from '../fakes/config.ts';

/** A config that uses every optional part of the schema the stack may bake. */
const everythingInput = (): HcguardConfigInput =>
  testConfigInput({
    timeZone: 'Asia/Shanghai',
    secrets: {
      transmissionKey: { ssmParameter: '/hcguard/transmission-key' },
      verifierToken: { env: 'VERIFIER_TOKEN' },
    },
    records: [
      {
        zone: { id: 'Z0HCGUARDTEST', name: 'hc.example.com.' },
        name: 'verify.hc.example.com.',
        type: 'A',
        values: {
          primary: { values: ['10.0.0.1'] },
          backup: { alias: { dnsName: 'backup-lb.hc.example.com', hostedZoneId: 'Z2FDTNDATAQYW2' } },
        },
      },
      {
        zone: { name: 'hc.example.com' },
        name: 'api.hc.example.com',
        type: 'CNAME',
        stage: 'transmission',
        values: { primary: { values: ['a.hc.example.com'] }, backup: { values: ['b.hc.example.com'] } },
      },
    ],
    alerts: {
      SEV1: {
        subscriptions: [
          { protocol: 'email', endpoint: 'oncall@example.com' },
          { protocol: 'sms', endpoint: '+8613800000000' },
          { protocol: 'https', endpoint: 'https://hooks.example.com/hcguard', rawMessageDelivery: true },
        ],
      },
    },
    drills: {
      faultHookUrl: 'https://faults.example.com/inject',
      awaitAck: true,
      objectives: { rtoSeconds: 120, detectSeconds: 30 },
      scenarios: [
        {
          name: 'slow-verifier',
          description: 'verification answers slowly on the primary',
          faults: [{ site: 'primary', stage: 'verification', mode: 'latency', latencyMs: 4_000 }],
          expectFailover: false,
          objectives: { rtoSeconds: 60 },
        },
      ],
    },
    deployment: {
      account: '123456789012',
      region: 'cn-north-1',
      logRetentionDays: 30,
      operators: { principals: ['arn:aws-cn:iam::123456789012:role/oncall'], requireMfa: true },
    },
    local: { citizens: { record: 'verify.hc.example.com' } },
  });

/** What the stack bakes: parseConfig's output as JSON text. */
const baked = (input: unknown): string => JSON.stringify(parseConfig(input));
const envelopeExample: unknown = JSON.parse(
  readFileSync(new URL('../../examples/envelope-platform/hcguard.config.json', import.meta.url), 'utf8'),
);

describe('the config baked into a Lambda bundle', () => {
  it.each([
    ['the sandbox config (hcguard.config.ts)', sandboxConfig],
    ['the test config', testConfigInput()],
    ['a config using every optional part', everythingInput()],
    ['the envelope platform example (JSON, envelopes, gates, polling, site vars)', envelopeExample],
  ])('is used as baked when the stack parsed it: %s', (_, input) => {
    const text = baked(input);
    expect(hasParsedShape(configSchema, JSON.parse(text))).toBe(true);
    // Parsing is idempotent, so skipping the parse changes nothing.
    expect(loadBakedConfig(text, 'from HCGUARD_BAKED_CONFIG')).toEqual(parseConfig(JSON.parse(text)));
  });

  it('parses a config with presets in full, and its parse is then used as baked', () => {
    const input = {
      ...testConfigInput(),
      probes: [{ preset: 'collection' }, { preset: 'transmission' }, { preset: 'verification' }],
    };
    expect(hasParsedShape(configSchema, input)).toBe(false);
    expect(hasParsedShape(configSchema, JSON.parse(baked(input)))).toBe(true);
  });

  it('parses an input config baked as written, filling in the defaults', () => {
    const input = testConfigInput();
    expect(hasParsedShape(configSchema, input)).toBe(false);
    const loaded = loadBakedConfig(JSON.stringify(input), 'from HCGUARD_BAKED_CONFIG');
    expect(loaded).toEqual(parseConfig(input));
    expect(loaded.detection.failureThreshold).toBe(3);
  });

  const parsed = () => JSON.parse(baked(testConfigInput())) as Record<string, Record<string, unknown>>;

  it.each([
    [
      'a wrong type deep inside',
      (config: ReturnType<typeof parsed>) => ((config.schedule as Record<string, unknown>).intervalSeconds = 'often'),
      'schedule.intervalSeconds: must be an integer between 5 and 3600',
    ],
    ['a missing required section', (config: ReturnType<typeof parsed>) => delete config.sites, 'sites: is required'],
    [
      'an unknown key',
      (config: ReturnType<typeof parsed>) => ((config.failover as Record<string, unknown>).dwelMinutes = 5),
      'failover.dwelMinutes: unknown key (did you mean "dwellMinutes"?)',
    ],
    [
      'a value outside an enum',
      (config: ReturnType<typeof parsed>) => ((config.failover as Record<string, unknown>).mode = 'sometimes'),
      'failover.mode: must be one of: automatic, manual',
    ],
    [
      'a record without values',
      (config: ReturnType<typeof parsed>) => delete (config.records as unknown as Record<string, unknown>[])[0]!.values,
      'records[0].values: is required',
    ],
  ])('fails loudly with the ConfigError message when malformed: %s', (_, mutate, line) => {
    const config = parsed();
    mutate(config);
    expect(hasParsedShape(configSchema, config)).toBe(false);
    const load = () => loadBakedConfig(JSON.stringify(config), 'from HCGUARD_BAKED_CONFIG');
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`Invalid hcguard config from HCGUARD_BAKED_CONFIG (`);
    expect(load).toThrow(`  ${line}`);
  });

  it('fails with a syntax error on text that is not JSON', () => {
    expect(() => loadBakedConfig('{"name":', 'from HCGUARD_BAKED_CONFIG')).toThrow(SyntaxError);
  });
});
