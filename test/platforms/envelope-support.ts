// The envelope test platform with the example config pointed at it: what tests of "a platform
// hcguard has never seen" start from. The example's secrets are set in the environment.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig, HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { SITES, STAGES } from '../../lambdas/core/model/vocabulary.ts';
import { startEnvelopePlatform, type EnvelopePlatform } from './envelope-platform.ts';

export const EXAMPLE_CONFIG = new URL('../../examples/envelope-platform/hcguard.config.json', import.meta.url);

export const ENVELOPE_SECRETS = {
  HC_PRIMARY_APP_SECRET: 'test-primary-app-secret',
  HC_BACKUP_APP_SECRET: 'test-backup-app-secret',
  HC_RECORD_KEY: 'test-record-key',
  HC_PASS_KEY: 'test-pass-key',
} as const;

export interface EnvelopeTestbed {
  readonly platform: EnvelopePlatform;
  /** The example config's input with the sites at this platform's addresses and its hook URL. */
  readonly input: HcguardConfigInput;
  readonly config: HcguardConfig;
  stop(): Promise<void>;
}

export const startEnvelopeTestbed = async (
  change: (input: HcguardConfigInput) => HcguardConfigInput = (input) => input,
): Promise<EnvelopeTestbed> => {
  Object.assign(process.env, ENVELOPE_SECRETS);
  const platform = await startEnvelopePlatform({
    credentials: {
      primary: { appId: 'hc-primary-app', appSecret: ENVELOPE_SECRETS.HC_PRIMARY_APP_SECRET },
      backup: { appId: 'hc-backup-app', appSecret: ENVELOPE_SECRETS.HC_BACKUP_APP_SECRET },
    },
    recordKey: ENVELOPE_SECRETS.HC_RECORD_KEY,
    passKey: ENVELOPE_SECRETS.HC_PASS_KEY,
    latencyMs: 2_000,
  });
  const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as HcguardConfigInput & {
    sites: Record<string, { stages: Record<string, string> }>;
  };
  const sites = Object.fromEntries(
    SITES.map((site) => [
      site,
      {
        ...example.sites[site],
        stages: Object.fromEntries(STAGES.map((stage) => [stage, platform.baseUrls[site]])),
      },
    ]),
  );
  const input = change({
    ...example,
    sites,
    drills: { ...example.drills, faultHookUrl: platform.hookUrl },
  } as HcguardConfigInput);
  return { platform, input, config: parseConfig(input), stop: () => platform.stop() };
};
