// The drill's phase machine. Pure: the stored drill and one observation of the world in, the
// next drill and the actions to carry out out. The runner (lambdas/app/drill.ts) observes,
// calls `advanceDrill`, carries out the actions, reports each outcome with `applyActionResult`
// and stores the drill — so a drill can stop at any instant and be resumed by another process.
//
// Rules (issue 6, ../shared/design/EMERGENCY-PLAN.md):
// - preflight → inject → identify → notify → decide → activate → restore → summary. A phase
//   ends when what it waits for has been observed; several may end in one tick.
// - The drill does not switch traffic itself in a scenario: the normal pipeline detects the
//   fault, opens the incident, alerts and fails over. The drill measures it, then clears the
//   fault and fails back through the operator path (`failback`, approved by the drill).
// - Stop conditions, checked on every tick once the fault may be in place: an operator's abort,
//   the time limit, an incident the drill does not explain (a real one), or the backup
//   degrading. The drill then jumps to restore in abort mode: clear the faults, and as soon as
//   the primary passes pre-flight, switch back with `--force` (only dwell and stability are
//   overridden: the drill caused the switch) — traffic never stays on the backup unrecorded.
import type { HcguardConfig } from '../config.ts';
import { freshSince, preflight } from '../routing/checks.ts';
import { SEVERITIES, STAGES, type Actor, type Site, type Stage } from '../model/vocabulary.ts';
import type { Incident } from '../model/incidents.ts';
import type { ProbeResult, TargetState } from '../model/probing.ts';
import type { RoutingLock, RoutingState } from '../model/routing.ts';
import { normalizeRecordName, servesTraffic } from '../severity.ts';
import { objectivesFailed } from './metrics.ts';
import {
  recordIdFor,
  writtenSeqs,
  type ActionResult,
  type DeliveredAlert,
  type DrillAction,
  type DrillCheck,
  type DrillFault,
  type DrillPhaseName,
  type DrillRecord,
  type DrillStepName,
  type InjectionMode,
  type PhaseOutcome,
  type PhaseRecord,
  type StopCode,
} from './model.ts';
import { describeFault, type Scenario } from './scenarios.ts';

export type DrillPolicy = Pick<HcguardConfig, 'records' | 'schedule' | 'detection' | 'failover' | 'drills'>;

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
/** Drill alerts kept on the drill item (the report shows them; the item stays small). */
const MAX_ALERTS = 40;
const MAX_REFUSALS = 10;
/** Records written per drill at most: enough to measure loss, small enough for the drill item. */
export const MAX_DRILL_WRITES = 400;
/** Read-backs of the written records before counting what is missing as lost. */
const DATA_CHECK_ATTEMPTS = 3;

/** How long the notify phase waits for a drill alert to reach the audit queue. */
export const notifyWaitMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(MINUTE_MS, 3 * policy.schedule.intervalSeconds * SECOND_MS);

/** How often the runner observes: a few times per probe round, between 0.5 s and 5 s. */
export const drillPollMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.min(5 * SECOND_MS, Math.max(500, (policy.schedule.intervalSeconds * SECOND_MS) / 5));

/** Writes for the RPO measurement: at most one per this long. */
export const writeEveryMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(SECOND_MS, (policy.schedule.intervalSeconds * SECOND_MS) / 2);

export const planFor = (step?: DrillStepName): readonly DrillPhaseName[] => {
  switch (step) {
    case 'notify':
      return ['preflight', 'notify', 'summary'];
    case 'switch':
    case 'restore':
      return ['preflight', 'activate', 'restore', 'summary'];
    case undefined:
      return ['preflight', 'inject', 'identify', 'notify', 'decide', 'activate', 'restore', 'summary'];
  }
};

export interface NewDrillInput {
  readonly id: string;
  readonly actor: Actor;
  readonly now: Date;
  readonly policy: DrillPolicy;
  readonly dryRun: boolean;
  /** A scenario drill, or a process test of one step. */
  readonly scenario?: Scenario;
  readonly step?: DrillStepName;
  /** Why records cannot be written and read back on this platform; measured when absent. */
  readonly dataUnmeasured?: string;
}

export const newDrill = (input: NewDrillInput): DrillRecord => {
  const { policy, scenario, step, now } = input;
  if (!scenario && !step) throw new Error('a drill needs a scenario or a step');
  const at = now.toISOString();
  const stepDescriptions: Record<DrillStepName, string> = {
    notify:
      'Process test of the notify procedure: a drill-tagged test alert on every severity topic, each confirmed delivered through the audit subscription.',
    switch:
      'Process test of the switch procedure: traffic moves to the backup through the operator path (same safety checks), the backup is confirmed serving, and traffic returns.',
    restore:
      'Process test of the repair and restore procedure: traffic on the backup, records written meanwhile, failback through the normal path, and every record read back on the primary.',
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
    objectives: scenario?.objectives ?? { ...policy.drills.objectives },
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
    ...(step === 'notify' ? { testAlerts: { published: {}, delivered: {}, errors: {} } } : {}),
    refusals: [],
    // The version it is first stored at; every save adds one.
    version: 1,
  };
};

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

