// Activate, restore, summary: traffic on the backup, the fault cleared, traffic back, the data
// read back, the verdict.
import { type DrillRecord, writtenSeqs } from './model.ts';
import {
  type PhaseHandler,
  dataCheckDue,
  elapsed,
  endPhase,
  ended,
  formatDuration,
  isFaulted,
  onBackupRecords,
  routingOf,
  targetOf,
  waiting,
  watchedRecords,
} from './state.ts';
import { SECOND_MS } from './timing.ts';
import { STAGES } from '../model/vocabulary.ts';
import { describeFault } from './scenarios.ts';
import { freshSince, preflight } from '../routing/checks.ts';
import { objectivesFailed } from './metrics.ts';
import { flapHold, holdClearCommand } from '../holds.ts';

// ---- activate

export const activatePhase: PhaseHandler = (drill, observation, policy) => {
  const { marks } = drill;
  if (drill.step) {
    if (marks.backupServingAt) return ended(drill, 'passed', activatedDetail(drill), observation.now);
    if (!marks.switchedAt && drill.restore.switchRequested !== true) {
      return waiting(drill, 'switching every record to the backup through the operator path', [
        {
          kind: 'switch',
          to: 'backup',
          force: false,
          reason: `drill ${drill.id}: process test of the switch procedure`,
        },
      ]);
    }
    return waiting(
      drill,
      marks.switchedAt
        ? 'switched; waiting for a verification probe on the backup to pass'
        : 'waiting for the switch to complete',
    );
  }
  if (!drill.expectFailover) {
    if (marks.switchedAt)
      return ended(
        drill,
        'failed',
        `traffic moved to the backup at ${marks.switchedAt} although the scenario expected it to stay`,
        observation.now,
      );
    return ended(
      drill,
      'skipped',
      `no managed record follows ` +
        `${[...new Set(drill.faults.map((fault) => fault.stage))].join(', ')}: traffic ` +
        `stays on the primary, as expected`,
      observation.now,
    );
  }
  if (marks.backupServingAt) return ended(drill, 'passed', activatedDetail(drill), observation.now);
  if (marks.switchedAt) return waiting(drill, 'switched; waiting for a verification probe on the backup to pass');
  const refusal = watchedRecords(drill, policy)
    .map((record) => routingOf(observation.routing, record)?.refusal?.message)
    .find((message) => message !== undefined);
  if (refusal) return waiting(drill, `the controller refuses to switch: ${refusal}`);
  if (policy.failover.mode === 'manual') {
    return waiting(
      drill,
      'failover.mode is manual: waiting for an operator to run `hcguard failover --to backup --reason …`',
    );
  }
  return waiting(
    drill,
    marks.switchRequestedAt
      ? `switch requested at ${marks.switchRequestedAt}; waiting for Route 53`
      : 'waiting for the controller to switch to the backup',
  );
};

const activatedDetail = (drill: DrillRecord): string => {
  const { marks } = drill;
  const parts = [`switched at ${marks.switchedAt}`];
  const from = marks.incidentOpenedAt ?? marks.switchRequestedAt;
  if (from && marks.insyncAt) {
    const after = marks.incidentOpenedAt ? 'detection' : 'the request';
    const ms = elapsed(from, marks.insyncAt) ?? 0;
    parts.push(ms >= 1 ? `INSYNC ${formatDuration(ms)} after ${after}` : `INSYNC in the same round as ${after}`);
  }
  if (marks.backupServingAt) parts.push(`backup verification passed at ${marks.backupServingAt}`);
  return parts.join('; ');
};

// ---- restore

