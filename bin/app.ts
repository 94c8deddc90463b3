// The CDK app: `npx cdk synth` / `npx cdk deploy`. The config comes from `-c config=path`,
// $HCGUARD_CONFIG_PATH, or ./hcguard.config.ts; an invalid config stops synth with every problem named.
import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/core/config/problems.ts';
import { HcguardStack } from '../lib/hcguard-stack.ts';
import { loadConfigFile, resolveConfigPath } from './cli/config-file.ts';

const app = new App();
try {
  const configPath = resolveConfigPath(app.node.tryGetContext('config') as string | undefined);
  const config = await loadConfigFile(configPath);
  new HcguardStack(app, config.name, {
    config,
    description: `hcguard: health checks, alerts and failover for a health-code platform (${config.name})`,
    env: {
      account: config.deployment.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: config.deployment.region ?? process.env.CDK_DEFAULT_REGION,
    },
    // An emulator (moto, LocalStack) has no bootstrap version parameter to check.
    ...(process.env.AWS_ENDPOINT_URL
      ? { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) }
      : {}),
  });
  // Every pack's findings fail synth unless acknowledged, each acknowledgement with its reason.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
  );
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
