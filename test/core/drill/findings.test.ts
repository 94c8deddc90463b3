import { describe, expect, it } from 'vitest';
import { detectionFinding, drillFindings } from '../../../lambdas/core/drill/findings.ts';
import { newDrill } from '../../../lambdas/core/drill/new-drill.ts';
import { drillMetrics, evaluateObjectives } from '../../../lambdas/core/drill/metrics.ts';
import type { DrillMarks, DrillRecord } from '../../../lambdas/core/drill/model.ts';
import { findScenario } from '../../../lambdas/core/drill/scenarios.ts';
import type { HcguardConfigInput } from '../../../lambdas/core/config/schema.ts';
import { at, drillPolicy, iso } from './fixtures.ts';

const finished = (
  config: ReturnType<typeof drillPolicy>,
  marks: DrillMarks,
  change: Partial<DrillRecord> = {},
  name = 'verification-outage',
): DrillRecord => {
  const scenario = findScenario(config, name);
  if (!scenario) throw new Error(name);
  const drill = newDrill({ id: 'd1', actor: 'operator:alice', now: at(0), policy: config, dryRun: false, scenario });
  return { ...drill, status: 'finished', outcome: 'passed', endedAt: iso(600), marks, ...change };
};

/** A drill that went through every step; times in seconds after T0. */
const measured = (seconds: {
  detect: number;
  alert?: number;
  ack?: number;
  insync: number;
  serving: number;
}): DrillMarks => ({
  faultInjectedAt: iso(0),
  incidentId: 'inc-1',
  incidentSeverity: 'SEV1',
  incidentOpenedAt: iso(seconds.detect),
  ...(seconds.alert !== undefined ? { alertDeliveredAt: iso(seconds.alert) } : {}),
  ...(seconds.ack !== undefined ? { acknowledgedAt: iso(seconds.ack) } : {}),
  switchedAt: iso(seconds.insync),
  insyncAt: iso(seconds.insync),
  backupServingAt: iso(seconds.serving),
  faultClearedAt: iso(seconds.serving + 1),
  primaryHealthyAt: iso(seconds.serving + 20),
  failbackAt: iso(seconds.serving + 80),
  restoredAt: iso(seconds.serving + 81),
});

const config = (input: Partial<HcguardConfigInput>) => drillPolicy(input);

describe('metrics and objectives', () => {
  it('measures each step from the observed instants', () => {
    const drill = finished(config({}), measured({ detect: 12, alert: 13, ack: 73, insync: 20, serving: 24 }), {
      awaitAck: true,
      data: {
        attempts: 10,
        refused: [3],
        onBackup: [5, 6],
        check: { at: iso(200), lost: [6], duplicated: [], attempts: 3 },
      },
    });
    expect(drillMetrics(drill)).toEqual({
      detectMs: 12_000,
      notifyMs: 1_000,
      ackMs: 60_000,
      switchMs: 8_000,
      rtoMs: 24_000,
      recordsWritten: 9,
      recordsLost: 1,
      recordsDuplicated: 0,
    });
  });

  it.each([
    {
      // Detect, notify and switch unset: judged against 2 rounds at 5 s plus one, a minute, 120 s.
      objectives: { rtoSeconds: 30, rpoRecords: 0 },
      expected: [
        ['detect', 'pass'],
        ['notify', 'pass'],
        ['switch', 'pass'],
        ['rto', 'pass'],
        ['rpo', 'fail'],
      ],
    },
    {
      objectives: {
        rtoSeconds: 20,
        rpoRecords: 1,
        detectSeconds: 10,
        notifySeconds: 5,
        switchSeconds: 7,
        ackSeconds: 120,
      },
      expected: [
        ['detect', 'fail'],
        ['notify', 'pass'],
        ['switch', 'fail'],
        ['ack', 'pass'],
        ['rto', 'fail'],
        ['rpo', 'pass'],
      ],
    },
  ])('judges each configured objective: $objectives', ({ objectives, expected }) => {
    const drill = finished(
      config({ drills: { objectives } }),
      measured({ detect: 12, alert: 13, ack: 73, insync: 20, serving: 24 }),
      {
        awaitAck: true,
        data: {
          attempts: 10,
          refused: [],
          onBackup: [],
          check: { at: iso(200), lost: [6], duplicated: [], attempts: 3 },
        },
      },
    );
    expect(evaluateObjectives(drill).map((result) => [result.name, result.status])).toEqual(expected);
  });

  it('an objective whose step never happened is "not measured"', () => {
    const drill = finished(config({}), { faultInjectedAt: iso(0), incidentOpenedAt: iso(10) });
    expect(evaluateObjectives(drill).find((result) => result.name === 'rto')).toMatchObject({
      measured: null,
      status: 'not measured',
    });
  });
});

