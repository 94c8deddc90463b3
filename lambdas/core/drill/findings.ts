// Findings: what the drill teaches, each with a concrete revision of the plan computed from the
// config and the measurements (the emergency plan's "summarise and revise"). Pure.
//
// The arithmetic behind the detection finding: a fault is seen at the earliest after
// `failureThreshold` failed rounds, i.e. threshold × interval; whatever else the recovery took
// (alerting, switching, INSYNC, the first good probe on the backup) is measured as RTO − detect.
// For RTO to fit, threshold × interval must fit in what remains, which gives the largest
// interval at the current threshold and the largest threshold at the current interval.
import type { HcguardConfig } from '../config/schema.ts';
import { formatDuration } from './state.ts';
import { drillMetrics, evaluateObjectives } from './metrics.ts';
import type { DrillRecord } from './model.ts';
import { describeFault } from './scenarios.ts';
import { activateFindings, decideFindings, notifyFindings, restoreFindings } from './findings-phases.ts';

export type FindingsPolicy = Pick<
  HcguardConfig,
  'records' | 'schedule' | 'detection' | 'failover' | 'drills' | 'alerts' | 'severity'
>;

export interface Finding {
  readonly level: 'critical' | 'warning' | 'info';
  readonly title: string;
  /** What was measured or observed. */
  readonly detail: string;
  /** The concrete change to the plan or config; absent when nothing needs to change. */
  readonly revision?: string;
}

/** What every finding rule reads: the drill, the policy, and what was measured. */
export interface FindingsFacts {
  readonly drill: DrillRecord;
  readonly policy: FindingsPolicy;
  readonly metrics: ReturnType<typeof drillMetrics>;
  readonly objectives: ReturnType<typeof evaluateObjectives>;
}

const SECOND_MS = 1000;
/** The schema's bounds for schedule.intervalSeconds and detection.failureThreshold. */
const MIN_INTERVAL_SECONDS = 5;
const MIN_THRESHOLD = 1;

/** How long the fault was in place: to the abort, the end of the drill, or (still running) not at all. */
const faultRanMs = (drill: DrillRecord, injectedAt: string): number =>
  Date.parse(drill.abort?.at ?? drill.endedAt ?? injectedAt) - Date.parse(injectedAt);

export const drillFindings = (drill: DrillRecord, policy: FindingsPolicy): Finding[] => {
  if (drill.dryRun) return dryRunFindings(drill);
  const findings: Finding[] = [];
  const metrics = drillMetrics(drill);
  const objectives = evaluateObjectives(drill);
  const { marks } = drill;
  const interval = policy.schedule.intervalSeconds;
  const threshold = policy.detection.failureThreshold;

  if (drill.outcome === 'refused') {
    const preflight = drill.phases.find((phase) => phase.name === 'preflight');
    for (const failed of preflight?.checks.filter((entry) => entry.required && !entry.ok) ?? []) {
      findings.push({
        level: 'warning',
        title: `Pre-flight refused: ${failed.name}`,
        detail: failed.detail,
        revision: 'Resolve this, then start the drill again.',
      });
    }
    return findings;
  }

  if (drill.abort) {
    findings.push(abortFinding(drill, policy));
  }

  // ---- identify
  if (drill.step === undefined && marks.faultInjectedAt && !marks.incidentOpenedAt && phaseReached(drill, 'identify')) {
    findings.push({
      level: 'critical',
      title: 'The fault was not detected',
      detail:
        `${drill.faults.map(describeFault).join(', ')} ran for ` +
        `${formatDuration(faultRanMs(drill, marks.faultInjectedAt))} without the pipeline opening an incident.`,
      revision:
        `Add a probe assertion that catches ` +
        `${drill.faults.map((fault) => fault.mode).join(', ')} on ` +
        `${[...new Set(drill.faults.map((fault) => fault.stage))].join(', ')}, and check ` +
        `it with \`hcguard probe --once\` while the fault is injected (\`hcguard fault ` +
        `…\`).`,
    });
  }
  const rto = objectives.find((result) => result.name === 'rto');
  if (metrics.detectMs !== null) {
    const floorMs = threshold * interval * SECOND_MS;
    const detectObjective = objectives.find((result) => result.name === 'detect');
    const restMs = metrics.rtoMs !== null ? Math.max(0, metrics.rtoMs - metrics.detectMs) : undefined;
    const rtoBudgetMs = rto ? rto.limit : undefined;
    const rtoMissed = rto?.status === 'fail';
    const floorTooHigh = rtoBudgetMs !== undefined && restMs !== undefined && floorMs + restMs > rtoBudgetMs;
    if (rtoMissed || floorTooHigh || detectObjective?.status === 'fail') {
      const budgetMs = detectObjective?.status === 'fail' ? detectObjective.limit : (rtoBudgetMs ?? 0) - (restMs ?? 0);
      findings.push(
        detectionFinding({
          detectMs: metrics.detectMs,
          threshold,
          interval,
          budgetMs,
          rtoLimitMs: rtoBudgetMs,
          rtoMs: metrics.rtoMs,
          detectLimited: detectObjective?.status === 'fail',
        }),
      );
    } else {
      findings.push({
        level: 'info',
        title: 'Detection within plan',
        detail:
          `Detected in ${formatDuration(metrics.detectMs)} (threshold ${threshold} rounds ` +
          `at ${interval} s; floor ${formatDuration(floorMs)}).`,
      });
    }
  }
  const facts: FindingsFacts = { drill, policy, metrics, objectives };
  return [
    ...findings,
    ...notifyFindings(facts),
    ...decideFindings(facts),
    ...activateFindings(facts),
    ...restoreFindings(facts),
  ];
};

