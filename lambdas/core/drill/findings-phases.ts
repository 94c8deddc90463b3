// Findings about alerting, the team's decision, the switch and the restore: one function per
// phase of the plan, each over the same facts. Pure.
import { normalizeRecordName } from '../model/routing.ts';
import type { Finding, FindingsFacts, FindingsPolicy } from './findings.ts';
import { formatDuration, watchedRecords } from './state.ts';
import { describeFault } from './scenarios.ts';

const SECOND_MS = 1000;

/** Was the page delivered, to someone, in time? */
export const notifyFindings = ({ drill, policy, metrics, objectives }: FindingsFacts): Finding[] => {
  const findings: Finding[] = [];
  const { marks } = drill;
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
  return findings;
};

/** Did someone acknowledge, in time? */
export const decideFindings = ({ drill, policy, metrics, objectives }: FindingsFacts): Finding[] => {
  const findings: Finding[] = [];
  const { marks } = drill;
  const severity = marks.incidentSeverity;
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
  return findings;
};

/** Did the switch happen as planned, and when would citizens see it? */
export const activateFindings = ({ drill, policy, metrics, objectives }: FindingsFacts): Finding[] => {
  const findings: Finding[] = [];
  const { marks } = drill;
  const rto = objectives.find((result) => result.name === 'rto');
  const activate = drill.phases.find((phase) => phase.name === 'activate');
  if (drill.refusals.length > 0) {
    findings.push({
      level: marks.switchedAt ? 'warning' : 'critical',
      title: marks.switchedAt ? 'The switch was held up' : 'The switch was refused',
      detail: drill.refusals.join(' | '),
      revision: refusalRevision(drill.refusals, policy),
    });
  }
  const switchObjective = objectives.find((result) => result.name === 'switch');
  if (switchObjective?.status === 'fail' && metrics.switchMs !== null) {
    findings.push({
      level: 'warning',
      title: 'Switch slower than the objective',
      detail:
        `Route 53 answered the backup everywhere (INSYNC) ${formatDuration(metrics.switchMs)} after ` +
        `${drill.step ? 'the switch was requested' : 'the incident opened'}; the objective is ` +
        `${formatDuration(switchObjective.limit)}.`,
      revision:
        drill.refusals.length > 0
          ? 'The controller refused first (see above): resolve what it waited for, or revise the objective.'
          : 'Look for throttled or retried Route 53 calls in the controller log, and for a PENDING change ' +
            'that outlasted failover.insyncTimeoutSeconds.',
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
  return findings;
};

/** Was data lost or duplicated, and did the restore finish? */
export const restoreFindings = ({ drill, policy, metrics }: FindingsFacts): Finding[] => {
  const findings: Finding[] = [];
  const { marks } = drill;
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