describe('findings', () => {
  it.each([
    { switchSeconds: 5, insync: 20, slower: true },
    { switchSeconds: 8, insync: 20, slower: false },
  ])('a switch $insync s after a 12 s detection against $switchSeconds s: slower $slower', (row) => {
    const drill = finished(
      config({ drills: { objectives: { switchSeconds: row.switchSeconds } } }),
      measured({ detect: 12, alert: 13, insync: row.insync, serving: 24 }),
    );
    const finding = drillFindings(drill, config({})).find(
      (entry) => entry.title === 'Switch slower than the objective',
    );
    expect(finding?.detail).toBe(
      row.slower
        ? 'Route 53 answered the backup everywhere (INSYNC) 8.0 s after the incident opened; the objective is 5.0 s.'
        : undefined,
    );
  });

  it("the issue's example: 3 rounds at 60 s cannot meet an RTO of 2 min", () => {
    expect(
      detectionFinding({
        detectMs: 185_000,
        threshold: 3,
        interval: 60,
        budgetMs: 60_000,
        rtoLimitMs: 120_000,
        rtoMs: 245_000,
        detectLimited: false,
      }),
    ).toEqual({
      level: 'critical',
      title: 'Detection too slow for the RTO',
      detail:
        'Detection needed 3 rounds at a 60 s interval (measured 3 min 5 s, RTO measured ' +
        '4 min 5 s): RTO 2 min cannot be met.',
      revision: 'Use a 20 s interval or threshold 1 (schedule.intervalSeconds / detection.failureThreshold).',
    });
  });

  it('says when no interval or threshold can fit', () => {
    expect(
      detectionFinding({
        detectMs: 20_000,
        threshold: 2,
        interval: 10,
        budgetMs: 3_000,
        rtoLimitMs: 60_000,
        rtoMs: 77_000,
        detectLimited: false,
      }).revision,
    ).toMatch(/^Detection alone cannot fit: even 1 round at 5 s leaves too little time/);
  });

  type Row = {
    name: string;
    input: Partial<HcguardConfigInput>;
    marks: DrillMarks;
    change?: Partial<DrillRecord>;
    title: string;
    revision?: RegExp;
    level?: string;
  };
  const rows: Row[] = [
    {
      name: 'RTO missed because detection is slow',
      input: {
        schedule: { intervalSeconds: 30 },
        detection: { failureThreshold: 3 },
        drills: { objectives: { rtoSeconds: 100, rpoRecords: 0 } },
      },
      marks: measured({ detect: 92, alert: 93, insync: 100, serving: 110 }),
      title: 'Detection too slow for the RTO',
      revision: /^Use a 27 s interval or threshold 2 \(schedule\.intervalSeconds \/ detection\.failureThreshold\)\.$/,
    },
    {
      name: 'the record TTL pushes what citizens see past the RTO',
      input: { drills: { objectives: { rtoSeconds: 60, rpoRecords: 0 } } },
      marks: measured({ detect: 10, alert: 11, insync: 20, serving: 40 }),
      title: 'Clients may see the switch after the RTO',
      revision: /^Lower the record TTL to 20 s or less\.$/,
    },
    {
      name: 'records lost on the backup side',
      input: {},
      marks: measured({ detect: 10, alert: 11, insync: 20, serving: 24 }),
      change: {
        data: {
          attempts: 8,
          refused: [],
          onBackup: [4, 5, 6],
          check: { at: iso(300), lost: [5, 6], duplicated: [], attempts: 3 },
        },
      },
      title: 'Records lost (RPO not met)',
      revision: /Replicate the backup back to the primary/,
    },
    {
      name: 'records duplicated',
      input: {},
      marks: measured({ detect: 10, alert: 11, insync: 20, serving: 24 }),
      change: {
        data: {
          attempts: 8,
          refused: [],
          onBackup: [],
          check: { at: iso(300), lost: [], duplicated: [2], attempts: 1 },
        },
      },
      title: 'Records duplicated',
      revision: /idempotent on the record id/,
    },
    {
      name: "nobody subscribes to the incident's severity",
      input: {},
      marks: measured({ detect: 10, alert: 11, insync: 20, serving: 24 }),
      title: 'Nobody subscribes to SEV1',
      revision: /alerts\.SEV1\.subscriptions/,
    },
    {
      name: 'acknowledgement slower than the objective',
      input: { drills: { awaitAck: true, objectives: { rtoSeconds: 300, rpoRecords: 0, ackSeconds: 120 } } },
      marks: measured({ detect: 10, alert: 11, ack: 611, insync: 20, serving: 24 }),
      change: { awaitAck: true },
      title: 'Acknowledgement slower than the objective',
      revision: /^Escalate sooner: severity\.escalateAfterMinutes 15 → 2/,
    },
    {
      name: 'the time limit is too short for this config',
      input: { drills: { timeLimitMinutes: 5 } },
      marks: measured({ detect: 10, alert: 11, insync: 20, serving: 24 }),
      change: { outcome: 'aborted', abort: { code: 'time-limit', reason: 'too long', at: iso(300), phase: 'restore' } },
      title: 'Drill aborted: time-limit',
      revision: /raise drills\.timeLimitMinutes from 5 to at least 13/,
    },
    {
      name: 'manual failover held the switch',
      input: { failover: { mode: 'manual' } },
      marks: measured({ detect: 10, alert: 11, insync: 200, serving: 204 }),
      change: {
        refusals: [
          'cannot switch verify.hc.example.com from primary to backup: automatic failover ' +
            'is off (failover.mode: manual)',
        ],
      },
      title: 'The switch was held up',
      revision: /^failover\.mode is manual/,
    },
    {
      name: 'undetected fault',
      input: {},
      marks: { faultInjectedAt: iso(0), faultClearedAt: iso(300) },
      change: {
        outcome: 'aborted',
        abort: { code: 'time-limit', reason: 'x', at: iso(1800), phase: 'identify' },
        phases: [{ name: 'identify', index: 2, startedAt: iso(1), outcome: 'aborted', detail: '', checks: [] }],
      },
      title: 'The fault was not detected',
      revision: /Add a probe assertion that catches error on verification/,
    },
  ];

  it.each(rows)('$name', ({ input, marks, change, title, revision }) => {
    const policy = config(input);
    const findings = drillFindings(finished(policy, marks, change), policy);
    const finding = findings.find((entry) => entry.title === title);
    expect(finding, JSON.stringify(findings, null, 2)).toBeDefined();
    if (revision) expect(finding?.revision).toMatch(revision);
  });

  it('a drill within every objective has only informational findings besides missing subscribers', () => {
    const policy = config({
      alerts: { SEV1: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] } },
    });
    const findings = drillFindings(
      finished(policy, measured({ detect: 10, alert: 11, insync: 20, serving: 24 }), {
        data: {
          attempts: 8,
          refused: [],
          onBackup: [],
          check: { at: iso(300), lost: [], duplicated: [], attempts: 1 },
        },
      }),
      policy,
    );
    expect(findings.map((finding) => finding.level)).toEqual(['info', 'info']);
    expect(findings.map((finding) => finding.title)).toEqual(['Detection within plan', 'Failback timing']);
  });

  it('a refused drill lists what pre-flight refused', () => {
    const policy = config({});
    const drill = finished(
      policy,
      {},
      {
        outcome: 'refused',
        phases: [
          {
            name: 'preflight',
            index: 0,
            startedAt: iso(0),
            endedAt: iso(0),
            outcome: 'failed',
            detail: 'refused',
            checks: [{ name: 'no routing lock', ok: false, required: true, detail: 'locked by operator:carol' }],
          },
        ],
      },
    );
    expect(drillFindings(drill, policy)).toEqual([
      {
        level: 'warning',
        title: 'Pre-flight refused: no routing lock',
        detail: 'locked by operator:carol',
        revision: 'Resolve this, then start the drill again.',
      },
    ]);
  });
});