interface DetectionFacts {
  readonly detectMs: number;
  readonly threshold: number;
  readonly interval: number;
  /** The time detection may take for the objective to hold. */
  readonly budgetMs: number;
  readonly rtoLimitMs?: number;
  readonly rtoMs: number | null;
  readonly detectLimited: boolean;
}

/** "detection needed 3 rounds at a 60 s interval: RTO 2 min cannot be met; use a 10 s interval or threshold 2" */
export const detectionFinding = (facts: DetectionFacts): Finding => {
  const { threshold, interval, budgetMs, detectMs } = facts;
  const objective = facts.detectLimited
    ? `the detection objective ${formatDuration(budgetMs)}`
    : `RTO ${formatDuration(facts.rtoLimitMs ?? 0)}`;
  const maxInterval = Math.floor(budgetMs / SECOND_MS / threshold);
  const maxThreshold = Math.floor(budgetMs / SECOND_MS / interval);
  const options: string[] = [];
  if (maxInterval >= MIN_INTERVAL_SECONDS && maxInterval < interval) options.push(`use a ${maxInterval} s interval`);
  if (maxThreshold >= MIN_THRESHOLD && maxThreshold < threshold) options.push(`threshold ${maxThreshold}`);
  const revision = options.length
    ? `${options.join(' or ')} (schedule.intervalSeconds / detection.failureThreshold).`
    : `Detection alone cannot fit: even ${MIN_THRESHOLD} round at ` +
      `${MIN_INTERVAL_SECONDS} s leaves too little time. Shorten what follows ` +
      `detection (failover.insyncTimeoutSeconds, record TTL) or revise the objective.`;
  return {
    level: 'critical',
    title: `Detection too slow for ${facts.detectLimited ? 'the detection objective' : 'the RTO'}`,
    detail:
      `Detection needed ${threshold} rounds at a ${interval} s interval (measured ${formatDuration(detectMs)}` +
      `${facts.rtoMs !== null ? `, RTO measured ${formatDuration(facts.rtoMs)}` : ''}): ${objective} cannot be met.`,
    revision: revision.charAt(0).toUpperCase() + revision.slice(1),
  };
};

const abortFinding = (drill: DrillRecord, policy: FindingsPolicy): Finding => {
  const abort = drill.abort;
  if (!abort) throw new Error('abortFinding needs an aborted drill');
  const base = {
    level: 'critical' as const,
    title: `Drill aborted: ${abort.code}`,
    detail: `In ${abort.phase} at ${abort.at}: ${abort.reason}.`,
  };
  switch (abort.code) {
    case 'time-limit': {
      const estimateMin = Math.ceil(
        (policy.detection.failureThreshold * policy.schedule.intervalSeconds + policy.failover.insyncTimeoutSeconds) /
          60 +
          policy.failover.failbackAfterHealthyMinutes +
          (policy.drills.awaitAck ? policy.severity.escalateAfterMinutes : 0),
      );
      return {
        ...base,
        revision:
          estimateMin > drill.timeLimitMinutes
            ? `This config needs about ${estimateMin} min for a whole drill (detection, ` +
              `switch, ${policy.failover.failbackAfterHealthyMinutes} min of primary stability ` +
              `before failback); raise drills.timeLimitMinutes from ${drill.timeLimitMinutes} ` +
              `to at least ${estimateMin}.`
            : `The drill stalled in ${abort.phase}; see that phase's last state in the timeline.`,
      };
    }
    case 'real-incident':
      return { ...base, revision: 'Handle the real incident first; rehearse again once every incident is resolved.' };
    case 'backup-degraded':
      return {
        ...base,
        revision: 'The backup could not carry traffic during the drill: fix it before relying on failover.',
      };
    case 'inject-failed':
      return {
        ...base,
        revision:
          'Check the fault injector: the sandbox fault API locally, drills.faultHookUrl ' +
          'for a real platform, or drills.injection: simulated.',
      };
    case 'operator':
      return { ...base, level: 'info' };
  }
};

const phaseReached = (drill: DrillRecord, name: string): boolean => drill.phases.some((phase) => phase.name === name);

const dryRunFindings = (drill: DrillRecord): Finding[] =>
  drill.phases.flatMap((phase) =>
    phase.checks
      .filter((entry) => !entry.ok)
      .map((entry) => ({
        level: entry.required ? ('critical' as const) : ('warning' as const),
        title: `${phase.name}: ${entry.name}`,
        detail: entry.detail,
        revision: 'Fix this before running the drill for real.',
      })),
  );
