// A stack on moto that the CLI finds through its CloudFormation outputs, as it would in AWS: a
// fresh hcguard table, and a config file in a folder of its own.
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES_OUTPUT, type DeployedResources } from '../../lambdas/contract/resources.ts';
import type { HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { testConfigInput } from '../fakes/config.ts';
import { motoClientConfig, motoClients, uniqueName } from './aws.ts';
import { createHcguardTable } from './hcguard-table.ts';

export interface CliStack {
  /** Global options that point the CLI at this stack. */
  readonly args: string[];
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
}

export const createCliStack = async (overrides: Partial<HcguardConfigInput> = {}): Promise<CliStack> => {
  const { dynamodb } = motoClients();
  const tableName = await createHcguardTable(dynamodb, 'cli');
  const resources: DeployedResources = {
    tableName,
    topicArns: { SEV1: 'arn:1', SEV2: 'arn:2', SEV3: 'arn:3', SEV4: 'arn:4' },
    hostedZoneIds: { 'verify.hc.example.com': 'Z0HCGUARDTEST' },
  };
  const stackName = uniqueName('hcguard-cli');
  const cloudformation = new CloudFormationClient(motoClientConfig());
  await cloudformation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: { [RESOURCES_OUTPUT]: { Value: JSON.stringify(resources) } },
      }),
    }),
  );
  cloudformation.destroy();
  const directory = mkdtempSync(join(tmpdir(), 'hcguard-cli-'));
  const configPath = join(directory, 'hcguard.config.json');
  writeFileSync(configPath, JSON.stringify(testConfigInput(overrides)));
  const args = ['--config', configPath, '--endpoint-url', motoClientConfig().endpoint, '--region', 'us-east-1'];
  return { args: [...args, '--stack-name', stackName], dynamodb, tableName };
};
