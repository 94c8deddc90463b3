// hcguard failover | failback | lock | unlock in-process against a local runtime on moto: the
// CLI finds the runtime file in the working folder, composes the services and acts.
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log.ts';
import { DynamoRoutingStore } from '../../lambdas/adapters/aws/dynamo-routing-store.ts';
import { DynamoStateStore } from '../../lambdas/adapters/aws/dynamo-state-store.ts';
import { STAGES } from '../../lambdas/core/model/vocabulary.ts';
import type { TargetState } from '../../lambdas/core/model/probing.ts';
import type { LocalRuntime } from '../../bin/cli/target.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { runHcguard } from '../support/cli.ts';
import { createHcguardTable } from '../support/hcguard-table.ts';
import { testConfigInput } from '../fakes/config.ts';

const clients = motoClients();
const zoneName = `${uniqueName('cli')}.example.com`;
const recordName = `verify.${zoneName}`;
const folder = mkdtempSync(join(tmpdir(), 'hcguard-routing-cli-'));
const previousFolder = process.cwd();
let tableName: string;
let zoneId: string;

const recordValue = async () => {
  const listed = await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return listed.ResourceRecordSets?.find((set) => set.Name === `${recordName}.`)?.ResourceRecords?.map(
    (entry) => entry.Value,
  );
};

beforeAll(async () => {
  tableName = await createHcguardTable(clients.dynamodb, 'cli-routing');
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
            ResourceRecordSet: { Name: recordName, Type: 'A', TTL: 30, ResourceRecords: [{ Value: '10.0.0.1' }] },
          },
        ],
      },
    }),
  );
  const config = testConfigInput({
    name: uniqueName('cli'),
    records: [
      {
        zone: { name: zoneName },
        name: recordName,
        type: 'A',
        ttl: 30,
        stage: 'verification',
        values: { primary: { values: ['10.0.0.1'] }, backup: { values: ['10.0.1.1'] } },
      },
    ],
  });
  writeFileSync(join(folder, 'hcguard.config.json'), JSON.stringify(config));
  const runtime: LocalRuntime = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    endpoint: inject('motoEndpoint'),
    region: 'us-east-1',
    configPath: join(folder, 'hcguard.config.json'),
    resources: {
      tableName,
      topicArns: { SEV1: 'arn:aws:sns:us-east-1:123456789012:a', SEV2: 'b', SEV3: 'c', SEV4: 'd' },
      hostedZoneIds: { [recordName]: zoneId },
    },
  };
  mkdirSync(join(folder, '.hcguard'));
  writeFileSync(join(folder, '.hcguard/runtime.json'), JSON.stringify(runtime));
  // Both sites healthy, as the last round evaluated them a moment ago.
  const now = new Date().toISOString();
  const targets: TargetState[] = (['primary', 'backup'] as const).flatMap((site) =>
    STAGES.map((stage) => ({
      site,
      stage,
      health: 'healthy' as const,
      since: now,
      consecutiveFailures: 0,
      consecutiveSuccesses: 2,
      lastResultAt: now,
      recentChanges: [],
      flapping: false,
      version: 1,
    })),
  );
  await new DynamoStateStore({ client: clients.dynamodb, tableName, resultRetentionDays: 1 }).saveTargets(
    targets.map((target) => ({ target, expectedVersion: 0 })),
  );
  process.chdir(folder);
});

afterAll(() => {
  process.chdir(previousFolder);
});

describe('routing commands against the local runtime', () => {
  it('fails over by hand, refuses what the policy refuses (exit 1), and audits the operator', async () => {
    const switched = await runHcguard('failover', '--to', 'backup', '--reason', 'planned primary maintenance');
    expect(switched).toMatchObject({ code: 0, stderr: '' });
    expect(switched.stdout).toMatch(
      new RegExp(
        `^switched ${recordName.replace(/\./g, '\\.')} from primary to backup \\(Route 53 change \\S+, INSYNC\\)\\n$`,
      ),
    );
    expect(await recordValue()).toEqual(['10.0.1.1']);

    const again = await runHcguard('failover', '--to', 'backup', '--reason', 'again');
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toContain(`${recordName} already points at backup`);

    const failback = await runHcguard('failback', '--json');
    expect(failback.code).toBe(1);
    expect(JSON.parse(failback.stdout)).toMatchObject({
      command: 'failback',
      ok: false,
      records: [{ record: recordName, result: 'refused', message: expect.stringContaining('dwell') }],
    });
    expect(await recordValue()).toEqual(['10.0.1.1']);

    const stored = await new DynamoRoutingStore(tableName, clients.dynamodb).get(recordName);
    expect(stored).toMatchObject({
      activeSite: 'backup',
      reason: 'planned primary maintenance',
      actor: expect.stringMatching(/^operator:/),
    });
    const audit = await new DynamoAuditLog({ client: clients.dynamodb, tableName }).list({});
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['routing.initialized', 'routing.switched', 'routing.switch-refused']),
    );
  });

  it('locks once and unlocks once; the second of each exits 1 and says why', async () => {
    expect(await runHcguard('lock', '--reason', 'backup DB migration')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('routing locked by operator:'),
    });
    const second = await runHcguard('lock', '--reason', 'another');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/routing is already locked by operator:\S+ since \S+: backup DB migration/);
    expect(await runHcguard('unlock')).toMatchObject({ code: 0, stdout: expect.stringContaining('routing unlocked') });
    expect(await runHcguard('unlock')).toMatchObject({ code: 1, stderr: 'routing is not locked\n' });
  });

  it('hold clear ends a flap hold in the table and audits it; a target not held exits 1', async () => {
    const store = new DynamoStateStore({ client: clients.dynamodb, tableName, resultRetentionDays: 1 });
    const prior = (await store.loadTargets()).find((t) => t.site === 'backup' && t.stage === 'collection');
    const recent = [4, 3, 2, 1].map((minutes) => new Date(Date.now() - minutes * 60_000).toISOString());
    const held = { ...prior!, health: 'failing' as const, observedHealth: 'healthy' as const, recentChanges: recent };
    await store.saveTargets([{ target: { ...held, flapping: true, version: 2 }, expectedVersion: 1 }]);

    const cleared = await runHcguard('hold', 'clear', 'backup/collection', '--reason', 'flapped during a deploy');
    expect(cleared).toMatchObject({ code: 0, stderr: '' });
    expect(cleared.stdout).toMatch(
      /^cleared the flap hold on backup\/collection \(it would have ended \S+\); it is healthy now/,
    );
    const after = (await store.loadTargets()).find((t) => t.site === 'backup' && t.stage === 'collection');
    expect(after).toMatchObject({ health: 'healthy', flapping: false, recentChanges: [], version: 3 });
    const audit = await new DynamoAuditLog({ client: clients.dynamodb, tableName }).list({});
    expect(audit.find((entry) => entry.action === 'hold.clear')).toMatchObject({
      subject: 'target:backup/collection',
      detail: { reason: 'flapped during a deploy', hold: 'flap' },
    });

    expect(await runHcguard('hold', 'clear', 'backup/collection', '--reason', 'again')).toMatchObject({
      code: 1,
      stderr: 'backup/collection is not held (it is healthy): nothing to clear\n',
    });
    const usage = await runHcguard('hold', 'clear', 'backup', '--reason', 'x');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('target: must be <site>/<stage>');
  });
});
