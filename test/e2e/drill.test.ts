// Drills end to end against the sandbox platform and moto's server: the normal round pipeline
// detects, alerts and fails over; the drill measures it, restores and reports. Rounds run as the
// drill waits (see test/support/drill-world.ts), so each test is bounded by rounds, not time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drillJson } from '../../lambdas/core/drill/report-model.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { startDrillWorld, tracking, type DrillWorld } from '../support/drill-world.ts';

const phases = (drill: DrillRecord) => drill.phases.map((phase) => `${phase.name}:${phase.outcome}`);

let world: DrillWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('a verification-outage drill', () => {
  it('reaches every phase, restores routing, and writes a report with every metric filled', async () => {
    world = await startDrillWorld((input) => ({ ...input, drills: { awaitAck: true, timeLimitMinutes: 20, objectives: { rtoSeconds: 120, rpoRecords: 0 } } }));
    const current = world;
    await current.settle();
    // The operator acknowledges the drill's incident one round after the decide phase asks.
    let askedAt: number | undefined;
    current.onRound = async (round) => {
      const drill = current.latest;
      const phase = drill?.phases.at(-1);
      if (phase?.name !== 'decide' || phase.outcome !== 'running' || !drill?.marks.incidentId) return;
      askedAt ??= round;
      if (round > askedAt) await current.services.store.acknowledge(drill.marks.incidentId, 'operator:oncall@checkpoint', current.clock.now());
    };
    const service = current.drillService();
    const result = await service.start({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));

    expect(result.state).toBe('finished');
    const drill = result.drill;
    expect(phases(drill)).toEqual([
      'preflight:passed',
      'inject:passed',
      'identify:passed',
      'notify:passed',
      'decide:passed',
      'activate:passed',
      'restore:passed',
      'summary:passed',
    ]);
    expect(drill.outcome).toBe('passed');
    // Routing restored, the fault gone, the running-drill item released.
    expect(await current.recordValue()).toEqual(['127.0.0.1']);
    expect(await current.services.routing.get(current.recordName)).toMatchObject({ activeSite: 'primary' });
    expect(await current.testbed.sandbox.faults.listNow()).toEqual([]);
    expect(await current.services.drills.active()).toBeUndefined();
    // The incident and alert the pipeline produced carry the drill id.
    expect(drill.alerts.some((alert) => alert.incidentId === drill.marks.incidentId && alert.kind === 'open' && alert.drillId === drill.id)).toBe(true);
    expect((await current.services.store.getIncident(drill.marks.incidentId as string))?.incident).toMatchObject({ drillId: drill.id, site: 'primary', stage: 'verification', severity: 'SEV1' });

    const json = drillJson(drill, 'reports/x.html');
    for (const [name, value] of Object.entries(json.metrics)) expect(value, name).not.toBeNull();
    // Detection needs the threshold's rounds; nothing is lost when the backup replicates back.
    expect(json.metrics.detectMs).toBeGreaterThanOrEqual(5_000);
    expect(json.metrics).toMatchObject({ recordsLost: 0, recordsDuplicated: 0 });
    expect(json.metrics.recordsWritten).toBeGreaterThan(3);
    expect(drill.data.onBackup.length).toBeGreaterThan(0);

    const folder = mkdtempSync(join(tmpdir(), 'hcguard-drill-report-'));
    try {
      const report = await service.report(drill.id, { htmlFile: `${drill.id}.html` });
      writeFileSync(join(folder, `${drill.id}.md`), report.markdown);
      writeFileSync(join(folder, `${drill.id}.html`), report.html);
      expect(report.markdown).toContain(`# Drill ${drill.id}: verification-outage`);
      expect(report.markdown).toMatch(/\| Time to acknowledge \(alert → ack\) \| [\d.]+ (ms|s|min)/);
      expect(report.markdown).not.toMatch(/\| Time to [^|]+\| — \|/);
      expect(report.html).toContain('<svg');
      expect(report.html).toMatch(/class="latency-primary"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
