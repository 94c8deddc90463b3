// Findings: what the drill teaches, each with a concrete revision of the plan computed from the
// config and the measurements (the emergency plan's "summarise and revise"). Pure.
//
// The arithmetic behind the detection finding: a fault is seen at the earliest after
// `failureThreshold` failed rounds, i.e. threshold × interval; whatever else the recovery took
// (alerting, switching, INSYNC, the first good probe on the backup) is measured as RTO − detect.
// For RTO to fit, threshold × interval must fit in what remains, which gives the largest
// interval at the current threshold and the largest threshold at the current interval.
import type { HcguardConfig } from '../config/schema.ts';
import { normalizeRecordName } from '../model/routing.ts';
import { formatDuration, watchedRecords } from './state.ts';
import { drillMetrics, evaluateObjectives } from './metrics.ts';
import type { DrillRecord } from './model.ts';
import { describeFault } from './scenarios.ts';

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

  // ---- notify
  const notifyPhase = drill.phases.find((phase) => phase.name === 'notify');
  if (notifyPhase?.outcome === 'failed') {
    findings.push({
      level: 'critical',
      title: 'Alert delivery not confirmed',
      detail: notifyPhase.detail,
      revision:
        'Check that the audit queue is subscribed to every severity topic (the stack and ' +
        "`npm start` create it) and that the notifier publishes on the incident's topic; " +
        'a delivery that is not confirmed is a page nobody can rely on.',
    });
  }
  const severity = marks.incidentSeverity;
  if (severity && policy.alerts[severity].subscriptions.length === 0) {
    findings.push({
      level: 'warning',
      title: `Nobody subscribes to ${severity}`,
      detail:
        `The incident was ${severity}, but config.alerts.${severity}.subscriptions is ` +
        `empty: the alert reached only the audit queue.`,
      revision: `Add the on-call e-mail or SMS number under alerts.${severity}.subscriptions and redeploy.`,
    });
  }
  const notifyObjective = objectives.find((result) => result.name === 'notify');
  if (notifyObjective?.status === 'fail' && metrics.notifyMs !== null) {
    findings.push({
      level: 'warning',
      title: 'Alert slower than the objective',
      detail:
        `The alert took ${formatDuration(metrics.notifyMs)} to arrive; the objective is ` +
        `${formatDuration(notifyObjective.limit)}.`,
      revision:
        'Look for SNS publish retries in the probe Lambda logs (a throttled or failing ' +
        'publish is retried on the next round).',
    });
  }

  // ---- decide
  const ack = objectives.find((result) => result.name === 'ack');
  if (drill.awaitAck && marks.incidentId && !marks.acknowledgedAt) {
    findings.push({
      level: 'critical',
      title: 'Nobody acknowledged',
      detail: `Incident ${marks.incidentId} was not acknowledged during the drill.`,
      revision:
        `Check who receives ${severity ?? 'the'} alerts, and keep ` +
        `severity.escalateAfterMinutes (${policy.severity.escalateAfterMinutes} min) ` +
        `short enough that an unanswered page reaches a second person.`,
    });
  } else if (ack?.status === 'fail' && metrics.ackMs !== null) {
    const suggested = Math.max(1, Math.floor(ack.limit / 60_000));
    findings.push({
      level: 'warning',
      title: 'Acknowledgement slower than the objective',
      detail: `Acknowledged after ${formatDuration(metrics.ackMs)}; the objective is ${formatDuration(ack.limit)}.`,
      revision:
        policy.severity.escalateAfterMinutes > suggested
          ? `Escalate sooner: severity.escalateAfterMinutes ` +
            `${policy.severity.escalateAfterMinutes} → ${suggested}, so an unacknowledged ` +
            `page is re-sent within the objective.`
          : 'Rehearse the on-call hand-over: the page arrived in time but the decision took too long.',
    });
  }

  // ---- activate
  const activate = drill.phases.find((phase) => phase.name === 'activate');
  if (drill.refusals.length > 0) {
    findings.push({
      level: marks.switchedAt ? 'warning' : 'critical',
      title: marks.switchedAt ? 'The switch was held up' : 'The switch was refused',
      detail: drill.refusals.join(' | '),
      revision: refusalRevision(drill.refusals, policy),
    });
  }
  if (activate?.outcome === 'failed' && !drill.expectFailover) {
    findings.push({
      level: 'warning',
      title: 'Unexpected switch',
      detail: activate.detail,
      revision: 'Check which stage each managed record follows (records[].stage).',
    });
  }
  if (drill.expectFailover && metrics.rtoMs !== null) {
    const ttlMs =
      Math.max(
        ...policy.records
          .filter((record) => watchedRecords(drill, policy).includes(normalizeRecordName(record.name)))
          .map((record) => record.ttl),
        0,
      ) * SECOND_MS;
    const seenMs = metrics.rtoMs + ttlMs;
    if (rto && ttlMs > 0 && seenMs > rto.limit && metrics.rtoMs <= rto.limit) {
      const ttlBudget = Math.floor((rto.limit - metrics.rtoMs) / SECOND_MS);
      findings.push({
        level: 'warning',
        title: 'Clients may see the switch after the RTO',
        detail:
          `Route 53 answered the backup ${formatDuration(metrics.rtoMs)} after the fault, ` +
          `but resolvers may cache the old answer for the record's TTL ` +
          `(${ttlMs / SECOND_MS} s): citizens may wait up to ${formatDuration(seenMs)}, ` +
          `over the RTO of ${formatDuration(rto.limit)}.`,
        revision:
          ttlBudget >= 1
            ? `Lower the record TTL to ${Math.min(ttlBudget, 60)} s or less.`
            : 'Lower the record TTL and shorten detection: the RTO leaves no room for caching.',
      });
    }
  }

  // ---- restore
  const { data } = drill;
  if (data.check && data.check.lost.length > drill.objectives.rpoRecords) {
    const onBackup = new Set(data.onBackup);
    const lostOnBackup = data.check.lost.filter((seq) => onBackup.has(seq)).length;
    const lostOnPrimary = data.check.lost.length - lostOnBackup;
    const where = [
      lostOnPrimary
        ? `${lostOnPrimary} written to the primary while ` +
          `${drill.faults.map(describeFault).join(', ') || 'the drill ran'}`
        : undefined,
      lostOnBackup ? `${lostOnBackup} written to the backup and not carried back before failback` : undefined,
    ].filter(Boolean);
    findings.push({
      level: 'critical',
      title: 'Records lost (RPO not met)',
      detail:
        `${data.check.lost.length} of ${metrics.recordsWritten ?? 0} records the ` +
        `platform accepted during the drill are missing on the primary after restore ` +
        `(${where.join('; ')}); the objective allows ${drill.objectives.rpoRecords}.`,
      revision: [
        lostOnPrimary
          ? 'Make collection confirm a write only after it is stored (read-back or durable ' +
            'acknowledgement), and alert on collection assertion failures as SEV2 or higher.'
          : undefined,
        lostOnBackup
          ? 'Replicate the backup back to the primary, and add "backup → primary replication ' +
            'caught up" to the failback procedure before approving it.'
          : undefined,
      ]
        .filter(Boolean)
        .join(' '),
    });
  }
  if (data.check && data.check.duplicated.length > 0) {
    findings.push({
      level: 'warning',
      title: 'Records duplicated',
      detail: `${data.check.duplicated.length} records exist more than once on the primary after restore.`,
      revision:
        'Make collection writes idempotent on the record id, so replication or a client ' +
        'retry across the switch cannot store a record twice.',
    });
  }
  if (data.refused.length > 0) {
    findings.push({
      level: 'info',
      title: 'Writes refused during the drill',
      detail:
        `${data.refused.length} of ${data.attempts} writes were refused with an error ` +
        `(citizens would have had to retry); refused writes are not counted as lost.`,
    });
  }
  if (data.unmeasured && drill.step === undefined) {
    findings.push({ level: 'info', title: 'Data loss not measured', detail: data.unmeasured });
  }
  const restore = drill.phases.find((phase) => phase.name === 'restore');
  if (marks.primaryHealthyAt && marks.failbackAt && drill.step === undefined && !drill.abort) {
    const waitMs = Date.parse(marks.failbackAt) - Date.parse(marks.primaryHealthyAt);
    if (waitMs > 0) {
      findings.push({
        level: 'info',
        title: 'Failback timing',
        detail:
          `Traffic returned ${formatDuration(waitMs)} after the primary recovered ` +
          `(failover.failbackAfterHealthyMinutes ` +
          `${policy.failover.failbackAfterHealthyMinutes}, dwellMinutes ` +
          `${policy.failover.dwellMinutes}, failback ${policy.failover.failback}).`,
      });
    }
  }
  if (restore?.outcome === 'running') {
    findings.push({
      level: 'critical',
      title: 'Restore not finished',
      detail: restore.detail,
      revision: `Finish it with \`hcguard drill --resume ${drill.id}\` (or \`--abort ${drill.id}\`).`,
    });
  }
  return findings;
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

const refusalRevision = (refusals: readonly string[], policy: FindingsPolicy): string => {
  const text = refusals.join(' ');
  if (/automatic failover is off/.test(text))
    return (
      'failover.mode is manual: decide whether the on-call operator is fast enough, or ' +
      'set failover.mode: automatic.'
    );
  if (/dwell/.test(text))
    return (
      `A recent switch held this one (failover.dwellMinutes ` +
      `${policy.failover.dwellMinutes}); schedule drills at least that long after any ` +
      `switch.`
    );
  if (/locked/.test(text))
    return 'Routing was locked: unlock after maintenance (`hcguard unlock`) so failover can act.';
  if (/unhealthy|no quorum/.test(text))
    return 'The backup did not pass pre-flight: fix the backup, and make sure the prober runs every stage on it.';
  return 'Read the refusal above and fix its cause before the next drill.';
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