/** Between read-backs that still miss records: replication may need a round or two. */
export const dataRecheckMs = (policy: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(2 * SECOND_MS, policy.schedule.intervalSeconds * SECOND_MS);

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

// ---------------------------------------------------------------- helpers

export const currentPhase = (drill: DrillRecord): PhaseRecord => {
  const phase = drill.phases[drill.phases.length - 1];
  if (!phase) throw new Error(`drill ${drill.id} has no phase`);
  return phase;
};

const phaseReached = (drill: DrillRecord, name: DrillPhaseName): boolean =>
  drill.phases.some((phase) => phase.name === name);

const isFaulted = (drill: DrillRecord, site: Site, stage: Stage): boolean =>
  drill.faults.some((fault) => fault.site === site && fault.stage === stage);

const elapsed = (from: string | undefined, to: string | Date): number | undefined =>
  from === undefined ? undefined : (typeof to === 'string' ? Date.parse(to) : to.getTime()) - Date.parse(from);

export const formatDuration = (ms: number): string => {
  if (ms < SECOND_MS) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < MINUTE_MS) return `${(ms / SECOND_MS).toFixed(ms < 10 * SECOND_MS ? 1 : 0)} s`;
  const minutes = Math.floor(ms / MINUTE_MS);
  const seconds = Math.round((ms % MINUTE_MS) / SECOND_MS);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
};

const targetOf = (targets: readonly TargetState[], site: Site, stage: Stage): TargetState | undefined =>
  targets.find((target) => target.site === site && target.stage === stage);

/** The records a drill watches: those following a faulted primary stage, or every record in a step. */
export const watchedRecords = (drill: DrillRecord, policy: Pick<HcguardConfig, 'records'>): string[] => {
  const names = policy.records
    .filter((record) => drill.step !== undefined || isFaulted(drill, 'primary', record.stage))
    .map((record) => normalizeRecordName(record.name));
  return drill.step !== undefined || names.length > 0 ? names : [];
};

const routingOf = (routing: readonly RoutingState[], record: string): RoutingState | undefined =>
  routing.find((state) => state.record === record);

/** Where a record points; one never switched has no state yet and points at the primary. */
const activeSiteOf = (routing: readonly RoutingState[], record: string): Site =>
  routingOf(routing, record)?.activeSite ?? 'primary';

const allRecordNames = (policy: DrillPolicy): string[] =>
  policy.records.map((record) => normalizeRecordName(record.name));

const onBackupRecords = (routing: readonly RoutingState[], policy: DrillPolicy): string[] =>
  allRecordNames(policy).filter(
    (record) => activeSiteOf(routing, record) === 'backup' || routingOf(routing, record)?.pending !== undefined,
  );

const dataCheckDue = (drill: DrillRecord): boolean =>
  drill.data.unmeasured === undefined &&
  drill.data.attempts > 0 &&
  drill.marks.restoredAt === undefined &&
  restoreRoutingDone(drill) &&
  (drill.data.check === undefined ||
    (drill.data.check.lost.length > 0 && drill.data.check.attempts < DATA_CHECK_ATTEMPTS));

/** Routing is back where it belongs and the faults are gone: the data can be read back. */
const restoreRoutingDone = (drill: DrillRecord): boolean =>
  drill.restore.faultsCleared &&
  (drill.marks.switchedAt === undefined || drill.marks.failbackAt !== undefined) &&
  (drill.faults.length === 0 || drill.marks.primaryHealthyAt !== undefined);

// ---------------------------------------------------------------- phase bookkeeping

const updatePhase = (
  drill: DrillRecord,
  change: Partial<Pick<PhaseRecord, 'detail' | 'checks' | 'outcome' | 'endedAt'>>,
): DrillRecord => {
  const phases = [...drill.phases];
  const last = phases.length - 1;
  const phase = phases[last];
  if (!phase) return drill;
  phases[last] = { ...phase, ...change };
  return { ...drill, phases };
};

const endPhase = (
  drill: DrillRecord,
  outcome: Exclude<PhaseOutcome, 'running'>,
  detail: string,
  at: string,
): DrillRecord => {
  const phase = currentPhase(drill);
  if (phase.outcome !== 'running') return drill;
  return updatePhase(drill, { outcome, detail, endedAt: at });
};

const startPhase = (drill: DrillRecord, name: DrillPhaseName, at: string, detail: string): DrillRecord => ({
  ...drill,
  phases: [
    ...drill.phases,
    { name, index: drill.phases.length, startedAt: at, outcome: 'running', detail, checks: [] },
  ],
});

