import { describe, expect, it } from 'vitest';
import { benchResources, bytesByPackage, stackBundleOptions } from '../../bench/packages.ts';
import { deployedResourcesSchema } from '../../lambdas/contract/resources.ts';

describe('package bench helpers', () => {
  it('adds up bundle bytes by package, scoped names whole, the project as (hcguard)', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'index.mjs': {
          bytes: 0,
          imports: [],
          exports: [],
          inputs: {
            'node_modules/@aws-sdk/client-sns/dist-es/index.js': { bytesInOutput: 300 },
            'node_modules/@aws-sdk/client-sns/dist-es/commands/Publish.js': { bytesInOutput: 200 },
            'node_modules/zod/v4/core.js': { bytesInOutput: 400 },
            'lambdas/handlers/probe.ts': { bytesInOutput: 100 },
            'node_modules/@smithy/core/dist-es/x.js': { bytesInOutput: 50 },
          },
        },
      },
    };
    expect(bytesByPackage(metafile)).toEqual([
      { name: '@aws-sdk/client-sns', bytes: 500 },
      { name: 'zod', bytes: 400 },
      { name: '(hcguard)', bytes: 100 },
      { name: '@smithy/core', bytes: 50 },
    ]);
  });

  it('gives module scope resources it accepts', () => {
    expect(deployedResourcesSchema.parse(benchResources(['verify.hc.internal'])).hostedZoneIds).toEqual({
      'verify.hc.internal': 'Z0HCGUARDBENCH',
    });
  });

  it('bundles as the stack does, with the SDK inside or external', () => {
    const bundled = stackBundleOptions('in.ts', 'out.mjs', { name: 'x' }, 'bundled');
    expect(bundled).toMatchObject({
      format: 'esm',
      target: 'node24',
      minify: true,
      platform: 'node',
      external: [],
      define: { 'process.env.HCGUARD_BAKED_CONFIG': JSON.stringify('{"name":"x"}') },
    });
    expect(bundled.banner.js).toContain('createRequire');
    expect(stackBundleOptions('in.ts', 'out.mjs', {}, 'external').external).toEqual(['@aws-sdk/*']);
  });
});
