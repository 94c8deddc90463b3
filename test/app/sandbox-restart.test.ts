// The first round after the sandbox restarts (its streams gone, the counters in hcguard's table
// kept) is a stream reset to report, not "records missing from the stream (loss)".
import { describe, expect, it } from 'vitest';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { createProbeRunner } from '../../lambdas/app/probe-runner.ts';
import { startTestSandbox } from '../support/sandbox.ts';

describe('the built-in transmission probe across a sandbox restart', () => {
  it('reports the reset once and stays ok', async () => {
    const sequences = createMemorySequenceSource();
    const transmit = async (testbed: Awaited<ReturnType<typeof startTestSandbox>>) => {
      const runner = createProbeRunner({ config: testbed.config, secrets: testbed.secrets, sequences });
      return (await runner.probeAll({ sites: ['primary'] })).find((result) => result.stage === 'transmission');
    };
    const before = await startTestSandbox();
    try {
      expect(await transmit(before)).toMatchObject({ outcome: 'ok' });
      expect(await transmit(before)).toMatchObject({ outcome: 'ok' });
    } finally {
      await before.stop();
    }
    const after = await startTestSandbox();
    try {
      const first = await transmit(after);
      expect(first).toMatchObject({ outcome: 'ok' });
      expect(first?.streamReset).toContain('records up to 2 sent before it are no longer on the platform');
      const second = await transmit(after);
      expect(second).toMatchObject({ outcome: 'ok' });
      expect(second?.streamReset).toBeUndefined();
    } finally {
      await after.stop();
    }
  });
});
