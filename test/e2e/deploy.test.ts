// `cdk bootstrap` and `cdk deploy` of the real app into moto's CloudFormation, then the CLI
// finding the deployed stack through its outputs: the README's deploy path, minus the account.
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { deployedResourcesSchema } from '../../lambdas/contract/resources.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { runHcguard } from '../support/cli.ts';

const projectRoot = new URL('../..', import.meta.url).pathname;

const cdk = (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    const child = spawn(join(projectRoot, 'node_modules/.bin/cdk'), args, {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });

describe('cdk deploy into an emulator', () => {
  it('creates the stack from a config, and the CLI finds it through its outputs', async () => {
    const endpoint = inject('motoEndpoint');
    const { route53, dynamodb } = motoClients();
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: 'hc.internal', CallerReference: uniqueName('deploy') }),
    );
    const zoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
    const name = uniqueName('hcdeploy');
    const sandboxConfig = await runHcguard(
      'config',
      'check',
      '--json',
      '--config',
      join(projectRoot, 'hcguard.config.ts'),
    );
    expect(sandboxConfig.code).toBe(0);
    const config = JSON.parse(sandboxConfig.stdout);
    config.name = name;
    config.records[0].zone.id = zoneId;
    config.deployment.deletionProtection = false;
    const configPath = join(mkdtempSync(join(tmpdir(), 'hcguard-deploy-')), 'deploy.config.json');
    writeFileSync(configPath, JSON.stringify(config));

    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      // moto's CloudFormation reads the template from its own S3 by a path-style AWS URL.
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: 'https://s3.amazonaws.com',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      CDK_DISABLE_VERSION_CHECK: '1',
    };
    const outdir = mkdtempSync(join(tmpdir(), 'hcguard-cdk-out-'));
    const bootstrap = await cdk(
      ['bootstrap', 'aws://123456789012/us-east-1', '-c', `config=${configPath}`, '--output', outdir],
      env,
    );
    expect(bootstrap.output).toContain('bootstrapped');
    const deploy = await cdk(
      [
        'deploy',
        '-c',
        `config=${configPath}`,
        '--output',
        outdir,
        '--method=direct',
        '--require-approval',
        'never',
        '--outputs-file',
        join(outdir, 'outputs.json'),
      ],
      env,
    );
    expect(deploy.code, deploy.output).toBe(0);

    const outputs = JSON.parse(readFileSync(join(outdir, 'outputs.json'), 'utf8'))[name];
    const resources = deployedResourcesSchema.parse(JSON.parse(outputs.HcguardResources));
    expect(resources.hostedZoneIds).toEqual({ 'verify.hc.internal': zoneId });
    expect(resources.operatorFunctionName).toBeTruthy();
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: resources.tableName }));
    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const records = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    expect(records.ResourceRecordSets?.find((record) => record.Name === 'verify.hc.internal.')).toMatchObject({
      Type: 'A',
      TTL: 5,
      ResourceRecords: [{ Value: '127.0.0.1' }],
    });

    const status = await runHcguard(
      'status',
      '--json',
      '--config',
      configPath,
      '--endpoint-url',
      endpoint,
      '--region',
      'us-east-1',
    );
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ routing: [], incidents: [] });
  }, 300_000);
});
