import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stackBundleOptions } from '../../bench/packages.ts';
import { bundleDefines } from '../../lambdas/contract/bundle.ts';
import { testConfig } from '../fakes/config.ts';

const probeEntry = fileURLToPath(new URL('../../lambdas/handlers/probe.ts', import.meta.url));

/** The packages bundled into the probe Lambda for a config, as the stack bundles it. */
const bundledPackages = async (config: unknown): Promise<Set<string>> => {
  const result = await build({ ...stackBundleOptions(probeEntry, 'index.mjs', config, 'bundled'), write: false });
  const inputs = Object.values((result.metafile as Metafile).outputs).flatMap((output) => Object.keys(output.inputs));
  return new Set(inputs.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []));
};

describe('bundleDefines', () => {
  it.each([
    ['no secret in SSM', { secrets: { key: { env: 'KEY' } } }, 'false'],
    ['no secrets at all', { secrets: {} }, 'false'],
    ['a secret in SSM', { secrets: { key: { env: 'KEY' }, token: { ssmParameter: '/hcguard/token' } } }, 'true'],
    ['secrets that cannot be told', { secrets: 'all of them' }, 'true'],
    ['no secrets section', {}, 'true'],
  ])('bakes the config and says whether SSM is read: %s', (_, config, ssm) => {
    expect(bundleDefines(config)).toEqual({
      'process.env.HCGUARD_BAKED_CONFIG': JSON.stringify(JSON.stringify(config)),
      'process.env.HCGUARD_SSM_SECRETS': JSON.stringify(ssm),
    });
  });
});

describe('the probe bundle', () => {
  it(
    'leaves Powertools Parameters and the SSM client out when no secret is read from ' +
      'SSM, and keeps them when one is',
    async () => {
      const withoutSsm = await bundledPackages(testConfig());
      expect(withoutSsm.has('@aws-sdk/client-dynamodb')).toBe(true);
      expect(withoutSsm.has('@aws-sdk/client-ssm')).toBe(false);
      expect(withoutSsm.has('@aws-lambda-powertools/parameters')).toBe(false);

      const withSsm = await bundledPackages(
        testConfig({ secrets: { transmissionKey: { ssmParameter: '/hcguard/transmission-key' } } }),
      );
      expect(withSsm.has('@aws-sdk/client-ssm')).toBe(true);
      expect(withSsm.has('@aws-lambda-powertools/parameters')).toBe(true);
    },
    60_000,
  );
});
