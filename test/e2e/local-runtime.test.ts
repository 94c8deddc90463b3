// `npm start` end to end: the local runtime as a child process (tsx bin/hcguard.ts up) on free
// ports; a verification fault injected from the dashboard page; the incident, the SEV1 alert
// read back through an SQS subscription, the record switched, the citizens recovering on the
// backup and the dashboard showing it; then SIGINT, and nothing left running.
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { DashboardState } from '../../local/dashboard/state.ts';
import { launchChromium } from '../support/browser.ts';
import {
  descendantsOf,
  isAlive,
  localTestConfig,
  PROJECT_ROOT,
  startUp,
  type UpProcess,
} from '../support/local-runtime.ts';

const SCREENSHOTS = 'reports/screenshots';

const portIsFree = async (host: string, port: number): Promise<boolean> => {
  const server = createServer();
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
};

let up: UpProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  // A failed assertion must not leave the runtime behind either.
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGINT');
    await Promise.race([up.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (up.child.exitCode === null) up.child.kill('SIGKILL');
  }
  up?.removeFolder();
});

describe('npm start, end to end', () => {
  it(
    'detects a verification fault, alerts SEV1, fails over, citizens recover on the ' +
      'backup, and Ctrl-C leaves nothing running',
    async () => {
      const config = await localTestConfig();
      up = startUp(config);
      const runtime = await up.ready();
      expect(up.output()).toContain('hcguard is running locally.');
      expect(up.output()).toContain(`dashboard       ${runtime.dashboardUrl}`);
      const processes = [up.child.pid as number, ...descendantsOf(up.child.pid as number)];
      expect(runtime.motoPid).toBeDefined();
      expect(processes).toContain(runtime.motoPid);

      const aws = {
        endpoint: runtime.endpoint,
        region: runtime.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      };
      const sqs = new SQSClient(aws);
      const sns = new SNSClient(aws);
      const route53 = new Route53Client(aws);
      // An operator's own subscription to the SEV1 topic, as config subscribers get.
      const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-sev1-pager' }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: runtime.resources.topicArns.SEV1,
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
        }),
      );

      const state = async (): Promise<DashboardState> =>
        (await fetch(`${runtime.dashboardUrl}api/state`)).json() as Promise<DashboardState>;
      const health = async (site: string, stage: string) =>
        (await state()).targets.find((target) => target.site === site && target.stage === stage)?.health;

      // Probe rounds through the real handler make every target healthy.
      await expect
        .poll(async () => (await state()).targets.map((target) => target.health), { timeout: 60_000, interval: 1_000 })
        .toEqual(Array(6).fill('healthy'));
      await expect
        .poll(async () => (await state()).citizens?.totals.ok ?? 0, { timeout: 20_000, interval: 500 })
        .toBeGreaterThan(10);

      // A second terminal finds the running stack with no flags.
      const status = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/hcguard.js'), 'status', '--json'], {
        cwd: up.folder,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, AWS_ENDPOINT_URL: '', HCGUARD_CONFIG_PATH: '' },
      });
      expect(status.status, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).routing[0]).toMatchObject({
        record: 'verify.hc.internal',
        activeSite: 'primary',
      });

      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
      await page.goto(runtime.dashboardUrl as string);
      await expect
        .poll(() => page.locator('[data-target="primary/verification"]').getAttribute('data-health'), {
          timeout: 20_000,
        })
        .toBe('healthy');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/e2e-healthy.png`, fullPage: true });

      // Break verification on the primary from the page.
      await page.selectOption('select[name="site"]', 'primary');
      await page.selectOption('select[name="stage"]', 'verification');
      await page.selectOption('select[name="mode"]', 'error');
      await page.click('#inject');

      await expect.poll(() => health('primary', 'verification'), { timeout: 60_000, interval: 1_000 }).toBe('failing');
      await expect
        .poll(
          async () =>
            (await state()).incidents.find(
              (incident) => incident.site === 'primary' && incident.stage === 'verification',
            )?.severity,
          { timeout: 30_000, interval: 1_000 },
        )
        .toBe('SEV1');

      // The SEV1 alert, read back from the operator's subscription.
      const alerts: { Subject?: string; Message: string; MessageAttributes?: Record<string, { Value: string }> }[] = [];
      await expect
        .poll(
          async () => {
            const received = await sqs.send(
              new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
            );
            alerts.push(...(received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}')));
            return alerts.some((alert) => alert.MessageAttributes?.severity?.Value === 'SEV1');
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
      const sev1 = alerts.find((alert) => alert.MessageAttributes?.severity?.Value === 'SEV1')!;
      expect(sev1.MessageAttributes).toMatchObject({
        site: { Value: 'primary' },
        stage: { Value: 'verification' },
        drill: { Value: 'false' },
      });

      // The record points at the backup in Route 53 …
      const zoneId = runtime.resources.hostedZoneIds['verify.hc.internal'];
      await expect
        .poll(
          async () =>
            (
              await route53.send(
                new ListResourceRecordSetsCommand({
                  HostedZoneId: zoneId,
                  StartRecordName: 'verify.hc.internal',
                  StartRecordType: 'A',
                  MaxItems: 1,
                }),
              )
            ).ResourceRecordSets?.[0]?.ResourceRecords?.[0]?.Value,
          { timeout: 60_000, interval: 1_000 },
        )
        .toBe('127.0.0.2');
      // … and the citizens, after their cached answer expired, verify on the backup again.
      await expect
        .poll(
          async () => {
            const citizens = (await state()).citizens;
            return { site: citizens?.answer?.site, recovered: citizens?.outages.at(-1)?.end !== undefined };
          },
          { timeout: 30_000, interval: 500 },
        )
        .toEqual({ site: 'backup', recovered: true });
      const citizens = (await state()).citizens!;
      expect(citizens.outages.at(-1)!.failed).toBeGreaterThan(0);

      // The dashboard shows the switch and the incident.
      await expect
        .poll(() => page.locator('[data-record="verify.hc.internal"]').getAttribute('data-active-site'), {
          timeout: 20_000,
        })
        .toBe('backup');
      expect(await page.locator('tr[data-severity="SEV1"]').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-target="primary/verification"]').getAttribute('data-health')).toBe('failing');
      await page.screenshot({ path: `${SCREENSHOTS}/e2e-failover.png`, fullPage: true });
      await page.close();
      for (const client of [sqs, sns, route53]) client.destroy();

      // Ctrl-C: everything it started stops, and the runtime file goes.
      up.child.kill('SIGINT');
      const exit = await Promise.race([
        up.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('hcguard up did not stop within 30 s')), 30_000),
        ),
      ]);
      expect(exit.code).toBe(0);
      expect(up.output()).toContain('stopped: probe rounds, citizens, dashboard, sandbox and the local AWS are down.');
      await expect.poll(() => processes.filter(isAlive), { timeout: 10_000, interval: 200 }).toEqual([]);
      expect(existsSync(join(up.folder, '.hcguard/runtime.json'))).toBe(false);
      const ports: [string, number][] = [
        ['127.0.0.1', Number(new URL(runtime.dashboardUrl as string).port)],
        ['127.0.0.1', Number(new URL(runtime.endpoint).port)],
        ['127.0.0.1', Number(new URL(config.sites.primary.stages.verification).port)],
        ['127.0.0.2', Number(new URL(config.sites.backup.stages.verification).port)],
      ];
      for (const [host, port] of ports)
        expect({ host, port, free: await portIsFree(host, port) }).toEqual({ host, port, free: true });
    },
    300_000,
  );

  it('runs a drill started from the dashboard through every phase and serves its report', async () => {
    up?.removeFolder();
    up = startUp(await localTestConfig());
    const runtime = await up.ready();
    const state = async (): Promise<DashboardState> =>
      (await fetch(`${runtime.dashboardUrl}api/state`)).json() as Promise<DashboardState>;
    // On a loaded CI machine the console, the probe Lambda's log and the rounds say why.
    onTestFailed(async () => {
      const log = join(up?.folder ?? '', '.hcguard/probe.log');
      const probeLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-6_000) : '(no probe log)';
      const seen = await state().then(
        ({ rounds, targets }) => JSON.stringify({ rounds, targets: targets.map((t) => [t.site, t.stage, t.health]) }),
        (error: unknown) => String(error),
      );
      console.error(
        `hcguard up said:\n${up?.output().slice(-6_000)}\n${up?.errors().slice(-3_000)}\n` +
          `probe log:\n${probeLog}\ndashboard state: ${seen}`,
      );
    });
    await expect
      .poll(async () => (await state()).targets.map((target) => target.health), { timeout: 60_000, interval: 1_000 })
      .toEqual(Array(6).fill('healthy'));

    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(runtime.dashboardUrl as string);
    await expect.poll(() => page.locator('#scenario option').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.selectOption('#scenario', 'verification-outage');
    await page.click('#start-drill');
    const row = page.locator('tr[data-drill-id]').first();
    await expect.poll(() => row.getAttribute('data-outcome'), { timeout: 20_000 }).toBe('running');
    // Detection, the switch, repair and the approved failback after a healthy minute.
    await expect
      .poll(() => row.getAttribute('data-outcome'), { timeout: 240_000, interval: 2_000 })
      .not.toBe('running');
    // The row says why a drill did not pass (the backup degraded, a real incident, …).
    expect({
      outcome: await row.getAttribute('data-outcome'),
      detail: await row.locator('td.detail').textContent(),
    }).toEqual({ outcome: 'passed', detail: 'drill passed' });
    const drillId = (await row.getAttribute('data-drill-id')) as string;
    expect(await page.locator('[data-record="verify.hc.internal"]').getAttribute('data-active-site')).toBe('primary');
    await page.screenshot({ path: `${SCREENSHOTS}/e2e-drill.png`, fullPage: true });

    const report = await browser.newPage();
    await report.goto(`${runtime.dashboardUrl}drills/${drillId}/report`);
    expect(await report.title()).toContain(drillId);
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    expect(await report.content()).toContain('verification requests failed');
    await report.screenshot({ path: `${SCREENSHOTS}/e2e-drill-report.png`, fullPage: true });
    await report.close();
    await page.close();

    up.child.kill('SIGINT');
    expect(
      (
        await Promise.race([
          up.exited,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no stop within 30 s')), 30_000)),
        ])
      ).code,
    ).toBe(0);
  }, 360_000);
});
