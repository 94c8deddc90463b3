// Failover end to end: the sandbox platform on loopback, real probe rounds (lambdas/app/round.ts)
// through composeServices against DynamoDB, SNS and Route 53 on moto. A verification fault on
// the primary moves the record to the backup after the threshold rounds, with a SEV1 alert that
// says so; clearing the fault does not move it back; the operator's failback does.
//
// One clock drives the sandbox, the probes and the services: real time plus an offset the test
// moves forward, so "healthy for 10 minutes" does not take 10 minutes.
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { composeServices, type Services } from '../../lambdas/app/compose.ts';
import { executeOperatorCommand } from '../../lambdas/app/operator-commands.ts';
import { createProbeRunner } from '../../lambdas/app/probe-runner.ts';
import { runRound } from '../../lambdas/app/round.ts';
import type { RoundMemory, RoundSummary } from '../../lambdas/app/round/types.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { createAlertTopics, type AlertTopics } from '../support/alert-topics.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { forbiddenWrites, recordWrites } from '../support/recorded-writes.ts';
import { createHcguardTable } from '../support/hcguard-table.ts';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.ts';

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const zoneName = `${uniqueName('e2e')}.internal`;
const recordName = `verify.${zoneName}`;
const OPERATOR = 'operator:e2e@hcguard-test';

let testbed: TestSandbox;
let services: Services;
let topics: AlertTopics;
let zoneId: string;
const clients = motoClients();
// Rounds write as the probe Lambda would, operator commands as the operator Lambda.
const recorder = recordWrites(clients.dynamodb, 'probe');
const memory: RoundMemory = {};

const round = async (): Promise<RoundSummary> => {
  const summary = await runRound({
    config: testbed.config,
    clock,
    probes: runner(),
    store: services.store,
    notifier: services.notifier,
    failover: services.failover,
    memory,
  });
  expect(summary.problems).toEqual([]);
  return summary;
};

let probeRunner: ReturnType<typeof createProbeRunner> | undefined;
const runner = () =>
  (probeRunner ??= createProbeRunner({
    config: testbed.config,
    secrets: testbed.secrets,
    sequences: createMemorySequenceSource(),
    clock,
  }));

const recordValue = async (): Promise<string[] | undefined> => {
  const listed = await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return listed.ResourceRecordSets?.find(
    (set) => set.Name === `${recordName}.` && set.Type === 'A',
  )?.ResourceRecords?.map((entry) => entry.Value ?? '');
};

beforeAll(async () => {
  testbed = await startTestSandbox({
    sandbox: { clock },
    config: (input) => ({
      ...input,
      name: uniqueName('e2e'),
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
      detection: { failureThreshold: 3, successThreshold: 2 },
      failover: { dwellMinutes: 1, failback: 'manual', failbackAfterHealthyMinutes: 10 },
    }),
  });
  const zone = await clients.route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: uniqueName('ref') }),
  );
  zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
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
  topics = await createAlertTopics(clients.sns, clients.sqs, 'e2e-failover');
  const tableName = await createHcguardTable(clients.dynamodb, 'e2e-failover');
  services = composeServices({
    config: testbed.config,
    resources: { tableName, topicArns: topics.topicArns, hostedZoneIds: { [recordName]: zoneId } },
    clients: { dynamodb: clients.dynamodb, sns: clients.sns, route53: clients.route53 },
    clock,
  });
});

afterAll(async () => {
  await testbed?.stop();
});