/** The phase after the current one in the drill's plan. */
const nextPhaseName = (drill: DrillRecord): DrillPhaseName => {
  const position = drill.plan.indexOf(currentPhase(drill).name);
  return drill.plan[position + 1] ?? 'summary';
};

const PHASE_WAITING: Readonly<Record<DrillPhaseName, string>> = {
  preflight: 'checking that the drill can start safely',
  inject: 'injecting the fault',
  identify: 'waiting for the pipeline to open an incident',
  notify: 'waiting for the drill alert to reach the audit queue',
  decide: 'waiting for an operator to acknowledge',
  activate: 'waiting for traffic to move to the backup',
  restore: 'clearing the fault and restoring routing',
  summary: 'summarising',
};

// ---------------------------------------------------------------- advancing

export interface DrillStep {
  readonly drill: DrillRecord;
  readonly actions: readonly DrillAction[];
}

/** One tick: absorb what was observed, apply stop conditions, move through the phases. */
export const advanceDrill = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillStep => {
  if (drill.status === 'finished') return { drill, actions: [] };
  const at = observation.now.toISOString();
  let next = absorb(drill, observation, policy);
  next = applyStopConditions(next, observation, policy);
  const actions: DrillAction[] = [];
  // Each phase either waits (returns actions) or ends; ending starts the next one at once.
  for (let guard = 0; guard <= 2 * next.plan.length && next.status === 'running'; guard++) {
    const handled = currentPhase(next);
    const result = PHASE_HANDLERS[handled.name](next, observation, policy);
    next = result.drill;
    actions.push(...result.actions);
    if (next.status === 'finished') break;
    const current = currentPhase(next);
    if (current.outcome === 'running') {
      // The handler moved on by itself (a refusal jumps to the summary): let the new phase act now.
      if (current.index !== handled.index) continue;
      break;
    }
    const following = nextPhaseName(next);
    next = startPhase(next, following, at, PHASE_WAITING[following]);
  }
  const write = dataWrite(next, observation, policy);
  if (write) actions.push(write);
  return { drill: next, actions };
};

type PhaseHandler = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy) => DrillStep;

const waiting = (drill: DrillRecord, detail: string, actions: readonly DrillAction[] = []): DrillStep => ({
  drill: updatePhase(drill, { detail }),
  actions,
});

const ended = (drill: DrillRecord, outcome: Exclude<PhaseOutcome, 'running'>, detail: string, at: Date): DrillStep => ({
  drill: endPhase(drill, outcome, detail, at.toISOString()),
  actions: [],
});

// ---- preflight

const check = (name: string, ok: boolean, detail: string, required = true): DrillCheck => ({
  name,
  ok,
  detail,
  required,
});

/** The state checks every drill needs before it may break anything. */
export const preflightChecks = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): DrillCheck[] => {
  const { now, targets, incidents, routing, lock } = observation;
  const checks: DrillCheck[] = [];
  const other =
    observation.activeDrillId !== undefined && observation.activeDrillId !== drill.id
      ? observation.activeDrillId
      : undefined;
  checks.push(
    check(
      'no other drill running',
      other === undefined,
      other
        ? `drill ${other} is running: finish it with \`hcguard drill --resume ${other}\` or \`--abort ${other}\``
        : 'no other drill holds the running-drill item',
    ),
  );
  if (drill.step === 'notify') return checks;
  const open = incidents.filter((incident) => incident.status !== 'resolved');
  checks.push(
    check(
      'no real incident open',
      open.length === 0,
      open.length === 0
        ? 'no incident is open'
        : `open: ${open.map((incident) => `${incident.id} ${incident.severity} ${incident.title}`).join('; ')} — a drill would mix with a real problem`,
    ),
  );
  checks.push(
    check(
      'no routing lock',
      lock === undefined,
      lock ? `routing locked by ${lock.actor} since ${lock.at}: ${lock.reason}` : 'routing is not locked',
    ),
  );
  const away = allRecordNames(policy).filter(
    (record) => activeSiteOf(routing, record) !== 'primary' || routingOf(routing, record)?.pending,
  );
  checks.push(
    check(
      'traffic on the primary',
      away.length === 0,
      away.length === 0
        ? 'every managed record points at the primary'
        : `not on the primary (or switching): ${away.join(', ')}`,
    ),
  );
  const fresh = freshSince({ now, intervalSeconds: policy.schedule.intervalSeconds });
  const backup = preflight(targets, 'backup', fresh);
  checks.push(
    check(
      'backup ready on all three stages',
      backup.length === 0,
      backup.length === 0
        ? 'collection, transmission and verification are healthy on the backup with fresh results'
        : `${backup.map((refusal) => refusal.detail).join('; ')} — is the prober running?`,
    ),
  );
  const primaryProblems = STAGES.flatMap((stage) => {
    const state = targetOf(targets, 'primary', stage);
    return state?.health === 'healthy' ? [] : [`${stage} ${state?.health ?? 'unknown'}`];
  });
  checks.push(
    check(
      'primary healthy',
      primaryProblems.length === 0,
      primaryProblems.length === 0
        ? 'every stage of the primary is healthy'
        : `primary: ${primaryProblems.join(', ')} — the drill could not tell its fault from a real one`,
    ),
  );
  const dwell = allRecordNames(policy).flatMap((record) => {
    const last = routingOf(routing, record)?.lastSwitchedAt;
    if (!last || policy.failover.dwellMinutes === 0) return [];
    const allowedAt = Date.parse(last) + policy.failover.dwellMinutes * MINUTE_MS;
    return allowedAt > now.getTime()
      ? [`${record} switched at ${last}; next switch allowed after ${new Date(allowedAt).toISOString()}`]
      : [];
  });
  if (drill.expectFailover) {
    checks.push(
      check(
        'no dwell hold',
        dwell.length === 0,
        dwell.length === 0 ? 'no record switched within failover.dwellMinutes' : dwell.join('; '),
      ),
    );
  }
  return checks;
};

