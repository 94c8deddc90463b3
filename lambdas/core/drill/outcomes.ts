// The drill's own writes for the RPO measurement, and how each action's outcome folds back in.
import { type ActionResult, type DrillAction, type DrillRecord, recordIdFor } from './model.ts';
import type { DrillObservation } from './observation.ts';
import { type DrillPolicy, MAX_DRILL_WRITES, writeEveryMs } from './timing.ts';
import type { Site } from '../model/vocabulary.ts';
import { abortInto } from './stops.ts';
import { foldWaits } from './waits.ts';
import { currentPhase, phaseReached, restoreRoutingDone, updatePhase } from './state.ts';
import { describeFault } from './scenarios.ts';
import { servesTraffic } from '../severity.ts';

// ---------------------------------------------------------------- writes for the RPO measurement

export const dataWrite = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): DrillAction | undefined => {
  if (
    drill.status !== 'running' ||
    drill.dryRun ||
    drill.data.unmeasured !== undefined ||
    drill.data.attempts >= MAX_DRILL_WRITES
  )
    return undefined;
  const phase = currentPhase(drill).name;
  // From the moment the fault goes in (or traffic moves, in a process test) until the read-back.
  const window =
    drill.step === 'restore'
      ? drill.marks.switchedAt !== undefined
      : phaseReached(drill, 'inject') && drill.marks.faultInjectedAt !== undefined;
  if (!window || phase === 'summary' || restoreRoutingDone(drill)) return undefined;
  if (drill.data.lastWriteAt && observation.now.getTime() - Date.parse(drill.data.lastWriteAt) < writeEveryMs(policy))
    return undefined;
  const site: Site = servesTraffic(
    'backup',
    'collection',
    policy.records,
    observation.routing.map((state) => ({ record: state.record, activeSite: state.activeSite })),
  )
    ? 'backup'
    : 'primary';
  const seq = drill.data.attempts + 1;
  return { kind: 'write-record', site, seq, recordId: recordIdFor(drill.id, seq) };
};

// ---------------------------------------------------------------- action outcomes

/** Folds the outcome of one action into the drill. */
export const applyActionResult = (drill: DrillRecord, action: DrillAction, result: ActionResult): DrillRecord => {
  const now = new Date(result.at);
  switch (action.kind) {
    case 'inject':
      if (result.ok)
        return { ...drill, marks: { ...drill.marks, faultInjectedAt: drill.marks.faultInjectedAt ?? result.at } };
      return abortInto(
        drill,
        'inject-failed',
        `injecting ${action.faults.map(describeFault).join(', ')} failed: ${result.error}`,
        now,
      );
    case 'clear-faults':
      if (result.ok)
        return {
          ...drill,
          restore: { ...drill.restore, faultsCleared: true },
          marks: { ...drill.marks, faultClearedAt: drill.marks.faultClearedAt ?? result.at },
        };
      return updatePhase(drill, { detail: `clearing the fault failed, retrying: ${result.error}` });
    case 'write-record': {
      const data = {
        ...drill.data,
        attempts: Math.max(drill.data.attempts, action.seq),
        lastWriteAt: result.at,
        refused: result.ok ? drill.data.refused : [...drill.data.refused, action.seq],
        onBackup: result.ok && action.site === 'backup' ? [...drill.data.onBackup, action.seq] : drill.data.onBackup,
        ...(result.ok && result.platformId
          ? { platformIds: { ...drill.data.platformIds, [String(action.seq)]: result.platformId } }
          : {}),
      };
      return { ...drill, data };
    }
    case 'switch':
    case 'failback': {
      const restore = {
        ...drill.restore,
        ...(action.kind === 'switch' && action.to === 'backup'
          ? { switchRequested: true }
          : { failbackRequests: drill.restore.failbackRequests + 1, lastFailbackAt: result.at }),
      };
      const failback =
        action.kind === 'failback' ? failbackWaits(drill, result.ok ? undefined : result.error, result.at) : {};
      if (result.ok) {
        const { lastRefusal: _cleared, ...rest } = restore;
        // A process test's own switch: timed from when the drill asked for it.
        const requested =
          action.kind === 'switch' && action.to === 'backup' && !drill.marks.switchRequestedAt
            ? { switchRequestedAt: result.startedAt ?? result.at }
            : {};
        return { ...drill, ...failback, restore: rest, marks: { ...drill.marks, ...requested } };
      }
      if (action.kind === 'switch' && action.to === 'backup') {
        return abortInto(
          { ...drill, restore },
          'inject-failed',
          `the switch to the backup was refused: ${result.error}`,
          now,
        );
      }
      return { ...drill, ...failback, restore: { ...restore, lastRefusal: oneLine(result.error) } };
    }
    case 'publish-test-alert': {
      const progress = drill.testAlerts ?? { published: {}, delivered: {}, errors: {} };
      return {
        ...drill,
        testAlerts: result.ok
          ? {
              ...progress,
              published: { ...progress.published, [action.severity]: result.startedAt ?? result.at },
              ...(result.detail ? { unlogged: { ...progress.unlogged, [action.severity]: result.detail } } : {}),
            }
          : { ...progress, errors: { ...progress.errors, [action.severity]: result.error } },
      };
    }
    case 'release':
      return drill;
  }
};

/** One line: the operator command pads its answers to line up in a terminal. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A refused failback is a wait of the drill's restore; one that went through ends it. */
const failbackWaits = (drill: DrillRecord, refusal: string | undefined, at: string): Pick<DrillRecord, 'waits'> => {
  const sightings = refusal
    ? [
        {
          kind: 'failback-refused' as const,
          subject: 'failback to the primary',
          reason: oneLine(refusal.replace(/^refused\s+/, '')),
        },
      ]
    : [];
  const waits = foldWaits(drill.waits ?? [], sightings, ['failback-refused'], at);
  return waits.length ? { waits } : {};
};
