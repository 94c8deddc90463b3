import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config.ts';
import { HcguardStack } from '../../lib/hcguard-stack.ts';

const outdir = mkdtempSync(join(tmpdir(), 'hcguard-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const bundles: Record<string, string> = {};

beforeAll(() => {
  const context = (
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  const app = new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } });
  const config = parseConfig(
    JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8')),
  );
  new HcguardStack(app, 'Bundled', { config, env: { account: '123456789012', region: 'cn-north-1' } });
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundled').template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (assetPath) bundles[id.startsWith('Probe') ? 'probe' : 'operator'] = join(outdir, assetPath, 'index.mjs');
  }
}, 180_000);

describe('Lambda bundles built by cdk synth with the local esbuild', () => {
  it('builds one minified ESM bundle per function', () => {
    expect(Object.keys(bundles).sort()).toEqual(['operator', 'probe']);
    for (const path of Object.values(bundles)) {
      expect(statSync(path).isFile()).toBe(true);
      expect(readdirSync(join(path, '..'))).toEqual(['index.mjs']);
    }
  });

  it('bakes the resolved config into the probe bundle instead of reading it from the environment', () => {
    const code = readFileSync(bundles.probe as string, 'utf8');
    expect(code).toContain('verify.hc.example.com');
    expect(code).not.toContain('process.env.HCGUARD_BAKED_CONFIG');
  });

  it('initialises the probe bundle in a fresh Node process without network or credentials', () => {
    const resources = {
      tableName: 'hcguard-test-state',
      topicArns: Object.fromEntries(
        ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((severity) => [
          severity,
          `arn:aws:sns:cn-north-1:123456789012:hcguard-test-${severity.toLowerCase()}`,
        ]),
      ),
      hostedZoneIds: {
        'verify.hc.example.com': 'Z0123456789ABCDEFGHIJ',
        'api.hc.example.com': 'Z0123456789ABCDEFGHIJ',
      },
    };
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundles.probe)}); console.log(typeof m.handler);`,
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_REGION: 'cn-north-1',
          HCGUARD_RESOURCES: JSON.stringify(resources),
        },
        timeout: 30_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function');
  });
});
