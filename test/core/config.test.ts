import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { DEFAULT_SEVERITY_RULES } from '../../lambdas/core/config/sections.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { roundsPerInvocation, scheduleRateMinutes } from '../../lambdas/core/schedule.ts';

const valid = (): HcguardConfigInput & Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8'));

const problemsOf = (mutate: (input: Record<string, any>) => void): string[] => {
  const input = valid() as Record<string, any>;
  mutate(input);
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.rule}`);
  }
  return [];
};

describe('parseConfig', () => {
  it('accepts the fixture and fills in the documented defaults', () => {
    const config = parseConfig(valid());
    expect(config.detection).toEqual({
      failureThreshold: 3,
      successThreshold: 2,
      flap: { changes: 4, windowMinutes: 10 },
    });
    expect(config.failover).toEqual({
      mode: 'automatic',
      dwellMinutes: 5,
      failback: 'manual',
      failbackAfterHealthyMinutes: 10,
      insyncTimeoutSeconds: 120,
    });
    expect(config.severity.escalateAfterMinutes).toBe(15);
    expect(config.severity.escalate).toEqual(['SEV1', 'SEV2']);
    expect(config.severity.rules).toEqual(DEFAULT_SEVERITY_RULES);
    expect(config.severity.fixed).toEqual({
      noHealthySite: 'SEV1',
      cannotFailOver: 'SEV1',
      switchInProgress: 'SEV1',
      heartbeatMissing: 'SEV2',
      recovered: 'SEV4',
      drillNotice: 'SEV4',
    });
    expect(config.alerts.SEV3.subscriptions).toEqual([]);
    expect(config.records[1]?.stage).toBe('collection');
    expect(config.records[0]?.stage).toBe('verification');
    expect(config.retention.resultDays).toBe(30);
    expect(config.deployment.deletionProtection).toBe(true);
    expect(config.probes[0]?.steps[0]).toMatchObject({
      method: 'GET',
      timeoutMs: 5000,
      maxBodyBytes: 1024 * 1024,
      expect: { status: [200] },
    });
    expect(config.probes[0]?.sites).toEqual(['primary', 'backup']);
  });

  it('parses its own output unchanged (the Lambdas re-parse the resolved config)', () => {
    const once = parseConfig(valid());
    expect(parseConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it.each<[string, (input: Record<string, any>) => void, string[]]>([
    ['a missing section', (c) => delete c.sites, ['sites: is required']],
    [
      'a missing nested value',
      (c) => delete c.sites.backup.stages.verification,
      ['sites.backup.stages.verification: is required'],
    ],
    [
      'a wrong type',
      (c) => (c.schedule.intervalSeconds = '30'),
      ['schedule.intervalSeconds: must be an integer between 5 and 3600'],
    ],
    ['an out-of-range TTL', (c) => (c.records[0].ttl = 0), ['records[0].ttl: must be an integer between 1 and 86400']],
    [
      'a fractional threshold',
      (c) => (c.detection = { failureThreshold: 2.5 }),
      ['detection.failureThreshold: must be an integer between 1 and 10'],
    ],
    ['a typo in a key', (c) => (c.records[0].tll = 60), ['records[0].tll: unknown key (did you mean "ttl"?)']],
    ['an unknown top-level key', (c) => (c.colour = 'blue'), ['colour: unknown key']],
    [
      'a non-URL stage',
      (c) => (c.sites.primary.stages.collection = 'primary/collection'),
      ['sites.primary.stages.collection: must be an absolute http:// or https:// URL'],
    ],
    ['an unknown record type', (c) => (c.records[0].type = 'MX'), ['records[0].type: must be one of: A, AAAA, CNAME']],
    [
      'an A record with a hostname',
      (c) => (c.records[0].values.backup = { values: ['backup.example.com'] }),
      ['records[0].values.backup.values[0]: must be an IPv4 address for an A record'],
    ],
    [
      'a record outside its zone',
      (c) => (c.records[0].name = 'verify.other.example.com'),
      ['records[0].name: must be inside the zone hc.example.com'],
    ],
    [
      'identical site values',
      (c) => (c.records[0].values.backup = c.records[0].values.primary),
      ['records[0].values: primary and backup must differ, or a switch changes nothing'],
    ],
    [
      'a bad e-mail subscriber',
      (c) => (c.alerts.SEV1.subscriptions[0].endpoint = 'oncall'),
      ['alerts.SEV1.subscriptions[0].endpoint: must be an e-mail address'],
    ],
    [
      'a plain-http webhook',
      (c) => (c.alerts.SEV2.subscriptions[0].endpoint = 'http://hooks.example.com/x'),
      ['alerts.SEV2.subscriptions[0].endpoint: must be an https:// URL'],
    ],
    [
      'an unknown protocol',
      (c) => (c.alerts.SEV2.subscriptions[0].protocol = 'pager'),
      ['alerts.SEV2.subscriptions[0].protocol: protocol must be one of: email, sms, https, robot'],
    ],
    [
      'a robot webhook given as a URL instead of an SSM parameter',
      (c) =>
        (c.alerts.SEV2.subscriptions[0] = {
          protocol: 'robot',
          channel: 'dingtalk',
          webhookParameter: 'https://oapi.dingtalk.com/robot/send?access_token=x',
        }),
      [
        'alerts.SEV2.subscriptions[0].webhookParameter: must be an SSM parameter name such as ' +
          '/hcguard/robots/oncall-webhook',
      ],
    ],
    [
      'a signing secret for a WeCom robot, which signs nothing',
      (c) =>
        (c.alerts.SEV2.subscriptions[0] = {
          protocol: 'robot',
          channel: 'wecom',
          webhookParameter: '/hcguard/robots/wecom',
          secretParameter: '/hcguard/robots/wecom-secret',
        }),
      [
        'alerts.SEV2.subscriptions[0].secretParameter: WeCom robots sign nothing (the key is in the webhook URL): ' +
          'remove secretParameter',
      ],
    ],
    [
      'a robot channel hcguard does not know',
      (c) =>
        (c.alerts.SEV2.subscriptions[0] = {
          protocol: 'robot',
          channel: 'slack',
          webhookParameter: '/hcguard/robots/x',
        }),
      [expect.stringMatching(/^alerts\.SEV2\.subscriptions\[0\]\.channel: must be one of/)],
    ],
    [
      'an unknown severity level',
      (c) => (c.alerts.SEV5 = { subscriptions: [] }),
      ['alerts.SEV5: unknown key (did you mean "SEV1"?)'],
    ],
    [
      'a log retention CloudWatch lacks',
      (c) => (c.deployment.logRetentionDays = 42),
      [
        "deployment.logRetentionDays: must be one of CloudWatch's retention periods: 1, " +
          '3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, ' +
          '2557, 2922, 3288, 3653',
      ],
    ],
    [
      'duplicate probe ids',
      (c) => (c.probes[1].id = c.probes[0].id),
      ['probes[1].id: duplicate probe id "collection-health" (also probes[0])'],
    ],
    [
      'a stage nobody probes',
      (c) => (c.probes = c.probes.filter((p: { stage: string }) => p.stage !== 'transmission')),
      [
        'probes: no probe checks transmission on primary: failover pre-flight needs every stage probed on both sites',
        'probes: no probe checks transmission on backup: failover pre-flight needs every stage probed on both sites',
      ],
    ],
    [
      'a probe slower than the interval',
      (c) => (c.probes[0].steps[0].timeoutMs = 40_000),
      ['probes[0].steps: step timeouts add up to 40000 ms, longer than schedule.intervalSeconds (30 s)'],
    ],
    [
      'an undeclared secret',
      (c) => (c.probes[0].steps[0].headers = { 'x-sig': '{{ hmac(secret.missing, "x") }}' }),
      ['probes[0].steps: uses secret "missing", which is not declared under secrets'],
    ],
    [
      'a secret value instead of a reference',
      (c) => (c.secrets.transmissionKey = 's3cr3t'),
      ['secrets.transmissionKey: must be { env: "ENV_VAR_NAME" } or { ssmParameter: "/path/name" }'],
    ],
    [
      'a scenario named like a built-in',
      (c) =>
        (c.drills = {
          scenarios: [
            {
              name: 'verification-outage',
              description: 'x',
              faults: [{ site: 'primary', stage: 'verification', mode: 'error' }],
            },
          ],
        }),
      ['drills.scenarios[0].name: scenario name "verification-outage" is already taken'],
    ],
    [
      'an unknown fault mode',
      (c) =>
        (c.drills = {
          scenarios: [
            { name: 'flood', description: 'x', faults: [{ site: 'primary', stage: 'verification', mode: 'flood' }] },
          ],
        }),
      [
        'drills.scenarios[0].faults[0].mode: must be one of: error, latency, hang, ' +
          'reset, tamper, wrong-verdict, accept-all, drop-writes, stale-replica, ' +
          'malformed, huge-body',
      ],
    ],
  ])('names the path and the rule for %s', (_, mutate, expected) => {
    expect(problemsOf(mutate)).toEqual(expected);
  });

  it('reports every problem at once, not the first one only', () => {
    const problems = problemsOf((c) => {
      c.records[0].ttl = -1;
      c.schedule.intervalSeconds = 4000;
      c.colour = 'blue';
    });
    expect(problems).toEqual([
      'records[0].ttl: must be an integer between 1 and 86400',
      'schedule.intervalSeconds: must be an integer between 5 and 3600',
      'colour: unknown key',
    ]);
  });

  it('formats the problems into one message with the source', () => {
    const error = new ConfigError(
      [{ path: 'records[0].ttl', rule: 'must be an integer between 1 and 86400' }],
      'in bad.json',
    );
    expect(error.message).toBe(
      'Invalid hcguard config in bad.json (1 problem):\n  records[0].ttl: must be an integer between 1 and 86400',
    );
  });
});

describe('schedule arithmetic', () => {
  it.each([
    [5, 12, 1],
    [30, 2, 1],
    [59, 1, 1],
    [60, 1, 1],
    [300, 1, 5],
    [3600, 1, 60],
  ])(
    'an interval of %i s runs %i round(s) per invocation on a %i-minute schedule',
    (intervalSeconds, rounds, minutes) => {
      expect(roundsPerInvocation({ schedule: { intervalSeconds, concurrency: 1 } })).toBe(rounds);
      expect(scheduleRateMinutes({ schedule: { intervalSeconds, concurrency: 1 } })).toBe(minutes);
    },
  );
});
