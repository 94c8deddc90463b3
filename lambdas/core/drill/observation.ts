// What the runner reads of the world each tick, and what the drill needs it to read.
import {
  type DeliveredAlert,
  type DrillCheck,
  type DrillPhaseName,
  type DrillRecord,
  recordIdFor,
  writtenSeqs,
} from './model.ts';
import type { HcguardConfig } from '../config/schema.ts';
import type { Incident } from '../model/incidents.ts';
import type { ProbeResult, TargetState } from '../model/probing.ts';
import type { RoutingLock, RoutingState } from '../model/routing.ts';
import type { Stage } from '../model/vocabulary.ts';
import { currentPhase, dataCheckDue, phaseReached, watchedStages } from './state.ts';
import { dataRecheckMs } from './timing.ts';

// ---------------------------------------------------------------- observation

/** What the runner read this tick. */
export interface DrillObservation {
  readonly now: Date;
  readonly targets: readonly TargetState[];
  /** Incidents not yet resolved. */
  readonly incidents: readonly Incident[];
  /** The drill's own incident read by id (it may be resolved or acknowledged by now). */
  readonly drillIncident?: Incident;
  readonly routing: readonly RoutingState[];
  readonly lock?: RoutingLock;
  /** The drill id in the running-drill item, when one is set. */
  readonly activeDrillId?: string;
  /** Alerts read back from the audit subscription this tick (any drill's, or none). */
  readonly alerts: readonly DeliveredAlert[];
  /**
   * Results on the backup since the switch, for the stages the watched records follow (when
   * `needs.backupResultsSince`): the first good one is when citizens were served again, however
   * late the drill looked.
   */
  readonly backupResults?: readonly ProbeResult[];
  /** How many times each written record id exists on the primary (when `needs.recordCounts`). */
  readonly recordCounts?: Readonly<Record<string, number>>;
  readonly recordCountError?: string;
  /** The runner's checks of the environment and permissions, by phase (preflight; every phase in a dry run). */
  readonly environment?: Readonly<Partial<Record<DrillPhaseName, readonly DrillCheck[]>>>;
}

export interface ObservationNeeds {
  /** Read the audit queue. */
  readonly alerts: boolean;
  /** Read the drill's incident by id. */
  readonly incidentId?: string;
  /** Read the backup's results of these stages since this instant. */
  readonly backupResultsSince?: { readonly stages: readonly Stage[]; readonly since: string };
  /** Count these record ids on the primary. */
  readonly recordCounts?: readonly string[];
  /** Run the environment checks of these phases. */
  readonly environment: readonly DrillPhaseName[];
}

export const observationNeeds = (
  drill: DrillRecord,
  now: Date,
  policy: Pick<HcguardConfig, 'schedule' | 'records'>,
): ObservationNeeds => {
  const current = currentPhase(drill);
  const running = drill.status === 'running';
  const environment: DrillPhaseName[] =
    !running || current.name !== 'preflight' ? [] : drill.dryRun ? [...drill.plan] : ['preflight'];
  const lastCheck = drill.data.check?.at;
  const recheckDue = lastCheck === undefined || now.getTime() - Date.parse(lastCheck) >= dataRecheckMs(policy);
  const needsCounts = running && current.name === 'restore' && dataCheckDue(drill) && recheckDue;
  const { marks } = drill;
  const servingUnknown =
    running && marks.switchedAt !== undefined && marks.backupServingAt === undefined && marks.failbackAt === undefined;
  return {
    ...(servingUnknown
      ? {
          backupResultsSince: {
            stages: watchedStages(drill, policy),
            since: marks.insyncAt ?? (marks.switchedAt as string),
          },
        }
      : {}),
    alerts:
      running &&
      !drill.dryRun &&
      (drill.step === 'notify' || (drill.step === undefined && phaseReached(drill, 'inject'))),
    ...(running && drill.marks.incidentId ? { incidentId: drill.marks.incidentId } : {}),
    ...(needsCounts ? { recordCounts: writtenSeqs(drill).map((seq) => recordIdFor(drill.id, seq)) } : {}),
    environment,
  };
};