const preflightPhase: PhaseHandler = (drill, observation, policy) => {
  const environment = observation.environment ?? {};
  const checks = [...preflightChecks(drill, observation, policy), ...(environment.preflight ?? [])];
  const failed = checks.filter((entry) => entry.required && !entry.ok);
  let next = updatePhase(drill, { checks });
  if (drill.dryRun) {
    // A dry run walks every phase's checks now and ends: nothing is injected or switched.
    next = endPhase(
      next,
      failed.length ? 'failed' : 'passed',
      `dry run: ${summarizeChecks(checks)}`,
      observation.now.toISOString(),
    );
    for (const name of drill.plan.slice(1, -1)) {
      const phaseChecks = environment[name] ?? [];
      const phaseFailed = phaseChecks.some((entry) => entry.required && !entry.ok);
      next = startPhase(next, name, observation.now.toISOString(), '');
      next = updatePhase(next, { checks: phaseChecks });
      next = endPhase(
        next,
        phaseFailed ? 'failed' : 'passed',
        `dry run: ${phaseChecks.length ? summarizeChecks(phaseChecks) : 'nothing to check'}`,
        observation.now.toISOString(),
      );
    }
    return { drill: next, actions: [] };
  }
  if (failed.length > 0) {
    next = endPhase(
      next,
      'failed',
      `refused: ${failed.map((entry) => `${entry.name}: ${entry.detail}`).join('; ')}`,
      observation.now.toISOString(),
    );
    // Nothing was broken: straight to the summary.
    next = startPhase(next, 'summary', observation.now.toISOString(), PHASE_WAITING.summary);
    return { drill: { ...next, outcome: 'refused' }, actions: [] };
  }
  return ended(next, 'passed', summarizeChecks(checks), observation.now);
};

const summarizeChecks = (checks: readonly DrillCheck[]): string => {
  const failed = checks.filter((entry) => !entry.ok && entry.required);
  const warned = checks.filter((entry) => !entry.ok && !entry.required);
  if (failed.length === 0 && warned.length === 0) return `${checks.length} check(s) passed`;
  return [
    `${checks.length - failed.length - warned.length} of ${checks.length} check(s) passed`,
    ...(failed.length ? [`failed: ${failed.map((entry) => entry.name).join(', ')}`] : []),
    ...(warned.length ? [`warning: ${warned.map((entry) => entry.name).join(', ')}`] : []),
  ].join('; ');
};

// ---- inject

const injectPhase: PhaseHandler = (drill, observation) => {
  if (drill.marks.faultInjectedAt) {
    const how =
      drill.injection === 'simulated'
        ? 'simulated (results fed into evaluation; the platform is untouched)'
        : 'injected';
    return ended(
      drill,
      'passed',
      `${how}: ${drill.faults.map(describeFault).join(', ')} at ${drill.marks.faultInjectedAt}`,
      observation.now,
    );
  }
  return waiting(drill, `injecting ${drill.faults.map(describeFault).join(', ')}`, [
    { kind: 'inject', faults: drill.faults },
  ]);
};

// ---- identify

const identifyPhase: PhaseHandler = (drill, observation, policy) => {
  const { marks } = drill;
  if (marks.incidentOpenedAt && marks.incidentId) {
    const detectMs = elapsed(marks.faultInjectedAt, marks.incidentOpenedAt) ?? 0;
    const { failureThreshold } = policy.detection;
    return ended(
      drill,
      'passed',
      `incident ${marks.incidentId} (${marks.incidentSeverity ?? 'severity unknown'}) opened ${formatDuration(detectMs)} after the fault (threshold ${failureThreshold} rounds at ${policy.schedule.intervalSeconds} s)`,
      observation.now,
    );
  }
  const since = elapsed(marks.faultInjectedAt, observation.now) ?? 0;
  return waiting(
    drill,
    `waiting for the pipeline to open an incident (${formatDuration(since)} so far; expected after ${policy.detection.failureThreshold} failed rounds at ${policy.schedule.intervalSeconds} s)`,
  );
};