describe('failover against the sandbox, end to end', () => {
  it(
    'verification fault on the primary → backup after the threshold with a SEV1 ' +
      'alert; no automatic failback; operator failback → primary',
    async () => {
      // Healthy rounds: the routing item is created from Route 53, nothing moves.
      for (let i = 0; i < 2; i++) expect((await round()).switches).toEqual([]);
      expect((await services.routing.get(recordName))?.activeSite).toBe('primary');
      expect(await topics.receive('SEV1')).toEqual([]);

      testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });
      const faulted = [await round(), await round()];
      expect(faulted.flatMap((summary) => summary.switches)).toEqual([]);
      expect(await recordValue()).toEqual(['127.0.0.1']);

      const third = await round();
      expect(third.switches).toEqual([
        expect.objectContaining({ record: recordName, from: 'primary', to: 'backup', actor: 'controller' }),
      ]);
      expect(await recordValue()).toEqual(['127.0.0.2']);
      const routing = await services.routing.get(recordName);
      expect(routing).toMatchObject({ activeSite: 'backup', lastChange: { status: 'INSYNC' } });
      expect(routing).not.toHaveProperty('pending');

      const sev1 = await topics.receive('SEV1');
      const announcing = sev1.filter((alert) => alert.document.switch !== undefined);
      expect(announcing).toHaveLength(1);
      expect(announcing[0]).toMatchObject({
        subject: expect.stringMatching(
          /^\[SEV1\] OPEN verification failing on primary: HTTP 503 - switched to backup \(INC-\w{7}\)$/,
        ),
        attributes: { severity: 'SEV1', stage: 'verification', site: 'primary', kind: 'open' },
        document: { switch: { record: recordName, from: 'primary', to: 'backup', changeId: routing?.lastChange?.id } },
      });

      // The operator acknowledges the page, through the operator path.
      const incidentId = String(announcing[0]?.attributes.incidentId);
      const ack = await recorder.as('operator', () =>
        executeOperatorCommand({ command: 'ack', incidentId, actor: OPERATOR }, services),
      );
      expect(ack).toMatchObject({ ok: true, message: expect.stringMatching(/^acknowledged INC-/) });

      // The fault clears: the primary recovers, traffic stays on the backup (failback is manual).
      testbed.sandbox.faults.clearNow();
      for (let i = 0; i < 3; i++) expect((await round()).switches).toEqual([]);
      expect(await recordValue()).toEqual(['127.0.0.2']);
      const early = await recorder.as('operator', () =>
        executeOperatorCommand({ command: 'failback', actor: OPERATOR }, services),
      );
      expect(early).toMatchObject({ ok: false, message: expect.stringContaining('primary healthy only since') });

      // Ten minutes later (and a fresh round), the operator approves the failback.
      offsetMs += 10 * 60_000 + 5_000;
      expect((await round()).switches).toEqual([]);
      expect(await recordValue()).toEqual(['127.0.0.2']);
      const failback = await recorder.as('operator', () =>
        executeOperatorCommand({ command: 'failback', actor: OPERATOR }, services),
      );
      expect(failback).toMatchObject({
        command: 'failback',
        ok: true,
        records: [{ record: recordName, result: 'switched', activeSite: 'primary' }],
      });
      expect(await recordValue()).toEqual(['127.0.0.1']);
      expect(await services.routing.get(recordName)).toMatchObject({ activeSite: 'primary', actor: OPERATOR });

      const audit = await services.auditLog.list({ since: new Date(Date.now() - 3_600_000).toISOString() });
      const routingActions = audit
        .filter((entry) => entry.subject === recordName)
        .map((entry) => [entry.action, entry.actor]);
      expect(routingActions).toEqual([
        ['routing.initialized', 'controller'],
        ['routing.switched', 'controller'],
        ['routing.switch-refused', OPERATOR],
        ['routing.switched', OPERATOR],
      ]);

      // Every write fell in a partition its role may write, and no audit item was changed.
      expect(recorder.writes.filter((write) => write.writer === 'operator').length).toBeGreaterThan(0);
      expect(new Set(recorder.writes.map((write) => write.pk.split('#')[0]))).toEqual(
        new Set(['TARGET', 'RESULT', 'ROUTING', 'AUDIT', 'INCIDENT', 'DEDUP', 'OUTBOX', 'SENT', 'ANNOUNCED']),
      );
      expect(forbiddenWrites(recorder.writes)).toEqual([]);
    },
  );
});
