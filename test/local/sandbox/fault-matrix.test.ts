// Every sandbox fault mode on every stage it applies to is detected by that stage's built-in
// probe with the failure class the detection table promises, and clearing the fault makes the
// probe pass again. Short step timeouts keep the hang rows quick.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_MODES, STAGES, type Stage } from '../../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult } from '../../../lambdas/core/model/probing.ts';
import { builtinProbes } from '../../../lambdas/core/probe/builtin.ts';
import { expectedDetection, faultApplies } from '../../../lambdas/core/probe/fault-modes.ts';
import type { ProbeStep } from '../../../lambdas/core/probe/schema.ts';
import { startTestSandbox, TEST_TRANSMISSION_KEY, type TestSandbox } from '../../support/sandbox.ts';

const STEP_TIMEOUT_MS = 2_000;
const LATENCY_FAULT_MS = 600;

let testbed: TestSandbox;

beforeAll(async () => {
  testbed = await startTestSandbox({
    sandbox: { hugeBodyBytes: 4 * 1024 * 1024 },
    config: (input) => ({
      ...input,
      // Room for three 2 s steps per probe.
      schedule: { ...input.schedule, intervalSeconds: 10 },
      probes: builtinProbes().map((probe) => ({
        ...probe,
        // Two or three steps delayed 600 ms each cross 1 s; a healthy probe stays well under it, and nothing nears 8 s.
        latencyMs: { degradedMs: 1_000, failedMs: 8_000 },
        steps: probe.steps.map((step) => ({ ...(step as ProbeStep), timeoutMs: STEP_TIMEOUT_MS })),
      })),
    }),
  });
});
afterAll(() => testbed?.stop());
// A failed row must not leave its fault behind for the next one.
afterEach(() => void testbed.sandbox.faults.clearNow());

const roundOnPrimary = async (): Promise<Record<Stage, ProbeResult>> => {
  const results = await testbed.runner.probeAll({ sites: ['primary'] });
  return Object.fromEntries(STAGES.map((stage) => [stage, results.find((result) => result.stage === stage)])) as Record<
    Stage,
    ProbeResult
  >;
};

const rows = FAULT_MODES.flatMap((mode) =>
  STAGES.filter((stage) => faultApplies(mode, stage)).map((stage) => {
    const expected = expectedDetection(mode, stage);
    return { mode, stage, outcome: expected?.outcome, failureClass: expected?.failureClass ?? 'none' };
  }),
);

describe('the fault matrix: each fault is seen by the right probe as the right failure', () => {
  it('starts from a healthy platform', async () => {
    const round = await roundOnPrimary();
    for (const stage of STAGES) expect(round[stage], stage).toMatchObject({ outcome: 'ok' });
  });

  it.each(rows)('$mode on $stage → $outcome ($failureClass)', async ({ mode, stage, outcome, failureClass }) => {
    testbed.sandbox.faults.injectNow({
      site: 'primary',
      stage,
      mode,
      ...(mode === 'latency' ? { latencyMs: LATENCY_FAULT_MS } : {}),
    });
    const faulted = await roundOnPrimary();
    expect({ outcome: faulted[stage].outcome, failureClass: faulted[stage].failureClass ?? 'none' }).toEqual({
      outcome,
      failureClass,
    });
    for (const other of STAGES.filter((each) => each !== stage))
      expect(faulted[other], `${other} is not affected`).toMatchObject({ outcome: 'ok' });
    expect(JSON.stringify(faulted)).not.toContain(TEST_TRANSMISSION_KEY);

    testbed.sandbox.faults.clearNow();
    // A record dropped in the faulted round is still missing in the next round's window
    // (previous + current sequence): that loss is real, so transmission may need a second round.
    const afterClear = await roundOnPrimary();
    const recovered = afterClear[stage].outcome === 'ok' ? afterClear : await roundOnPrimary();
    expect(recovered[stage], `${stage} passes again after the fault is cleared`).toMatchObject({ outcome: 'ok' });
    if (afterClear[stage].outcome !== 'ok')
      expect([stage, mode, afterClear[stage].failureClass]).toEqual(['transmission', 'drop-writes', 'integrity']);
  });
});