// ---- notify

const notifyPhase: PhaseHandler = (drill, observation, policy) => {
  if (drill.step === 'notify') return notifyStep(drill, observation, policy);
  const { marks } = drill;
  if (marks.alertDeliveredAt) {
    const alert = drill.alerts.find(
      (entry) => entry.deliveredAt === marks.alertDeliveredAt && entry.incidentId === marks.incidentId,
    );
    return ended(
      drill,
      'passed',
      `alert ${alert?.alertId ?? ''} (${alert?.severity ?? marks.incidentSeverity ?? ''}, drill-tagged) delivered ${formatDuration(elapsed(marks.incidentOpenedAt, marks.alertDeliveredAt) ?? 0)} after the incident opened`.replace(
        / {2,}/g,
        ' ',
      ),
      observation.now,
    );
  }
  const waited = elapsed(currentPhase(drill).startedAt, observation.now) ?? 0;
  if (waited >= notifyWaitMs(policy)) {
    return ended(
      drill,
      'failed',
      `no drill alert about incident ${marks.incidentId ?? '(none)'} reached the audit queue within ${formatDuration(notifyWaitMs(policy))}: the alert was not published or not delivered`,
      observation.now,
    );
  }
  return waiting(
    drill,
    `waiting for the alert about incident ${marks.incidentId ?? '(none)'} to reach the audit queue (${formatDuration(waited)} so far)`,
  );
};

/** The test alerts of `--step notify` go to every severity topic. */
const notifyStep = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillStep => {
  const progress = drill.testAlerts ?? { published: {}, delivered: {}, errors: {} };
  const unpublished = SEVERITIES.filter(
    (severity) => progress.published[severity] === undefined && progress.errors[severity] === undefined,
  );
  if (unpublished.length > 0) {
    return waiting(
      drill,
      `publishing a test alert on ${unpublished.join(', ')}`,
      unpublished.map((severity) => ({
        kind: 'publish-test-alert',
        severity,
        alertId: testAlertId(drill.id, severity),
      })),
    );
  }
  const missing = SEVERITIES.filter((severity) => progress.delivered[severity] === undefined);
  const waited = elapsed(currentPhase(drill).startedAt, observation.now) ?? 0;
  const latencies = SEVERITIES.flatMap((severity) => {
    const ms = elapsed(progress.published[severity], progress.delivered[severity] ?? observation.now);
    return progress.delivered[severity] && ms !== undefined ? [`${severity} ${formatDuration(ms)}`] : [];
  });
  if (missing.length === 0)
    return ended(drill, 'passed', `test alert delivered on every topic: ${latencies.join(', ')}`, observation.now);
  if (waited >= notifyWaitMs(policy)) {
    const why = missing.map((severity) =>
      progress.errors[severity]
        ? `${severity} (publish failed: ${progress.errors[severity]})`
        : `${severity} (not delivered)`,
    );
    return ended(
      drill,
      'failed',
      `not confirmed: ${why.join(', ')}${latencies.length ? `; delivered: ${latencies.join(', ')}` : ''}`,
      observation.now,
    );
  }
  return waiting(drill, `waiting for test alerts on ${missing.join(', ')} (${formatDuration(waited)} so far)`);
};

// ---- decide

const decidePhase: PhaseHandler = (drill, observation) => {
  if (!drill.awaitAck)
    return ended(drill, 'skipped', 'drills.awaitAck is off: no decision test in this drill', observation.now);
  const { marks } = drill;
  if (marks.acknowledgedAt) {
    const from = marks.alertDeliveredAt ?? marks.incidentOpenedAt;
    return ended(
      drill,
      'passed',
      `acknowledged by ${marks.acknowledgedBy ?? 'an operator'} ${formatDuration(elapsed(from, marks.acknowledgedAt) ?? 0)} after the alert`,
      observation.now,
    );
  }
  return waiting(drill, `waiting for an operator: hcguard ack ${marks.incidentId ?? '<incident>'}`);
};

// ---- activate

const activatePhase: PhaseHandler = (drill, observation, policy) => {
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
      `no managed record follows ${[...new Set(drill.faults.map((fault) => fault.stage))].join(', ')}: traffic stays on the primary, as expected`,
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
  if (from && marks.insyncAt)
    parts.push(
      `INSYNC ${formatDuration(elapsed(from, marks.insyncAt) ?? 0)} after ${marks.incidentOpenedAt ? 'detection' : 'the request'}`,
    );
  if (marks.backupServingAt) parts.push(`backup verification passed at ${marks.backupServingAt}`);
  return parts.join('; ');
};

// ---- restore

