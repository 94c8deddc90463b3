// hcguard drill | drills | report in-process against a local runtime (sandbox + moto): the CLI
// finds the runtime file in the working folder, runs the drill here and writes its report.
// Rounds run in the background on a short loop, as the local runtime's scheduler would.
import { BUILTIN_SCENARIOS } from '../../lambdas/core/config/sections.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDrillCommand } from '../../bin/cli/commands/drill.ts';
import { loadConfigFile } from '../../bin/cli/config-file.ts';
import type { CliContext } from '../../bin/cli/context.ts';
import { CommandFailed } from '../../bin/cli/errors.ts';
import { resolveTarget, type LocalRuntime } from '../../bin/cli/target.ts';
import { runHcguard } from '../support/cli.ts';
import { startDrillWorld, type DrillWorld } from '../support/drill-world.ts';

let world: DrillWorld;
const folder = mkdtempSync(join(tmpdir(), 'hcguard-drill-cli-'));
const previousFolder = process.cwd();
let rounds: Promise<void> | undefined;
let running = true;

beforeAll(async () => {
  world = await startDrillWorld();
  const configPath = join(folder, 'hcguard.config.json');
  writeFileSync(configPath, JSON.stringify(world.testbed.config));
  const runtime: LocalRuntime = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    endpoint: inject('motoEndpoint'),
    region: 'us-east-1',
    configPath,
    resources: world.services.resources,
    sandboxUrl: world.testbed.sandbox.sites.primary.url,
  };
  mkdirSync(join(folder, '.hcguard'));
  writeFileSync(join(folder, '.hcguard/runtime.json'), JSON.stringify(runtime));
  // The scheduler of the local runtime, faster than the config's interval (nothing reads time from it).
  rounds = (async () => {
    while (running) {
      await world.services.runRound();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  for (
    let attempt = 0;
    attempt < 40 &&
    (await world.services.store.listOpenIncidents()).length +
      (await world.services.store.loadTargets()).filter((target) => target.health !== 'healthy').length >
      0;
    attempt++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  process.chdir(folder);
});

afterAll(async () => {
  process.chdir(previousFolder);
  running = false;
  await rounds;
  await world?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('hcguard drill', () => {
  it('refuses to change routing without --yes when there is no terminal to ask on (exit 2)', async () => {
    const run = await runHcguard('drill', '--scenario', 'verification-outage');
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      'a drill changes routing and breaks the platform on purpose: pass --yes to run ' +
        'it without a terminal to confirm on\n',
    );
    expect(world.testbed.sandbox.faults.listNow()).toEqual([]);
  });

  it.each([
    [
      ['drill', '--scenario', 'nope', '--yes'],
      new RegExp(`^unknown scenario "nope": one of ${BUILTIN_SCENARIOS.join(', ')}\n$`),
    ],
    [['drill', '--scenario', 'verification-outage', '--step', 'notify'], /^choose one of --scenario, --step\n$/],
    [['drill', '--resume', 'drill-x', '--dry-run'], /^--dry-run goes with --scenario or --step\n$/],
    [['drill', '--step', 'sideways'], /argument 'sideways' is invalid/],
    [['drill', '--scenario', 'verification-outage', '--fast'], /unknown option '--fast'/],
  ])('rejects bad usage %j (exit 2)', async (argv, message) => {
    const run = await runHcguard(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('--step notify --json prints exactly the drill document and writes the report', async () => {
    const run = await runHcguard('drill', '--step', 'notify', '--json');
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['id', 'scenario', 'outcome', 'phases', 'metrics', 'reportPath']);
    expect(json).toMatchObject({ scenario: 'step:notify', outcome: 'passed', reportPath: `reports/${json.id}.html` });
    expect((json.phases as { name: string }[]).map((phase) => phase.name)).toEqual(['preflight', 'notify', 'summary']);
    expect(Object.keys(json.metrics as object)).toEqual([
      'detectMs',
      'notifyMs',
      'ackMs',
      'switchMs',
      'rtoMs',
      'recordsWritten',
      'recordsLost',
      'recordsDuplicated',
    ]);
    expect(readFileSync(join(folder, 'reports', `${json.id}.html`), 'utf8')).toMatch(/^<!doctype html>/);
    expect(existsSync(join(folder, 'reports', `${json.id}.md`))).toBe(true);
    // Progress went to stderr, so stdout stays one JSON document.
    expect(run.stderr).toMatch(/✓ notify +passed/);
  });

  it('alerts test --severity SEV2 tests that topic alone, confirmed in the audit queue', async () => {
    const run = await runHcguard('alerts', 'test', '--severity', 'SEV2');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/→ notify +publishing a test alert on SEV2\n/);
    expect(run.stdout).toMatch(/✓ notify +passed \([^)]+\): test alert delivered on SEV2: SEV2 \d+ ms\n/);
    expect(run.stdout).toMatch(/: PASSED\n/);
    // A test page is sent like any other: hcguard alerts lists it, drill-tagged.
    const listed = JSON.parse((await runHcguard('alerts', '--severity', 'SEV2', '--json')).stdout);
    const id = /drill (drill-\S+): PASSED/.exec(run.stdout)?.[1];
    expect(listed.alerts[0]).toMatchObject({
      alertId: `test-${id}-sev2`,
      topic: 'SEV2',
      subject: expect.stringMatching(/^\[DRILL\] SEV2 test alert/),
    });
  });

  it.each([
    [['alerts', 'test', '--since', '1h'], /^--since goes with listing, not with test\n$/],
    [['alerts', 'tset'], /^alerts takes no argument but test, not "tset"\n$/],
    [['alerts', 'test', '--severity', 'SEV9'], /argument 'SEV9' is invalid/],
  ])('alerts rejects %j (exit 2)', async (argv, message) => {
    const run = await runHcguard(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("--dry-run prints each phase's checks and changes nothing", async () => {
    const before = await world.recordValue();
    const run = await runHcguard('drill', '--scenario', 'full-site-outage', '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^drill drill-\S+: full-site-outage \(dry run\), started by operator:\S+\n/);
    for (const phase of ['preflight', 'inject', 'identify', 'notify', 'decide', 'activate', 'restore'])
      expect(run.stdout).toMatch(new RegExp(`✓ ${phase} +passed`));
    expect(run.stdout).toMatch(/drill drill-\S+: PASSED\n/);
    expect(run.stdout).toMatch(/ {2}report: reports\/drill-\S+\.md\n {10}reports\/drill-\S+\.html\n$/);
    expect(await world.recordValue()).toEqual(before);
    expect(world.testbed.sandbox.faults.listNow()).toEqual([]);
  });

  it('Ctrl-C stops the drill: the fault is cleared and routing restored before the command ends', async () => {
    const configPath = join(folder, 'hcguard.config.json');
    let out = '';
    let err = '';
    const context: CliContext = {
      configPath: () => configPath,
      config: () => loadConfigFile(configPath),
      target: () => resolveTarget({ stackName: world.testbed.config.name, runtimeDirs: [folder] }),
      runtimeDirs: () => [folder],
      out: (text) => (out += text),
      err: (text) => (err += text),
    };
    const interrupt = new AbortController();
    const watcher = setInterval(() => {
      if (world.testbed.sandbox.faults.listNow().length > 0) interrupt.abort();
    }, 50);
    try {
      const failure = await runDrillCommand({ scenario: 'verification-outage', yes: true }, context, {
        interrupt: interrupt.signal,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CommandFailed);
      expect((failure as CommandFailed).exitCode).toBe(1);
    } finally {
      clearInterval(watcher);
    }
    expect(err).toMatch(/interrupted: stopping drill drill-\S+ — clearing the fault and restoring routing/);
    expect(out).toMatch(/drill drill-\S+: ABORTED \(operator: operator:\S+: interrupted \(Ctrl-C\) by the operator\)/);
    expect(world.testbed.sandbox.faults.listNow()).toEqual([]);
    expect(await world.recordValue()).toEqual(['127.0.0.1']);
    expect(await world.services.drills.active()).toBeUndefined();
  });
});

describe('hcguard drills and hcguard report', () => {
  it("lists drills newest first and writes any drill's report on demand", async () => {
    const listed = await runHcguard('drills', '--json');
    expect(listed.code).toBe(0);
    const drills = JSON.parse(listed.stdout) as { id: string; scenario: string }[];
    // The step:notify drills: alerts test --severity SEV2, then drill --step notify.
    expect(drills.map((drill) => drill.scenario)).toEqual([
      'verification-outage',
      'full-site-outage',
      'step:notify',
      'step:notify',
    ]);
    const table = await runHcguard('drills');
    expect(table.stdout).toContain('aborted');
    expect(table.stdout).toContain('passed (dry run)');

    const id = drills[0]!.id;
    rmSync(join(folder, 'reports'), { recursive: true, force: true });
    const report = await runHcguard('report', id);
    expect(report).toMatchObject({ code: 0, stdout: `reports/${id}.md\nreports/${id}.html\n` });
    expect(readFileSync(join(folder, 'reports', `${id}.md`), 'utf8')).toContain('## Findings and plan revisions');
  });

  it.each([
    [['report', 'drill-nope'], 1, /^no drill drill-nope: see `hcguard drills`\n$/],
    [['drill', '--resume', 'drill-nope'], 1, /^no such drill: drill drill-nope\n$/],
    [['report', 'not an id'], 2, /is not a drill id/],
  ])('%j exits %i', async (argv, code, message) => {
    const run = await runHcguard(...argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});
