// Drill scenarios: the four built-ins every deployment can rehearse, plus the ones declared in
// `config.drills.scenarios`. A scenario says which faults to inject, whether traffic is expected
// to move to the backup, and which objectives the drill is judged against.
import { BUILTIN_SCENARIOS } from '../config/sections.ts';
import type { HcguardConfig } from '../config/schema.ts';
import { STAGES, type Stage } from '../model/vocabulary.ts';
import { DERIVED_OBJECTIVES, type DerivedObjective, type DrillFault, type DrillObjectives } from './model.ts';

export type BuiltinScenarioName = (typeof BUILTIN_SCENARIOS)[number];

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly builtin: boolean;
  readonly faults: readonly DrillFault[];
  readonly expectFailover: boolean;
  readonly objectives: DrillObjectives;
}

interface BuiltinScenario {
  readonly description: string;
  readonly faults: readonly DrillFault[];
}

const BUILTINS: Readonly<Record<BuiltinScenarioName, BuiltinScenario>> = {
  'verification-outage': {
    description:
      'Verification on the primary answers 5xx: checkpoints cannot verify health ' +
      'codes. Expect a SEV1 incident, an alert, a switch to the backup, and failback ' +
      'after repair with no record lost.',
    faults: [{ site: 'primary', stage: 'verification', mode: 'error' }],
  },
  'transmission-tampering': {
    description:
      'Transmission receipts on the primary are altered in transit: records may be ' +
      'tampered with on the way to the back end. Expect an integrity incident and an ' +
      'alert; traffic stays unless a record follows transmission.',
    faults: [{ site: 'primary', stage: 'transmission', mode: 'tamper' }],
  },
  'collection-data-loss': {
    description:
      'Collection on the primary acknowledges declarations but silently drops them. ' +
      'Expect the collection probe to notice, and the read-back after restore to count ' +
      'the records lost (the measured RPO).',
    faults: [{ site: 'primary', stage: 'collection', mode: 'drop-writes' }],
  },
  'full-site-outage': {
    description:
      'The whole primary site resets every connection: collection, transmission and ' +
      'verification are down. Expect SEV1, a switch to the backup, and failback once ' +
      'the site is back.',
    faults: STAGES.map((stage) => ({ site: 'primary' as const, stage, mode: 'reset' as const })),
  },
};

export type ScenarioConfig = Pick<HcguardConfig, 'drills' | 'records' | 'schedule' | 'detection' | 'failover'>;

/** Traffic moves when a fault breaks, on the primary, a stage some managed record follows. */
export const breaksFollowedStage = (
  faults: readonly DrillFault[],
  records: readonly { readonly stage: Stage }[],
): boolean =>
  faults.some((fault) => fault.site === 'primary' && records.some((record) => record.stage === fault.stage));

export const scenarioNames = (config: ScenarioConfig): string[] => [
  ...BUILTIN_SCENARIOS,
  ...config.drills.scenarios.map((scenario) => scenario.name),
];

const isBuiltin = (name: string): name is BuiltinScenarioName =>
  (BUILTIN_SCENARIOS as readonly string[]).includes(name);

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

/** An alert reaches its subscribers within a minute when SNS and the channel work. */
const NOTIFY_SECONDS = 60;

/**
 * The objectives a drill is judged against: those configured (a custom scenario's over the
 * drills' own), and for detect, notify and switch where none is, what the settings promise:
 * detection within the failure threshold's rounds plus the round in which the fault began, an
 * alert within a minute, and the switch within the controller's INSYNC timeout.
 */
export const planObjectives = (
  config: Pick<ScenarioConfig, 'drills' | 'schedule' | 'detection' | 'failover'>,
  scenario: Partial<DrillObjectives> = {},
): DrillObjectives => {
  const set = { ...withoutUndefined(config.drills.objectives), ...withoutUndefined(scenario) };
  const promised: Record<DerivedObjective, number> = {
    detectSeconds: config.schedule.intervalSeconds * (config.detection.failureThreshold + 1),
    notifySeconds: NOTIFY_SECONDS,
    switchSeconds: config.failover.insyncTimeoutSeconds,
  };
  const derived = DERIVED_OBJECTIVES.filter((name) => set[name] === undefined);
  return {
    ...Object.fromEntries(derived.map((name) => [name, promised[name]])),
    ...set,
    ...(derived.length ? { derived } : {}),
  } as DrillObjectives;
};

/** The scenario by name, or undefined; custom scenarios may tighten or relax the objectives. */
export const findScenario = (config: ScenarioConfig, name: string): Scenario | undefined => {
  const objectives = planObjectives(config);
  if (isBuiltin(name)) {
    const builtin = BUILTINS[name];
    return {
      name,
      description: builtin.description,
      builtin: true,
      faults: builtin.faults,
      expectFailover: breaksFollowedStage(builtin.faults, config.records),
      objectives,
    };
  }
  const custom = config.drills.scenarios.find((scenario) => scenario.name === name);
  if (!custom) return undefined;
  return {
    name,
    description: custom.description,
    builtin: false,
    faults: custom.faults.map((fault) =>
      withoutUndefined({ site: fault.site, stage: fault.stage, mode: fault.mode, latencyMs: fault.latencyMs }),
    ),
    expectFailover: custom.expectFailover,
    objectives: planObjectives(config, custom.objectives),
  };
};

export const describeFault = (fault: DrillFault): string =>
  `${fault.mode}${fault.latencyMs !== undefined ? ` ${fault.latencyMs} ms` : ''} on ${fault.site} ${fault.stage}`;