const restorePhase: PhaseHandler = (drill, observation, policy) => {
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
      return `${stage} ${state?.health ?? 'unknown'}`;
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
          `traffic stays on the backup until the primary passes pre-flight: ${problems.map((problem) => problem.detail).join('; ')}`,
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
        `waiting for the controller's automatic failback of ${away.join(', ')} (after ${policy.failover.failbackAfterHealthyMinutes} healthy min)`,
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
      `traffic back on the primary; reading back ${writtenSeqs(drill).length} record(s) written during the drill${check ? ` (attempt ${check.attempts + 1}: ${check.lost.length} missing so far)` : ''}`,
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

const summaryPhase: PhaseHandler = (drill, observation) => {
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

const PHASE_HANDLERS: Readonly<Record<DrillPhaseName, PhaseHandler>> = {
  preflight: preflightPhase,
  inject: injectPhase,
  identify: identifyPhase,
  notify: notifyPhase,
  decide: decidePhase,
  activate: activatePhase,
  restore: restorePhase,
  summary: summaryPhase,
};

// ---------------------------------------------------------------- absorbing observations

/** Whether the drill accounts for an incident: its own fault, or the routing trouble its fault causes. */
export const explainsIncident = (drill: DrillRecord, incident: Incident, policy: DrillPolicy): boolean => {
  const tagged =
    incident.drillId === drill.id ||
    (incident.drillId === undefined && Date.parse(incident.openedAt) >= Date.parse(drill.startedAt));
  if (!tagged) return false;
  if (incident.kind === 'probe')
    return (
      incident.site !== undefined && incident.stage !== undefined && isFaulted(drill, incident.site, incident.stage)
    );
  if (incident.kind === 'cannot-fail-over' || incident.kind === 'no-healthy-site') {
    return (
      incident.record !== undefined && watchedRecords(drill, policy).includes(normalizeRecordName(incident.record))
    );
  }
  return false;
};

const absorb = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillRecord => {
  let marks = { ...drill.marks };
  const { now, routing, targets } = observation;
  // Alerts: keep this drill's, newest last, bounded.
  const known = new Set(drill.alerts.map((alert) => alert.alertId));
  const fresh = observation.alerts.filter((alert) => alert.drillId === drill.id && !known.has(alert.alertId));
  const alerts = [...drill.alerts, ...fresh]
    .sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt))
    .slice(-MAX_ALERTS);
  let testAlerts = drill.testAlerts;
  if (testAlerts) {
    const delivered = { ...testAlerts.delivered };
    for (const alert of fresh) {
      const severity = SEVERITIES.find((level) => alert.alertId === testAlertId(drill.id, level));
      if (severity && delivered[severity] === undefined) delivered[severity] = alert.deliveredAt;
    }
    testAlerts = { ...testAlerts, delivered };
  }
  // The incident the pipeline opened for the fault: the earliest one the drill explains.
  if (!marks.incidentId && drill.step === undefined && marks.faultInjectedAt) {
    const candidates = observation.incidents
      .filter((incident) => incident.kind === 'probe' && explainsIncident(drill, incident, policy))
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    const incident = candidates[0];
    if (incident)
      marks = {
        ...marks,
        incidentId: incident.id,
        incidentOpenedAt: incident.openedAt,
        incidentSeverity: incident.severity,
      };
  }
  const incident = observation.drillIncident ?? observation.incidents.find((entry) => entry.id === marks.incidentId);
  if (incident && incident.id === marks.incidentId && incident.acknowledgedAt && !marks.acknowledgedAt) {
    marks = {
      ...marks,
      acknowledgedAt: incident.acknowledgedAt,
      ...(incident.acknowledgedBy ? { acknowledgedBy: incident.acknowledgedBy } : {}),
    };
  }
  if (marks.incidentId && !marks.alertDeliveredAt) {
    const delivered = alerts.find((alert) => alert.incidentId === marks.incidentId);
    if (delivered) marks = { ...marks, alertDeliveredAt: delivered.deliveredAt };
  }
  // Routing: the switch, INSYNC, the backup serving, the return.
  const watched = watchedRecords(drill, policy);
  const states = watched.map((record) => routingOf(routing, record));
  if ((watched.length > 0 && marks.faultInjectedAt !== undefined) || drill.step !== undefined) {
    if (!marks.switchRequestedAt && !marks.switchedAt) {
      const pending = states.find((state) => state?.pending?.toSite === 'backup');
      if (pending?.pending) marks = { ...marks, switchRequestedAt: pending.pending.requestedAt };
    }
    const allBackup =
      watched.length > 0 && states.every((state) => state?.activeSite === 'backup' && state.pending === undefined);
    if (!marks.switchedAt && allBackup) {
      const switchedAt = latest(states.map((state) => state?.lastSwitchedAt ?? state?.since)) ?? now.toISOString();
      marks = { ...marks, switchedAt };
      if (!marks.switchRequestedAt)
        marks = { ...marks, switchRequestedAt: earliest(states.map((state) => state?.lastChange?.at)) ?? switchedAt };
    }
    if (marks.switchedAt && !marks.insyncAt && !marks.failbackAt) {
      const insync = states.every((state) => state?.activeSite === 'backup' && state.lastChange?.status === 'INSYNC');
      if (insync)
        marks = {
          ...marks,
          insyncAt: latest(states.flatMap((state) => [state?.since, state?.lastChange?.at])) ?? now.toISOString(),
        };
    }
    if (marks.switchedAt && !marks.backupServingAt && !marks.failbackAt) {
      const stages = watchedStages(drill, policy);
      const after = marks.insyncAt ?? marks.switchedAt;
      const firstGood = stages.map((stage) => firstGoodResult(observation.backupResults, stage, after));
      if (observation.backupResults && firstGood.every((at) => at !== undefined)) {
        marks = { ...marks, backupServingAt: latest(firstGood) ?? now.toISOString() };
      } else {
        const serving = stages.every((stage) => {
          const state = targetOf(targets, 'backup', stage);
          return state?.lastOutcome === 'ok' && state.lastResultAt !== undefined && state.lastResultAt > after;
        });
        if (serving)
          marks = {
            ...marks,
            backupServingAt:
              latest(stages.map((stage) => targetOf(targets, 'backup', stage)?.lastResultAt)) ?? now.toISOString(),
          };
      }
    }
    if (marks.switchedAt && !marks.failbackAt) {
      const back = states.every((state) => state?.activeSite === 'primary' && state.pending === undefined);
      if (back)
        marks = { ...marks, failbackAt: latest(states.map((state) => state?.lastSwitchedAt)) ?? now.toISOString() };
    }
  }
  if (marks.faultClearedAt && !marks.primaryHealthyAt && drill.faults.length > 0) {
    const stages = STAGES.filter((stage) => isFaulted(drill, 'primary', stage));
    const healthy = stages.every((stage) => {
      const state = targetOf(targets, 'primary', stage);
      return (
        state?.health === 'healthy' &&
        state.lastResultAt !== undefined &&
        state.lastResultAt >= (marks.faultClearedAt as string)
      );
    });
    if (healthy) {
      const since = latest(stages.map((stage) => targetOf(targets, 'primary', stage)?.since)) ?? now.toISOString();
      marks = {
        ...marks,
        primaryHealthyAt: since > (marks.faultClearedAt as string) ? since : (marks.faultClearedAt as string),
      };
    }
  }
  // Routing refusals while waiting for the switch: the report explains them.
  let refusals = drill.refusals;
  if (!marks.switchedAt) {
    for (const state of states) {
      const message = state?.refusal?.message;
      if (message && !refusals.includes(message)) refusals = [...refusals, message].slice(-MAX_REFUSALS);
    }
  }
  // The read-back of the written records.
  let data = drill.data;
  if (observation.recordCounts && dataCheckDue(drill)) {
    const counts = observation.recordCounts;
    const seqs = writtenSeqs(drill);
    const lost = seqs.filter((seq) => (counts[recordIdFor(drill.id, seq)] ?? 0) === 0);
    const duplicated = seqs.filter((seq) => (counts[recordIdFor(drill.id, seq)] ?? 0) > 1);
    data = { ...data, check: { at: now.toISOString(), lost, duplicated, attempts: (data.check?.attempts ?? 0) + 1 } };
  } else if (observation.recordCountError && dataCheckDue(drill)) {
    const attempts = (data.check?.attempts ?? 0) + 1;
    data =
      attempts >= DATA_CHECK_ATTEMPTS
        ? { ...data, unmeasured: `reading records back failed: ${observation.recordCountError}` }
        : { ...data, check: { at: now.toISOString(), lost: writtenSeqs(drill), duplicated: [], attempts } };
  }
  return { ...drill, marks, alerts, refusals, data, ...(testAlerts ? { testAlerts } : {}) };
};

