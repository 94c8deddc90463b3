import { describe, expect, it } from 'vitest';
import type { DrillRecord, PhaseRecord } from '../../../lambdas/core/drill/model.ts';
import { MAX_PHASE_NOTES, notePhaseLines } from '../../../lambdas/core/drill/state.ts';
import { renderDrillMarkdown } from '../../../lambdas/core/drill/report-markdown.ts';
import { drillResults, finishedDrill, reportConfig } from './report-fixtures.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 20, 2, 0, seconds)).toISOString();
const withPhase = (phase: Partial<PhaseRecord>): DrillRecord => {
  const drill = finishedDrill();
  const base = drill.phases[0] as PhaseRecord;
  return { ...drill, phases: [{ ...base, outcome: 'running', endedAt: undefined, notes: undefined, ...phase }] };
};

describe("noting a phase's lines tick by tick", () => {
  it('notes a new sentence, not a counter that moved, and the line a phase ended with', () => {
    const lines: [number, string, Partial<PhaseRecord>][] = [
      [0, 'waiting for the pipeline to open an incident (0 s so far)', {}],
      [5, 'waiting for the pipeline to open an incident (5 s so far)', {}],
      [10, 'the controller refuses to switch: dwell', {}],
      [15, 'incident inc-7 opened 15 s after the fault', { outcome: 'passed', endedAt: t(15) }],
      [20, 'incident inc-7 opened 15 s after the fault', { outcome: 'passed', endedAt: t(15) }],
    ];
    let drill = withPhase({});
    for (const [seconds, detail, change] of lines) {
      drill = { ...drill, phases: [{ ...(drill.phases[0] as PhaseRecord), detail, ...change }] };
      drill = notePhaseLines(drill, t(seconds));
    }
    expect(drill.phases[0]?.notes).toEqual([
      { at: t(0), detail: 'waiting for the pipeline to open an incident (0 s so far)' },
      { at: t(10), detail: 'the controller refuses to switch: dwell' },
      { at: t(15), detail: 'incident inc-7 opened 15 s after the fault' },
    ]);
  });

  it(`keeps the newest ${MAX_PHASE_NOTES}`, () => {
    let drill = withPhase({});
    for (let index = 0; index < MAX_PHASE_NOTES + 3; index++) {
      drill = { ...drill, phases: [{ ...(drill.phases[0] as PhaseRecord), detail: `line ${'x'.repeat(index)}` }] };
      drill = notePhaseLines(drill, t(index));
    }
    expect(drill.phases[0]?.notes).toHaveLength(MAX_PHASE_NOTES);
    expect(drill.phases[0]?.notes?.[0]?.at).toBe(t(3));
  });

  it("the report's Progress section lists them in time order", () => {
    const drill = finishedDrill();
    const phases = drill.phases.map((phase, index) =>
      index === 6
        ? {
            ...phase,
            notes: [
              { at: '2026-11-20T02:00:46Z', detail: 'failing back: refused (dwell)' },
              { at: '2026-11-20T02:02:00Z', detail: 'traffic back on the primary' },
            ],
          }
        : phase,
    );
    const markdown = renderDrillMarkdown({
      drill: { ...drill, phases },
      config: reportConfig,
      results: drillResults(),
      generatedAt: new Date('2026-11-20T02:05:00Z'),
    });
    expect(markdown).toContain(
      '| Since start | Phase | What it showed |\n|---|---|---|\n' +
        '| +46 s | restore | failing back: refused (dwell) |\n| +2 min | restore | traffic back on the primary |',
    );
  });
});
