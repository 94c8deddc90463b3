// Starts the sandbox platform for a test: both sites on OS-assigned loopback ports (primary on
// 127.0.0.1, backup on 127.0.0.2) and a config from the repo's hcguard.config.ts whose site URLs
// point at them (record values stay 127.0.0.1 / 127.0.0.2). Always `await testbed.stop()`.
import configInput from '../../hcguard.config.ts';
import { createSecretSource } from '../../lambdas/adapters/secrets.ts';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { createProbeRunner } from '../../lambdas/app/probe-runner.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig, HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../local/sandbox/index.ts';
import type { ProbeRunner, SecretSource } from '../../lambdas/ports.ts';

/** The transmission HMAC key tests use; set in the environment so env-based secret sources find it. */
export const TEST_TRANSMISSION_KEY = 'hcguard-test-transmission-key';

export interface TestSandboxOverrides {
  /** Sandbox options other than addresses (e.g. `replicationLagMs`). */
  readonly sandbox?: Omit<SandboxOptions, 'sites' | 'transmissionKey'>;
  /** Changes the config input after the site URLs are set (e.g. shorter step timeouts). */
  readonly config?: (input: HcguardConfigInput) => HcguardConfigInput;
}

export interface TestSandbox {
  readonly sandbox: Sandbox;
  readonly config: HcguardConfig;
  /** Secrets of the config, read from the environment (the transmission key is set). */
  readonly secrets: SecretSource;
  /** A probe runner on this config with in-memory sequence numbers. */
  readonly runner: ProbeRunner;
  stop(): Promise<void>;
}

export const startTestSandbox = async (overrides: TestSandboxOverrides = {}): Promise<TestSandbox> => {
  process.env[TRANSMISSION_KEY_ENV] ??= TEST_TRANSMISSION_KEY;
  const sandbox = await startSandbox({
    ...overrides.sandbox,
    transmissionKey: process.env[TRANSMISSION_KEY_ENV],
    sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
  });
  try {
    const input: HcguardConfigInput = {
      ...configInput,
      sites: {
        primary: { ...configInput.sites.primary, stages: { ...sandbox.sites.primary.stages } },
        backup: { ...configInput.sites.backup, stages: { ...sandbox.sites.backup.stages } },
      },
    };
    const config = parseConfig(overrides.config ? overrides.config(input) : input, 'in startTestSandbox');
    const secrets = createSecretSource({ refs: config.secrets });
    const runner = createProbeRunner({ config, secrets, sequences: createMemorySequenceSource() });
    return { sandbox, config, secrets, runner, stop: () => sandbox.stop() };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
};