/** The stages the watched records follow. */
const watchedStages = (drill: DrillRecord, policy: Pick<HcguardConfig, 'records'>): Stage[] => {
  const watched = watchedRecords(drill, policy);
  return [
    ...new Set(
      policy.records
        .filter((record) => watched.includes(normalizeRecordName(record.name)))
        .map((record) => record.stage),
    ),
  ];
};

/** When the first good result of `stage` that started after `after` finished. */
const firstGoodResult = (
  results: readonly ProbeResult[] | undefined,
  stage: Stage,
  after: string,
): string | undefined => {
  const good = (results ?? [])
    .filter(
      (result) =>
        result.site === 'backup' && result.stage === stage && result.outcome === 'ok' && result.startedAt > after,
    )
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  return good ? new Date(Date.parse(good.startedAt) + good.durationMs).toISOString() : undefined;
};

const latest = (values: readonly (string | undefined)[]): string | undefined =>
  values
    .filter((value): value is string => value !== undefined)
    .sort()
    .at(-1);
const earliest = (values: readonly (string | undefined)[]): string | undefined =>
  values.filter((value): value is string => value !== undefined).sort()[0];

export const testAlertId = (drillId: string, severity: string): string => `test-${drillId}-${severity.toLowerCase()}`;

// ---------------------------------------------------------------- stop conditions

