// The robot subscriber as deployed: its handler bundled the way the stack bundles it, run in its
// own Node process with the stack's environment, reading its webhook and secret from SSM (moto)
// through Powertools, and posting over TLS to a fake DingTalk robot that checks the signature.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackBundleOptions } from '../../bench/packages.ts';
import { ROBOT_ENV } from '../../lambdas/app/robot-handler.ts';
import { openingAlert } from '../fakes/alerts.ts';
import { testConfig } from '../fakes/config.ts';
import { motoClientConfig } from '../support/aws.ts';
import { startFakeRobot, type FakeRobot } from '../support/fake-robots.ts';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('../../lambdas/handlers/robot.ts', import.meta.url));
const NOW = new Date();
const config = testConfig({ timeZone: 'Asia/Shanghai' });

describe('the robot subscriber Lambda bundle', () => {
  let folder: string;
  let robot: FakeRobot;
  let bundle: string;
  const prefix = `/hcguard-test/robot-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'hcguard-robot-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(folder, 'key.pem'),
        '-out',
        join(folder, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    robot = await startFakeRobot('dingtalk', {
      token: 'robot-token',
      secret: 'SECsigning',
      tls: { key: readFileSync(join(folder, 'key.pem'), 'utf8'), cert: readFileSync(join(folder, 'cert.pem'), 'utf8') },
    });
    const ssm = new SSMClient(motoClientConfig());
    for (const [name, value] of [
      [`${prefix}/webhook`, robot.url],
      [`${prefix}/secret`, 'SECsigning'],
    ])
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));
    bundle = join(folder, 'index.mjs');
    await build(stackBundleOptions(entry, bundle, config, 'bundled'));
  }, 60_000);

  afterAll(async () => {
    await robot?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('posts an SNS alert to the robot, signed with the secret it read from SSM', async () => {
    const alert = openingAlert({
      site: 'primary',
      now: NOW,
      presentation: {
        stackName: config.name,
        timeZone: config.timeZone,
        locale: config.locale,
        siteLabels: { primary: 'DC-1', backup: 'DC-2' },
      },
    });
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            MessageId: 'm-1',
            Subject: alert.message.subject,
            Message: JSON.stringify(alert.message.document),
            Timestamp: NOW.toISOString(),
          },
        },
      ],
    };
    writeFileSync(join(folder, 'event.json'), JSON.stringify(event));
    const script = [
      `const { handler } = await import(${JSON.stringify(bundle)});`,
      `const { readFileSync } = await import('node:fs');`,
      `await handler(JSON.parse(readFileSync(${JSON.stringify(join(folder, 'event.json'))}, 'utf8')), {});`,
    ].join('\n');
    const moto = motoClientConfig();
    await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        [ROBOT_ENV]: JSON.stringify({
          channel: 'dingtalk',
          webhookParameter: `${prefix}/webhook`,
          secretParameter: `${prefix}/secret`,
        }),
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: moto.region,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        NODE_EXTRA_CA_CERTS: join(folder, 'cert.pem'),
        POWERTOOLS_DEV: 'false',
      },
      timeout: 30_000,
    });
    expect(robot.answers).toEqual(['ok']);
    expect(JSON.stringify(robot.accepted[0])).toContain(`hcguard ack ${alert.message.document.incident?.id}`);
  }, 60_000);
});
