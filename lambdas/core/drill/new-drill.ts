// A drill as it is first stored: its plan, objectives, faults and an open preflight phase.
import type { Actor, Severity } from '../model/vocabulary.ts';
import { type DrillPolicy, planFor } from './timing.ts';
import type { DrillRecord, DrillStepName, InjectionMode } from './model.ts';
import { planObjectives, type Scenario } from './scenarios.ts';

export interface NewDrillInput {
  readonly id: string;
  readonly actor: Actor;
  readonly now: Date;
  readonly policy: DrillPolicy;
  readonly dryRun: boolean;
  /** A scenario drill, or a process test of one step. */
  readonly scenario?: Scenario;
  readonly step?: DrillStepName;
  /** A notify step's topics, when not all of them. */
  readonly severities?: readonly Severity[];
  /** Why records cannot be written and read back on this platform; measured when absent. */
  readonly dataUnmeasured?: string;
}

export const newDrill = (input: NewDrillInput): DrillRecord => {
  const { policy, scenario, step, now } = input;
  if (!scenario && !step) throw new Error('a drill needs a scenario or a step');
  const at = now.toISOString();
  const stepDescriptions: Record<DrillStepName, string> = {
    notify:
      'Process test of the notify procedure: a drill-tagged test alert on every ' +
      'severity topic, each confirmed delivered through the audit subscription.',
    switch:
      'Process test of the switch procedure: traffic moves to the backup through the ' +
      'operator path (same safety checks), the backup is confirmed serving, and ' +
      'traffic returns.',
    restore:
      'Process test of the repair and restore procedure: traffic on the backup, ' +
      'records written meanwhile, failback through the normal path, and every record ' +
      'read back on the primary.',
  };
  const writesData = step ? step === 'restore' : true;
  return {
    id: input.id,
    scenario: scenario ? scenario.name : `step:${step}`,
    ...(step ? { step } : {}),
    description: scenario ? scenario.description : stepDescriptions[step as DrillStepName],
    dryRun: input.dryRun,
    injection: policy.drills.injection as InjectionMode,
    faults: scenario ? scenario.faults : [],
    expectFailover: scenario ? scenario.expectFailover : step !== 'notify',
    objectives: scenario?.objectives ?? planObjectives(policy),
    awaitAck: scenario ? policy.drills.awaitAck : false,
    timeLimitMinutes: policy.drills.timeLimitMinutes,
    startedBy: input.actor,
    startedAt: at,
    status: 'running',
    plan: planFor(step),
    phases: [
      {
        name: 'preflight',
        index: 0,
        startedAt: at,
        outcome: 'running',
        detail: 'checking that the drill can start safely',
        checks: [],
      },
    ],
    marks: {},
    data: {
      attempts: 0,
      refused: [],
      onBackup: [],
      ...(!writesData
        ? { unmeasured: 'this procedure writes no records' }
        : input.dataUnmeasured
          ? { unmeasured: input.dataUnmeasured }
          : {}),
    },
    alerts: [],
    restore: { faultsCleared: false, failbackRequests: 0 },
    ...(step === 'notify'
      ? {
          testAlerts: {
            published: {},
            delivered: {},
            errors: {},
            ...(input.severities?.length ? { severities: input.severities } : {}),
          },
        }
      : {}),
    refusals: [],
    // The version it is first stored at; every save adds one.
    version: 1,
  };
};
