// The cost model prices what the stack deploys: the probe function's memory and architecture,
// the alarms, the dashboard and the customer-managed keys it counts per region.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALARMS_PER_FUNCTION, DEFAULT_FOOTPRINT } from '../../lambdas/core/cost.ts';
import type { HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import { HcguardStack } from '../../lib/hcguard-stack.ts';

const synth = (change: (input: HcguardConfigInput) => void = () => undefined): Template => {
  const context = (
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const input = JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8'));
  change(input);
  const config = parseConfig(input);
  return Template.fromStack(
    new HcguardStack(app, 'Guard', { config, env: { account: '123456789012', region: 'cn-north-1' } }),
  );
};

describe('the cost model and the stack agree', () => {
  const template = synth();

  it('on the probe function: arm64 with the memory the model prices, traced by X-Ray', () => {
    type Fn = {
      Properties: {
        Description?: string;
        MemorySize?: number;
        Architectures?: string[];
        TracingConfig?: { Mode?: string };
      };
    };
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Fn[];
    const probe = functions.find((fn) => fn.Properties.Description?.startsWith('hcguard prober'));
    expect(probe?.Properties.MemorySize).toBe(DEFAULT_FOOTPRINT.probeMemoryMb);
    expect(probe?.Properties.Architectures).toEqual(['arm64']);
    expect(probe?.Properties.TracingConfig?.Mode).toBe('Active');
  });

  it('on the fixed monthly items: alarms, dashboards and customer-managed keys', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(DEFAULT_FOOTPRINT.alarms);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))).toHaveLength(
      DEFAULT_FOOTPRINT.dashboards,
    );
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toHaveLength(DEFAULT_FOOTPRINT.kmsKeys);
  });

  it("on the alarms a chat robot adds: its function's errors and throttles", () => {
    const withRobots = synth((input) => {
      input.alerts = {
        ...input.alerts,
        SEV1: {
          subscriptions: [
            { protocol: 'robot', channel: 'wecom', webhookParameter: '/hcguard/robots/a' },
            { protocol: 'robot', channel: 'feishu', webhookParameter: '/hcguard/robots/b' },
          ],
        },
      };
    });
    expect(Object.keys(withRobots.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(
      DEFAULT_FOOTPRINT.alarms + 2 * ALARMS_PER_FUNCTION,
    );
  });
});
