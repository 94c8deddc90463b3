// hcguard audit list | verify against a stack on moto, with entries written by the Lambdas' adapter
// and one tampered with behind its back, as someone with table access but not hcguard's would.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditKeys, DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log.ts';
import type { ChainedAuditEntry } from '../../lambdas/core/model/audit.ts';
import { runHcguard } from '../support/cli.ts';
import { createCliStack } from '../support/cli-stack.ts';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('hcguard audit against a stack on moto', () => {
  let args: string[];
  let dynamodb: DynamoDBClient;
  let tableName: string;
  let written: ChainedAuditEntry[];

  beforeAll(async () => {
    ({ args, dynamodb, tableName } = await createCliStack({ timeZone: 'Asia/Shanghai' }));
    const log = new DynamoAuditLog({ client: dynamodb, tableName });
    written = [
      await log.append({
        at: minutesAgo(30),
        actor: 'controller',
        action: 'routing.switched',
        subject: 'verify.hc.example.com',
        detail: { from: 'primary', to: 'backup', incidentId: 'INC-7QX' },
      }),
      await log.append({
        at: minutesAgo(20),
        actor: 'operator:li@ops-1',
        action: 'routing.locked',
        subject: 'routing',
      }),
      await log.append({
        at: minutesAgo(10),
        actor: 'operator:li@ops-1',
        action: 'routing.failback',
        subject: 'verify.hc.example.com',
        detail: { from: 'backup', to: 'primary' },
      }),
    ];
  });

  it('audit list prints every entry in time order with its place in the chain, or JSON', async () => {
    const run = await runHcguard(...args, 'audit', 'list', '--since', '1h');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/at\s+│ actor\s+│ action\s+│ subject\s+│ #\s+│ detail/);
    const rows = lines.filter((line) => /routing\.\w+/.test(line));
    expect(rows.map((line) => /(routing\.\w+)/.exec(line)?.[1])).toEqual([
      'routing.switched',
      'routing.locked',
      'routing.failback',
    ]);
    expect(rows[0]).toMatch(
      /GMT\+8.*controller.*verify\.hc\.example\.com\s+│ 1 │ from=primary to=backup incidentId=INC-7QX/,
    );
    const json = JSON.parse((await runHcguard(...args, 'audit', 'list', '--json')).stdout);
    expect(json).toEqual(written);
    expect((await runHcguard(...args, 'audit', 'list', '--limit', '0')).code).toBe(2);
  });

  it('audit verify passes the untouched log, then names the first break once an entry is rewritten', async () => {
    const intact = await runHcguard(...args, 'audit', 'verify');
    expect(intact).toMatchObject({ code: 0, stderr: '' });
    expect(intact.stdout).toMatch(/^audit log intact: 2 chains, 3 entries verified; 3 day-log entries since .* match/);

    const [switched] = written;
    await DynamoDBDocumentClient.from(dynamodb).send(
      new PutCommand({
        TableName: tableName,
        Item: { ...switched, ...auditKeys.link(switched!.subject, 1), actor: 'operator:mallory' },
      }),
    );
    const broken = await runHcguard(...args, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/^audit log BROKEN: 1 break\(s\) across 2 chains/);
    expect(broken.stderr).toContain('verify.hc.example.com entry 1 (');
    expect(broken.stderr).toContain('entry 1 was changed after it was written');
    const json = await runHcguard(...args, 'audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).breaks[0]).toMatchObject({ subject: 'verify.hc.example.com', seq: 1 });
  });
});
