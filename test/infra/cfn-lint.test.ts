import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config.ts';
import { HcguardStack } from '../../lib/hcguard-stack.ts';

const outdir = mkdtempSync(join(tmpdir(), 'hcguard-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the synthesized template', () => {
  it('passes cfn-lint, with the repository’s .cfnlintrc.yaml (which says why W3005 is off)', () => {
    const context = (
      JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
        context: Record<string, unknown>;
      }
    ).context;
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const input = JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8'));
    // With a chat robot, so its subscriber function, subscription and policy are linted too.
    input.alerts.SEV1.subscriptions.push({
      protocol: 'robot',
      channel: 'feishu',
      webhookParameter: '/hcguard/robots/oncall-feishu',
      secretParameter: '/hcguard/robots/oncall-feishu-secret',
    });
    const config = parseConfig(input);
    new HcguardStack(app, 'Linted', { config, env: { account: '123456789012', region: 'cn-north-1' } });
    app.synth();
    const lint = spawnSync('cfn-lint', ['--', join(outdir, 'Linted.template.json')], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    expect(lint.error, 'cfn-lint must be installed (pip install cfn-lint)').toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
