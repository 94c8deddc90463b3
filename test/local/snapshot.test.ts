// The local table survives `npm start` stopping: saved whole, restored into the next run's new
// table, without what each start measures or creates again.
import { CreateTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../lambdas/adapters/aws/table-design.ts';
import { LocalSetupError } from '../../local/runtime/errors.ts';
import { restoreTableSnapshot, saveTableSnapshot } from '../../local/snapshot.ts';
import { motoClients, uniqueName } from '../support/aws.ts';

const { dynamodb } = motoClients();
afterAll(() => dynamodb.destroy());
const folder = mkdtempSync(join(tmpdir(), 'hcguard-snapshot-'));

const newTable = async (): Promise<string> => {
  const name = uniqueName('snapshot');
  await dynamodb.send(new CreateTableCommand(createTableInput(name)));
  return name;
};

const partitionsOf = async (table: string): Promise<Record<string, number>> => {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table }));
  const counts: Record<string, number> = {};
  for (const item of Items) {
    const partition = item.pk?.S?.split('#')[0] ?? '?';
    counts[partition] = (counts[partition] ?? 0) + 1;
  }
  return counts;
};

describe('the local table snapshot', () => {
  it('brings back drills, incidents, history, audit; not routing, targets, outbox, sandbox positions', async () => {
    const first = await newTable();
    const put = (pk: string, sk: string) =>
      dynamodb.send(new PutItemCommand({ TableName: first, Item: { pk: { S: pk }, sk: { S: sk }, n: { N: '1' } } }));
    for (const [pk, sk] of [
      ['DRILL#drill-1', 'META'],
      ['DRILL', 'ACTIVE'],
      ['INCIDENT#INC-1', 'META'],
      ['AUDIT#drill-1', '0001'],
      ['SENT', '2026-12-02T10:00:00.000Z#INC-1/open'],
      ['ROUTING', 'RECORD#verify.hc.internal'],
      ['TARGET', 'primary#verification'],
      ['OUTBOX', 'INC-1/open'],
      ['ANNOUNCED', 'RECORD#verify.hc.internal'],
      ['SEQ#primary', 'POSITION'],
    ])
      await put(pk as string, sk as string);
    // More than one batch of 25.
    for (let index = 0; index < 60; index++)
      await put('RESULT#primary#verification', `t${String(index).padStart(3, '0')}`);

    const file = join(folder, 'state-snapshot.json');
    expect(await saveTableSnapshot(dynamodb, first, file, new Date('2026-12-02T10:00:00.000Z'))).toBe(66);

    const second = await newTable();
    expect(await restoreTableSnapshot(dynamodb, second, file, { skip: ['SEQ'] })).toEqual({
      items: 65,
      savedAt: '2026-12-02T10:00:00.000Z',
    });
    expect(await partitionsOf(second)).toEqual({ DRILL: 2, INCIDENT: 1, AUDIT: 1, SENT: 1, RESULT: 60 });

    const third = await newTable();
    await restoreTableSnapshot(dynamodb, third, file);
    expect((await partitionsOf(third)).SEQ).toBe(1);
  });

  it('restores nothing when no snapshot was saved, and refuses a file it did not write, naming --fresh', async () => {
    const table = await newTable();
    expect(await restoreTableSnapshot(dynamodb, table, join(folder, 'none.json'))).toBeUndefined();
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, '{"items": "nope"');
    await expect(restoreTableSnapshot(dynamodb, table, bad)).rejects.toThrow(LocalSetupError);
    await expect(restoreTableSnapshot(dynamodb, table, bad)).rejects.toThrow(/start with --fresh/);
    writeFileSync(bad, '{"schema": "something-else", "items": []}');
    await expect(restoreTableSnapshot(dynamodb, table, bad)).rejects.toThrow(/is not a snapshot hcguard wrote/);
    expect(await partitionsOf(table)).toEqual({});
  });
});
