// A valid config for tests: the sandbox layout with one small probe per stage, so tests do not
// depend on the built-in probes. `overrides` are merged into the config input at the top level.
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig, HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { STAGES } from '../../lambdas/core/model/vocabulary.ts';

const site = (address: string) => ({
  stages: {
    collection: `http://${address}:18080/collection`,
    transmission: `http://${address}:18080/transmission`,
    verification: `http://${address}:18080/verification`,
  },
});

export const testConfigInput = (overrides: Partial<HcguardConfigInput> = {}): HcguardConfigInput => ({
  name: 'hcguard-test',
  sites: {
    primary: { label: 'Shanghai DC-1', ...site('127.0.0.1') },
    backup: { label: 'Hangzhou DC-2', ...site('127.0.0.2') },
  },
  probes: STAGES.map((stage) => ({
    id: `${stage}-check`,
    stage,
    steps: [{ name: 'check', path: '/health', timeoutMs: 2_000 }],
  })),
  records: [
    {
      zone: { id: 'Z0HCGUARDTEST', name: 'hc.example.com' },
      name: 'verify.hc.example.com',
      type: 'A',
      ttl: 30,
      stage: 'verification',
      values: { primary: { values: ['10.0.0.1'] }, backup: { values: ['10.0.1.1'] } },
    },
  ],
  schedule: { intervalSeconds: 30 },
  ...overrides,
});

export const testConfig = (overrides: Partial<HcguardConfigInput> = {}): HcguardConfig =>
  parseConfig(testConfigInput(overrides));