export const restorePhase: PhaseHandler = (drill, observation, policy) => {
  const { marks, restore } = drill;
  const { now } = observation;
  const aborting = drill.abort !== undefined;
  if (!restore.faultsCleared) {
    if (drill.faults.length === 0 || drill.dryRun)
      return restorePhase({ ...drill, restore: { ...restore, faultsCleared: true } }, observation, policy);
    return waiting(drill, `clearing ${drill.faults.map(describeFault).join(', ')}`, [
      { kind: 'clear-faults', faults: drill.faults },
    ]);
  }
  if (drill.faults.length > 0 && !marks.primaryHealthyAt) {
    const pending = STAGES.filter((stage) => isFaulted(drill, 'primary', stage)).map((stage) => {
      const state = targetOf(observation.targets, 'primary', stage);
      // A flap hold is the usual reason a repaired primary stays failing for minutes: say so.
      const hold = state ? flapHold(state, policy.detection) : undefined;
      const held = hold
        ? ` (${hold.reason} until ${hold.until}; \`${holdClearCommand('primary', stage)}\` ends it)`
        : '';
      return `${stage} ${state?.health ?? 'unknown'}${held}`;
    });
    return waiting(
      drill,
      `fault cleared at ${marks.faultClearedAt}; waiting for the primary to recover (${pending.join(', ')})`,
    );
  }
  const away = onBackupRecords(observation.routing, policy);
  if (away.length > 0) {
    const retryMs = Math.max(5 * SECOND_MS, policy.schedule.intervalSeconds * SECOND_MS);
    const due = restore.lastFailbackAt === undefined || now.getTime() - Date.parse(restore.lastFailbackAt) >= retryMs;
    const pending = away.some((record) => routingOf(observation.routing, record)?.pending !== undefined);
    const last = restore.lastRefusal ? ` (last answer: ${restore.lastRefusal})` : '';
    if (pending)
      return waiting(drill, `a switch of ${away.join(', ')} is in progress; waiting for it to settle before restoring`);
    const forced = aborting || drill.step === 'switch';
    if (forced) {
      // Forcing overrides pre-flight as well: check the primary ourselves, so only dwell and stability are overridden.
      const problems = preflight(
        observation.targets,
        'primary',
        freshSince({ now, intervalSeconds: policy.schedule.intervalSeconds }),
      );
      if (problems.length > 0) {
        return waiting(
          drill,
          `traffic stays on the backup until the primary passes pre-flight: ` +
            `${problems.map((problem) => problem.detail).join('; ')}`,
        );
      }
      const reason = aborting
        ? `drill ${drill.id} aborted (${drill.abort?.code}): returning traffic to the primary`
        : `drill ${drill.id}: process test of the switch procedure, returning traffic`;
      return waiting(
        drill,
        `returning ${away.join(', ')} to the primary${last}`,
        due ? [{ kind: 'switch', to: 'primary', force: true, reason }] : [],
      );
    }
    if (policy.failover.failback === 'automatic' && drill.step === undefined) {
      return waiting(
        drill,
        `waiting for the controller's automatic failback of ${away.join(', ')} (after ` +
          `${policy.failover.failbackAfterHealthyMinutes} healthy min)`,
      );
    }
    return waiting(
      drill,
      `failing back ${away.join(', ')} through \`hcguard failback\`${last}`,
      due ? [{ kind: 'failback', reason: `drill ${drill.id}: repair done, failback approved by the drill` }] : [],
    );
  }
  if (dataCheckDue(drill)) {
    const check = drill.data.check;
    return waiting(
      drill,
      `traffic back on the primary; reading back ${writtenSeqs(drill).length} ` +
        `record(s) written during the ` +
        `drill${check ? ` (attempt ${check.attempts + 1}: ${check.lost.length} missing so far)` : ''}`,
    );
  }
  const restored = { ...drill, marks: { ...marks, restoredAt: marks.restoredAt ?? now.toISOString() } };
  const data = drill.data;
  const written = writtenSeqs(drill).length;
  const lost = data.check?.lost.length ?? 0;
  const dataText = data.unmeasured
    ? `data not measured: ${data.unmeasured}`
    : `${written} record(s) written, ${lost} lost, ${data.check?.duplicated.length ?? 0} duplicated`;
  const routingText = marks.failbackAt
    ? `traffic back on the primary at ${marks.failbackAt}`
    : 'traffic never left the primary';
  const outcome = !data.unmeasured && lost > drill.objectives.rpoRecords ? 'failed' : aborting ? 'aborted' : 'passed';
  const faultText = drill.faults.length ? 'fault cleared; ' : '';
  return ended(restored, outcome, `${aborting ? 'after abort: ' : ''}${faultText}${routingText}; ${dataText}`, now);
};

// ---- summary

export const summaryPhase: PhaseHandler = (drill, observation) => {
  const at = observation.now.toISOString();
  const failedPhase = drill.phases.some((phase) => phase.outcome === 'failed');
  const outcome =
    drill.outcome ?? (drill.abort ? 'aborted' : failedPhase || objectivesFailed(drill) ? 'failed' : 'passed');
  const detail = drill.abort
    ? `aborted in ${drill.abort.phase}: ${drill.abort.reason}`
    : outcome === 'refused'
      ? 'refused at pre-flight: nothing was injected or switched'
      : drill.dryRun
        ? `dry run ${outcome === 'passed' ? 'found no problem' : 'found problems'}: nothing was injected or switched`
        : `drill ${outcome}`;
  const finished = endPhase(
    { ...drill, status: 'finished', outcome, endedAt: at },
    outcome === 'passed' ? 'passed' : outcome === 'failed' ? 'failed' : outcome === 'aborted' ? 'aborted' : 'failed',
    detail,
    at,
  );
  return { drill: finished, actions: drill.dryRun ? [] : [{ kind: 'release' }] };
};
