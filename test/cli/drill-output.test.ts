import { describe, expect, it } from 'vitest';
import { metricsLine, phasePrinter } from '../../bin/cli/drill/output.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { finishedDrill } from '../core/drill/report-fixtures.ts';

const T0 = '2026-11-20T02:00:00.000Z';

const withPhases = (phases: DrillRecord['phases']): DrillRecord => ({ ...finishedDrill(), phases });

describe('what `hcguard drill` prints as phases end', () => {
  it('names every failed and warned check under its phase, with what it found, and no "0 ms"', () => {
    let printed = '';
    phasePrinter((text) => (printed += text))(
      withPhases([
        {
          name: 'preflight',
          index: 0,
          startedAt: T0,
          endedAt: '2026-11-20T02:00:02.500Z',
          outcome: 'failed',
          detail: '1 of 3 check(s) passed; failed: no dwell hold; warning: subscribers',
          checks: [
            { name: 'primary healthy', ok: true, required: true, detail: 'every stage is healthy' },
            { name: 'no dwell hold', ok: false, required: true, detail: 'next switch allowed after 02:01:00Z' },
            { name: 'subscribers', ok: false, required: false, detail: 'nobody subscribes to SEV3' },
          ],
        },
        { name: 'inject', index: 1, startedAt: T0, endedAt: T0, outcome: 'passed', detail: 'dry run', checks: [] },
        { name: 'decide', index: 2, startedAt: T0, endedAt: T0, outcome: 'skipped', detail: 'no ack', checks: [] },
      ]),
    );
    expect(printed.split('\n').slice(1)).toEqual([
      '  ✗ preflight failed (2.5 s): 1 of 3 check(s) passed; failed: no dwell hold; warning: subscribers',
      '      ✗ no dwell hold: next switch allowed after 02:01:00Z',
      '      ! subscribers: nobody subscribes to SEV3',
      '  ✓ inject    passed: dry run',
      '  – decide    skipped: no ack',
      '',
    ]);
  });

  it('a switch recorded in the same instant as detection reads "under 1 ms", not "0 ms"', () => {
    const drill = finishedDrill();
    const line = metricsLine({
      ...drill,
      marks: { ...drill.marks, insyncAt: drill.marks.incidentOpenedAt as string },
    });
    expect(line).toContain('switch under 1 ms');
    expect(line).not.toMatch(/\b0 ms/);
  });
});
