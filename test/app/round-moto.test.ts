// Overlapping rounds against DynamoDB and SNS on moto: the conditional writes, not luck, keep
// incidents and alerts single. Alerts are read back through SQS subscriptions.
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoStateStore } from '../../lambdas/adapters/aws/dynamo-state-store.ts';
import { SnsNotifier } from '../../lambdas/adapters/aws/sns-notifier.ts';
import { runRound } from '../../lambdas/app/round.ts';
import type { RoundDeps } from '../../lambdas/app/round/types.ts';
import { createAlertTopics, type AlertTopics } from '../support/alert-topics.ts';
import { motoClients } from '../support/aws.ts';
import { createHcguardTable } from '../support/hcguard-table.ts';
import { testConfig } from '../fakes/config.ts';
import { FakeFailover, ScriptedProbes } from '../fakes/round.ts';
import { manualClock } from '../fakes/routing.ts';

describe('overlapping rounds on moto', () => {
  let topics: AlertTopics;
  let store: DynamoStateStore;
  let deps: RoundDeps;
  let clock: ReturnType<typeof manualClock>;
  let probes: ScriptedProbes;

  beforeAll(async () => {
    const { dynamodb, sns, sqs } = motoClients();
    topics = await createAlertTopics(sns, sqs, 'round');
    const config = testConfig();
    store = new DynamoStateStore({
      client: dynamodb,
      tableName: await createHcguardTable(dynamodb, 'round'),
      resultRetentionDays: config.retention.resultDays,
    });
    clock = manualClock('2026-11-26T18:00:00.000Z');
    probes = new ScriptedProbes(clock);
    deps = {
      config,
      clock,
      probes,
      store,
      notifier: new SnsNotifier({ client: sns, topicArns: topics.topicArns }),
      failover: new FakeFailover(),
    };
  });

  it('open one incident and publish one alert however the two interleave, and resolve once', async () => {
    probes.set('primary', 'verification', {
      outcome: 'failed',
      failureClass: 'status',
      message: 'HTTP 503 from /verify',
    });
    for (let round = 0; round < 3; round++) {
      clock.advance(30_000);
      const pair = await Promise.all([runRound(deps), runRound(deps)]);
      expect(pair.flatMap((summary) => summary.problems)).toEqual([]);
    }
    const open = await store.listOpenIncidents();
    expect(open.map((incident) => [incident.dedupKey, incident.severity])).toEqual([
      ['probe/primary/verification/status', 'SEV1'],
    ]);
    const sev1 = await topics.receive('SEV1');
    expect(sev1.map((alert) => [alert.attributes.kind, alert.attributes.incidentId])).toEqual([['open', open[0]?.id]]);
    expect(await store.pendingAlerts()).toEqual([]);

    probes.set('primary', 'verification', 'ok');
    for (let round = 0; round < 2; round++) {
      clock.advance(30_000);
      await Promise.all([runRound(deps), runRound(deps)]);
    }
    expect(await store.listOpenIncidents()).toEqual([]);
    expect((await topics.receive('SEV1')).map((alert) => [alert.attributes.kind, alert.attributes.severity])).toEqual([
      ['resolve', 'SEV4'],
    ]);
    const timeline = (await store.getIncident(open[0]?.id as string))?.timeline ?? [];
    expect(timeline.map((event) => event.type)).toEqual(['opened', 'alerted', 'resolved', 'alerted']);
  });
});
