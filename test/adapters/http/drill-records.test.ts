import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillRecordWriter, drillDeclaration } from '../../../lambdas/adapters/http/drill-records.ts';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.ts';

describe('DrillRecordWriter against the sandbox platform', () => {
  let testbed: TestSandbox;
  beforeAll(async () => {
    testbed = await startTestSandbox({ sandbox: { replicationLagMs: 50 } });
  });
  afterAll(async () => {
    await testbed?.sandbox.faults.clearNow({});
    await testbed?.stop();
  });

  it('writes test-flagged synthetic declarations and counts them exactly through the sandbox', async () => {
    const writer = createDrillRecordWriter({ config: testbed.config, sandboxUrl: testbed.sandbox.sites.primary.url });
    const written = await writer.write('primary', 'drill-w-1');
    expect(written.platformId).toMatch(/^[0-9a-f-]{36}$/);
    await writer.write('backup', 'drill-w-2');
    // Replication carries each write to the other site, a moment later.
    await expect
      .poll(() => writer.count('primary', [{ recordId: 'drill-w-2' }]), { timeout: 5_000, interval: 20 })
      .toEqual({ 'drill-w-2': 1 });
    expect(
      await writer.count('primary', [
        { recordId: 'drill-w-1' },
        { recordId: 'drill-w-2' },
        { recordId: 'drill-w-never' },
      ]),
    ).toEqual({ 'drill-w-1': 1, 'drill-w-2': 1, 'drill-w-never': 0 });
    expect(writer.description).toBe(`counted by the sandbox at ${testbed.sandbox.sites.primary.url}`);
  });

  it('counts a write the platform acknowledged but dropped as lost, by either method', async () => {
    const exact = createDrillRecordWriter({ config: testbed.config, sandboxUrl: testbed.sandbox.sites.primary.url });
    const readBack = createDrillRecordWriter({ config: testbed.config });
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'drop-writes' });
    const dropped = await exact.write('primary', 'drill-w-3');
    testbed.sandbox.faults.clearNow({});
    const kept = await exact.write('primary', 'drill-w-4');
    const records = [
      { recordId: 'drill-w-3', platformId: dropped.platformId },
      { recordId: 'drill-w-4', platformId: kept.platformId },
    ];
    expect(await exact.count('primary', records)).toEqual({ 'drill-w-3': 0, 'drill-w-4': 1 });
    expect(await readBack.count('primary', records)).toEqual({ 'drill-w-3': 0, 'drill-w-4': 1 });
  });

  it('rejects a write the platform refuses (a citizen would see an error: not data loss)', async () => {
    const writer = createDrillRecordWriter({ config: testbed.config, sandboxUrl: testbed.sandbox.sites.primary.url });
    testbed.sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'error' });
    try {
      await expect(writer.write('primary', 'drill-w-5')).rejects.toThrow(
        /^primary collection refused the record: HTTP 5\d\d$/,
      );
    } finally {
      testbed.sandbox.faults.clearNow({});
    }
  });

  it('sends nothing that could be a real person', () => {
    expect(drillDeclaration('drill-x-1', new Date('2026-11-20T02:00:00Z'))).toEqual({
      requestId: 'drill-x-1',
      subjectId: expect.stringMatching(/^SYN-[0-9A-F]{12}$/),
      name: expect.stringMatching(/^Synthetic Drill [0-9A-F]{4}$/),
      phone: expect.stringMatching(/^\+861700000\d{4}$/),
      temperature: 36.6,
      symptoms: [],
      travel: [],
      declaredAt: '2026-11-20T02:00:00.000Z',
      testData: true,
    });
  });
});
