// Every built-in scenario end to end against the sandbox and moto: each finishes, leaves routing
// on the primary with no fault active, and measures what its fault is about.
import { afterEach, describe, expect, it } from 'vitest';
import { drillFindings } from '../../lambdas/core/drill/findings.ts';
import { drillJson } from '../../lambdas/core/drill/report-model.ts';
import { startDrillWorld, tracking, type DrillWorld } from '../support/drill-world.ts';

let world: DrillWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const run = async (scenario: string) => {
  world = await startDrillWorld();
  const current = world;
  await current.settle();
  const { drill } = await current
    .drillService()
    .start({ scenario, dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
  expect(drill.status).toBe('finished');
  expect(drill.abort).toBeUndefined();
  expect(await current.recordValue()).toEqual(['127.0.0.1']);
  expect(current.testbed.sandbox.faults.listNow()).toEqual([]);
  expect(await current.services.drills.active()).toBeUndefined();
  return { drill, world: current };
};

describe('built-in scenarios', () => {
  it('collection-data-loss: the read-back counts the records the primary acknowledged and dropped', async () => {
    const { drill, world: current } = await run('collection-data-loss');
    expect(drill.phases.find((phase) => phase.name === 'activate')?.outcome).toBe('skipped');
    const { metrics } = drillJson(drill);
    expect(metrics.recordsLost).toBeGreaterThan(0);
    expect(metrics.recordsLost).toBeLessThanOrEqual(metrics.recordsWritten ?? 0);
    expect(drill.outcome).toBe('failed');
    expect(drillFindings(drill, current.testbed.config).map((finding) => finding.title)).toContain(
      'Records lost (RPO not met)',
    );
    expect(drill.marks.incidentSeverity).toBeDefined();
  });

  it('transmission-tampering: an integrity incident and its alert; traffic stays', async () => {
    const { drill, world: current } = await run('transmission-tampering');
    expect(drill.outcome).toBe('passed');
    expect(drill.marks.switchedAt).toBeUndefined();
    const incident = await current.services.store.getIncident(drill.marks.incidentId as string);
    expect(incident?.incident).toMatchObject({
      site: 'primary',
      stage: 'transmission',
      failureClass: 'integrity',
      drillId: drill.id,
    });
    expect(drillJson(drill).metrics).toMatchObject({ recordsLost: 0, switchMs: null, rtoMs: null });
  });

  it('full-site-outage: every stage of the primary down, traffic on the backup, back after repair', async () => {
    const { drill } = await run('full-site-outage');
    expect(drill.outcome).toBe('passed');
    expect(drill.marks.backupServingAt).toBeDefined();
    const { metrics } = drillJson(drill);
    expect(metrics.rtoMs).not.toBeNull();
    // Writes to the primary while it reset connections were refused (a citizen would retry), not lost.
    expect(metrics.recordsLost).toBe(0);
  });
});