/** Phases during which the fault may be in place and traffic may be on the backup. */
const GUARDED: ReadonlySet<DrillPhaseName> = new Set(['inject', 'identify', 'notify', 'decide', 'activate', 'restore']);

/** Why the drill must stop now, if it must. */
export const stopCondition = (
  drill: DrillRecord,
  observation: DrillObservation,
  policy: DrillPolicy,
): { code: StopCode; reason: string } | undefined => {
  if (drill.abortRequested)
    return { code: 'operator', reason: `${drill.abortRequested.by}: ${drill.abortRequested.reason}` };
  const phase = currentPhase(drill).name;
  if (!GUARDED.has(phase) || drill.dryRun) return undefined;
  const limitAt = Date.parse(drill.startedAt) + drill.timeLimitMinutes * MINUTE_MS;
  if (observation.now.getTime() >= limitAt) {
    return {
      code: 'time-limit',
      reason: `the drill ran longer than drills.timeLimitMinutes (${drill.timeLimitMinutes} min) while in ${phase}`,
    };
  }
  // The backup first: its trouble also opens incidents, and "the backup degraded" says more.
  const degraded = STAGES.flatMap((stage) => {
    if (isFaulted(drill, 'backup', stage)) return [];
    const state = targetOf(observation.targets, 'backup', stage);
    return state && (state.health === 'degraded' || state.health === 'failing')
      ? [`${stage} ${state.health}${state.lastFailureClass ? ` (${state.lastFailureClass})` : ''}`]
      : [];
  });
  if (degraded.length > 0)
    return { code: 'backup-degraded', reason: `the backup degraded during the drill: ${degraded.join(', ')}` };
  const real = observation.incidents.filter(
    (incident) => incident.status !== 'resolved' && !explainsIncident(drill, incident, policy),
  );
  if (real.length > 0) {
    return {
      code: 'real-incident',
      reason: `an incident the drill did not cause opened: ${real.map((incident) => `${incident.id} ${incident.severity} ${incident.title}`).join('; ')}`,
    };
  }
  return undefined;
};

const applyStopConditions = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillRecord => {
  if (drill.abort) return drill;
  const stop = stopCondition(drill, observation, policy);
  if (!stop) return drill;
  return abortInto(drill, stop.code, stop.reason, observation.now);
};

/** Marks the drill aborted and moves it to restore (nothing to restore before inject began). */
export const abortInto = (drill: DrillRecord, code: StopCode, reason: string, now: Date): DrillRecord => {
  const at = now.toISOString();
  const phase = currentPhase(drill);
  const { abortRequested: _handled, ...rest } = drill;
  let next: DrillRecord = { ...rest, abort: { code, reason, at, phase: phase.name } };
  if (phase.name === 'restore' || phase.name === 'summary') return next;
  next = endPhase(next, 'aborted', `aborted: ${reason}`, at);
  const restoreNeeded = drill.plan.includes('restore') && (phase.name !== 'preflight' || drill.step !== undefined);
  return startPhase(
    next,
    restoreNeeded ? 'restore' : 'summary',
    at,
    restoreNeeded ? 'restoring after abort' : PHASE_WAITING.summary,
  );
};

// ---------------------------------------------------------------- writes for the RPO measurement

const dataWrite = (drill: DrillRecord, observation: DrillObservation, policy: DrillPolicy): DrillAction | undefined => {
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
      if (result.ok) {
        const { lastRefusal: _cleared, ...rest } = restore;
        // A process test's own switch: timed from when the drill asked for it.
        const requested =
          action.kind === 'switch' && action.to === 'backup' && !drill.marks.switchRequestedAt
            ? { switchRequestedAt: result.startedAt ?? result.at }
            : {};
        return { ...drill, restore: rest, marks: { ...drill.marks, ...requested } };
      }
      if (action.kind === 'switch' && action.to === 'backup') {
        return abortInto(
          { ...drill, restore },
          'inject-failed',
          `the switch to the backup was refused: ${result.error}`,
          now,
        );
      }
      return { ...drill, restore: { ...restore, lastRefusal: result.error } };
    }
    case 'publish-test-alert': {
      const progress = drill.testAlerts ?? { published: {}, delivered: {}, errors: {} };
      return {
        ...drill,
        testAlerts: result.ok
          ? { ...progress, published: { ...progress.published, [action.severity]: result.startedAt ?? result.at } }
          : { ...progress, errors: { ...progress.errors, [action.severity]: result.error } },
      };
    }
    case 'release':
      return drill;
  }
};

export type { DrillFault, InjectionMode };
