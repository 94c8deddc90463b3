// Drills end to end against the sandbox platform and moto's server: the normal round pipeline
// detects, alerts and fails over; the drill measures it, restores and reports. Rounds run as the
// drill waits (see test/support/drill-world.ts), so each test is bounded by rounds, not time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log.ts';
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
    world = await startDrillWorld((input) => ({
      ...input,
      drills: { awaitAck: true, timeLimitMinutes: 20, objectives: { rtoSeconds: 120, rpoRecords: 0 } },
    }));
    const current = world;
    await current.settle();
    // The operator acknowledges the drill's incident one round after the decide phase asks.
    let askedAt: number | undefined;
    current.onRound = async (round) => {
      const drill = current.latest;
      const phase = drill?.phases.at(-1);
      if (phase?.name !== 'decide' || phase.outcome !== 'running' || !drill?.marks.incidentId) return;
      askedAt ??= round;
      if (round > askedAt)
        await current.services.store.acknowledge(
          drill.marks.incidentId,
          'operator:oncall@checkpoint',
          current.clock.now(),
        );
    };
    const service = current.drillService();
    const result = await service.start(
      { scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' },
      tracking(current),
    );

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
    expect(
      drill.alerts.some(
        (alert) => alert.incidentId === drill.marks.incidentId && alert.kind === 'open' && alert.drillId === drill.id,
      ),
    ).toBe(true);
    expect((await current.services.store.getIncident(drill.marks.incidentId as string))?.incident).toMatchObject({
      drillId: drill.id,
      site: 'primary',
      stage: 'verification',
      severity: 'SEV1',
    });

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

describe('a dry run', () => {
  it("walks every phase's checks and permissions and touches nothing", async () => {
    world = await startDrillWorld();
    const current = world;
    await current.settle();
    const routingBefore = await current.services.routing.list();
    const recordBefore = await current.recordValue();
    const { drill, state } = await current
      .drillService()
      .start({ scenario: 'full-site-outage', dryRun: true, actor: 'operator:alice@ops' }, tracking(current));

    expect(state).toBe('finished');
    expect(drill).toMatchObject({ dryRun: true, outcome: 'passed' });
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
    const checks = Object.fromEntries(
      drill.phases.map((phase) => [phase.name, phase.checks.map((entry) => entry.name)]),
    );
    expect(checks).toMatchObject({
      inject: ['fault injection'],
      identify: ['state store readable'],
      notify: ['alert audit queue', 'alert topics', 'subscribers'],
      activate: ['failover mode', 'routing state readable', `Route 53 ${current.recordName}`],
      restore: ['record writer', 'failback'],
    });
    // Nothing injected, switched, claimed or written.
    expect(current.testbed.sandbox.faults.listNow()).toEqual([]);
    expect(await current.recordValue()).toEqual(recordBefore);
    expect(await current.services.routing.list()).toEqual(routingBefore);
    expect(await current.services.drills.active()).toBeUndefined();
    expect(drill.data.attempts).toBe(0);
    expect(current.rounds).toBeGreaterThan(0);
    expect((await current.services.drills.list({})).map((listed) => [listed.id, listed.dryRun])).toEqual([
      [drill.id, true],
    ]);
  });

  it('reports what would stop the real drill', async () => {
    world = await startDrillWorld((input) => ({ ...input, drills: { injection: 'platform' } }));
    const current = world;
    await current.settle();
    // No sandbox known and no fault hook: nothing could inject the fault.
    const service = current.drillService({ sandboxUrl: undefined });
    const { drill } = await service.start({
      scenario: 'verification-outage',
      dryRun: true,
      actor: 'operator:alice@ops',
    });
    expect(drill.outcome).toBe('failed');
    expect(drill.phases.find((phase) => phase.name === 'inject')?.checks).toEqual([
      {
        name: 'fault injection',
        ok: false,
        required: true,
        detail: expect.stringMatching(/^no fault injector: run the local runtime/),
      },
    ]);
  });
});

describe('simulated injection', () => {
  it(
    'feeds the failure into evaluation: incident, alert and switch happen while the ' + 'platform is never touched',
    async () => {
      world = await startDrillWorld((input) => ({ ...input, drills: { injection: 'simulated' } }));
      const current = world;
      await current.settle();
      let faultsSeen = 0;
      current.onRound = () => {
        faultsSeen += current.testbed.sandbox.faults.listNow().length;
      };
      const { drill } = await current
        .drillService()
        .start({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
      expect(drill.outcome).toBe('passed');
      expect(faultsSeen).toBe(0);
      expect(drill.marks).toMatchObject({
        incidentSeverity: 'SEV1',
        switchedAt: expect.any(String),
        backupServingAt: expect.any(String),
        failbackAt: expect.any(String),
      });
      expect(drill.data.unmeasured).toBe('no record writer for this platform');
      const incident = await current.services.store.getIncident(drill.marks.incidentId as string);
      expect(incident?.incident.detail).toMatch(/simulated/);
      expect(await current.recordValue()).toEqual(['127.0.0.1']);
    },
  );
});

describe('process tests', () => {
  it('--step notify: a test alert on every severity topic, each confirmed delivered', async () => {
    world = await startDrillWorld();
    const { drill } = await world.drillService().start({ step: 'notify', dryRun: false, actor: 'operator:alice@ops' });
    expect(drill).toMatchObject({ scenario: 'step:notify', outcome: 'passed' });
    expect(phases(drill)).toEqual(['preflight:passed', 'notify:passed', 'summary:passed']);
    const latencies = ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((level) => `${level} [\\d.]+ (ms|s)`).join(', ');
    expect(drill.phases[1]?.detail).toMatch(new RegExp(`^test alert delivered on every topic: ${latencies}$`));
    expect(drill.alerts.map((alert) => alert.topic).sort()).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(drillJson(drill).metrics.notifyMs).not.toBeNull();
  });

  it('--step switch: to the backup through the operator path, confirmed serving, and back', async () => {
    world = await startDrillWorld();
    const current = world;
    await current.settle();
    const { drill } = await current
      .drillService()
      .start({ step: 'switch', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
    expect(phases(drill)).toEqual(['preflight:passed', 'activate:passed', 'restore:passed', 'summary:passed']);
    expect(drill.outcome).toBe('passed');
    expect(await current.recordValue()).toEqual(['127.0.0.1']);
    const audit = await new DynamoAuditLog({
      client: current.services.clients.dynamodb,
      tableName: current.services.resources.tableName,
    }).list({ limit: 50 });
    expect(
      audit.filter((entry) => entry.action === 'routing.switched').map((entry) => [entry.actor, entry.detail?.to]),
    ).toEqual([
      [`drill:${drill.id}`, 'backup'],
      [`drill:${drill.id}`, 'primary'],
    ]);
  });

  it(
    '--step restore: failback through the normal path, and the records written on ' + 'the backup are on the primary',
    async () => {
      world = await startDrillWorld();
      const current = world;
      await current.settle();
      const { drill } = await current
        .drillService()
        .start({ step: 'restore', dryRun: false, actor: 'operator:alice@ops' }, tracking(current));
      expect(phases(drill)).toEqual(['preflight:passed', 'activate:passed', 'restore:passed', 'summary:passed']);
      expect(drill.data.onBackup.length).toBeGreaterThan(0);
      expect(drillJson(drill).metrics).toMatchObject({ recordsLost: 0, recordsDuplicated: 0 });
      expect(await current.recordValue()).toEqual(['127.0.0.1']);
    },
  );
});

describe('a second drill', () => {
  it('is refused while one runs, and says which', async () => {
    world = await startDrillWorld();
    const current = world;
    await current.settle();
    const first = await current
      .drillService()
      .create({ scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' });
    const { drill } = await current
      .drillService()
      .start({ scenario: 'collection-data-loss', dryRun: false, actor: 'operator:bob@ops' });
    expect(drill.outcome).toBe('refused');
    expect(drill.phases[0]?.checks.find((entry) => !entry.ok)).toMatchObject({
      name: 'no other drill running',
      detail: expect.stringContaining(`drill ${first.id} is running`),
    });
    expect((await current.services.drills.active())?.drillId).toBe(first.id);
    expect(current.testbed.sandbox.faults.listNow()).toEqual([]);
  });
});
