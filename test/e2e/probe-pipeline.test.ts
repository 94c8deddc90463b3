// The probe Lambda end to end: its handler (middy, Powertools) runs a minute of 5-second rounds
// per invocation against the sandbox platform on loopback, through composeServices against
// DynamoDB, SNS and Route 53 on moto; alerts are read back through SQS subscriptions.
// A verification fault on the primary → after the threshold, one SEV1 incident and exactly one
// alert on the SEV1 topic; the fault cleared → the incident resolves with one resolve alert.
//
// One clock drives the sandbox, the probes, the services and the handler's spacing of rounds:
// real time plus an offset the handler's `sleep` moves forward, so a minute of rounds is quick.
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeServices, type Services } from '../../lambdas/app/compose.ts';
import { createProbeHandler } from '../../lambdas/app/probe-handler.ts';
import type { ProbeInvocationResult } from '../../lambdas/app/probe-invocation.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { HEARTBEAT_METRIC, METRICS_NAMESPACE } from '../../lambdas/contract/metrics.ts';
import { createAlertTopics, type AlertTopics } from '../support/alert-topics.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { createHcguardTable } from '../support/hcguard-table.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const zoneName = `${uniqueName('pipeline')}.internal`;
const recordName = `verify.${zoneName}`;
const clients = motoClients();

let testbed: TestSandbox;
let services: Services;
let topics: AlertTopics;
let invoke: () => Promise<ProbeInvocationResult>;
const emf: Record<string, unknown>[] = [];

beforeAll(async () => {
  testbed = await startTestSandbox({
    sandbox: { clock },
    config: (input) => ({
      ...input,
      name: uniqueName('pipeline'),
      records: [
        {
          zone: { name: zoneName },
          name: recordName,
          type: 'A',
          ttl: 5,
          stage: 'verification',
          values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
        },
      ],
      schedule: { intervalSeconds: 5 },
      detection: { failureThreshold: 3, successThreshold: 2 },
    }),
  });
  const zone = await clients.route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: uniqueName('ref') }),
  );
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  await clients.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: { Name: recordName, Type: 'A', TTL: 5, ResourceRecords: [{ Value: '127.0.0.1' }] },
          },
        ],
      },
    }),
  );
  topics = await createAlertTopics(clients.sns, clients.sqs, 'pipeline');
  services = composeServices({
    config: testbed.config,
    resources: {
      tableName: await createHcguardTable(clients.dynamodb, 'pipeline'),
      topicArns: topics.topicArns,
      hostedZoneIds: { [recordName]: zoneId },
    },
    clients: { dynamodb: clients.dynamodb, sns: clients.sns, route53: clients.route53 },
    clock,
  });
  const handler = createProbeHandler({
    config: testbed.config,
    runRound: services.runRound,
    logger: new Logger({ serviceName: 'hcguard-probe', logLevel: 'WARN' }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: testbed.config.name }),
    now: () => clock.now().getTime(),
    sleep: async (ms) => {
      offsetMs += ms;
    },
  });
  invoke = async () => {
    const deadline = clock.now().getTime() + 90_000;
    const context = {
      functionName: 'hcguard-probe',
      awsRequestId: uniqueName('request'),
      getRemainingTimeInMillis: () => deadline - clock.now().getTime(),
    } as unknown as Context;
    // Keep the EMF blobs (the heartbeat) that Powertools writes to stdout.
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n'))
        if (line.includes('"_aws"')) emf.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    });
    try {
      return await handler({}, context);
    } finally {
      spy.mockRestore();
    }
  };
});

afterAll(async () => {
  await testbed?.stop();
});

describe('the probe Lambda against the sandbox', () => {
  it(
    'a verification fault opens one SEV1 incident with exactly one SEV1 alert; ' +
      'clearing it resolves with one resolve alert',
    async () => {
      const healthy = await invoke();
      expect(healthy.rounds).toHaveLength(12);
      expect(healthy.rounds.every((round) => round.failing.length === 0 && round.problems === 0)).toBe(true);
      expect(emf.filter((blob) => blob[HEARTBEAT_METRIC] === 1 && blob.service === testbed.config.name)).toHaveLength(
        12,
      );

      testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });
      const faulty = await invoke();
      expect(faulty.rounds.map((round) => round.problems)).toEqual(Array(12).fill(0));
      expect(faulty.rounds.map((round) => round.failing)).toEqual([
        [],
        [],
        ...Array(10).fill(['primary/verification']),
      ]);
      const open = await services.store.listOpenIncidents();
      expect(open).toEqual([
        expect.objectContaining({
          kind: 'probe',
          site: 'primary',
          stage: 'verification',
          severity: 'SEV1',
          status: 'open',
          dedupKey: expect.stringMatching(/^probe\/primary\/verification\//),
        }),
      ]);
      const sev1 = await topics.receive('SEV1');
      expect(sev1).toHaveLength(1);
      expect(sev1[0]).toMatchObject({
        subject: expect.stringMatching(
          /^\[SEV1\] OPEN verification failing on primary: HTTP 503 - switched to backup \(INC-\w{7}\)$/,
        ),
        attributes: {
          severity: 'SEV1',
          kind: 'open',
          site: 'primary',
          stage: 'verification',
          incidentId: open[0]?.id,
          drill: 'false',
        },
      });
      expect(await Promise.all([topics.receive('SEV2'), topics.receive('SEV3'), topics.receive('SEV4')])).toEqual([
        [],
        [],
        [],
      ]);

      testbed.sandbox.faults.clearNow();
      const cleared = await invoke();
      expect(cleared.rounds.slice(2).every((round) => round.failing.length === 0)).toBe(true);
      expect(await services.store.listOpenIncidents()).toEqual([]);
      const resolved = await topics.receive('SEV1');
      expect(resolved).toHaveLength(1);
      expect(resolved[0]).toMatchObject({
        subject: expect.stringMatching(/^\[SEV4, was SEV1\] RESOLVED verification failing on primary/),
        attributes: { kind: 'resolve', severity: 'SEV4', incidentSeverity: 'SEV1', incidentId: open[0]?.id },
      });
      const timeline = (await services.store.getIncident(open[0]?.id as string))?.timeline ?? [];
      expect(timeline.map((event) => event.type)).toEqual(expect.arrayContaining(['opened', 'alerted', 'resolved']));
      expect(timeline.filter((event) => event.type === 'alerted')).toHaveLength(2);
    },
  );
});
