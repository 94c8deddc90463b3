// One probe round, end to end: probe → evaluate → carry out the evaluation's actions → reconcile
// routing → decide incidents → commit them → deliver alerts. The probe Lambda, the local runtime
// and drills all run rounds through here.
//
// Every step that talks to DynamoDB, SNS or the controller is caught, reported in `problems`, and
// the round goes on with what it knows. Every decision is level-triggered — targets from results
// and stored states, routing from targets, incidents from targets, routing and the announcement
// markers — so a write lost this round is decided and written again next round. Alerts go
// through an outbox (./round/alert-delivery.ts).
import { VersionConflictError, describeError } from '../core/errors.ts';
import { evaluate, type Evaluation } from '../core/evaluate.ts';
import { decideIncidents } from '../core/incidents/decide.ts';
import { unannouncedSwitches } from '../core/incidents/rules-switches.ts';
import type { ProbeResult, TargetState, TargetWrite } from '../core/model/probing.ts';
import type { FailoverOutcome } from '../core/model/routing.ts';
import { deliverAlerts } from './round/alert-delivery.ts';
import { alertPresentation, commitIncidents, nextOpenIncidents } from './round/incident-commits.ts';
import type { Attempt, RoundDeps, RoundOptions, RoundProblem, RoundSummary } from './round/types.ts';

/** Overlapping rounds race for the target items; each lost race re-reads and counts its results on top. */
const TARGET_SAVE_ATTEMPTS = 3;

/** Carries out an evaluation's actions: the results, then the changed targets against the version read. */
const applyEvaluation = async (
  deps: RoundDeps,
  evaluation: Evaluation,
  reevaluate: (prior: readonly TargetState[]) => Evaluation,
  attempt: Attempt,
  signal?: AbortSignal,
): Promise<Evaluation> => {
  let current = evaluation;
  const writes = (candidate: Evaluation): TargetWrite[] =>
    candidate.actions.flatMap((action) =>
      action.type === 'save-target' ? [{ target: action.target, expectedVersion: action.expectedVersion }] : [],
    );
  const results = evaluation.actions.flatMap((action) => (action.type === 'record-results' ? action.results : []));
  // One write at a time: moto fails a transaction that overlaps another write to the table.
  await attempt(
    'save-targets',
    async () => {
      for (let round = 1; ; round++) {
        try {
          return await deps.store.saveTargets(writes(current), signal);
        } catch (error) {
          if (!(error instanceof VersionConflictError) || round >= TARGET_SAVE_ATTEMPTS) throw error;
          current = reevaluate(await deps.store.loadTargets(signal));
        }
      }
    },
    undefined,
  );
  if (results.length > 0) await attempt('record-results', () => deps.store.recordResults(results, signal), undefined);
  return current;
};

export const runRound = async (deps: RoundDeps, options: RoundOptions = {}): Promise<RoundSummary> => {
  const { config, clock, store } = deps;
  const { signal } = options;
  const memory = deps.memory ?? {};
  const problems: RoundProblem[] = [];
  const attempt: Attempt = async (step, work, fallback, ids = {}) => {
    try {
      return await work();
    } catch (error) {
      problems.push({ step, message: describeError(error), ...ids });
      return fallback;
    }
  };
  const startedAt = clock.now();
  const drill = options.drillId
    ? { drillId: options.drillId }
    : await attempt('active-drill', () => store.activeDrill(signal), undefined);
  const drillId = drill?.drillId;

  // 1. Probe, and evaluate against what was stored (or last known); store what evaluation says.
  const request = { ...(signal ? { signal } : {}), ...(drillId ? { drillId } : {}) };
  const [loaded, results] = await Promise.all([
    attempt('load-targets', () => store.loadTargets(signal), undefined as TargetState[] | undefined),
    attempt('probe', () => deps.probes.probeAll(request), [] as ProbeResult[]),
  ]);
  // Evaluation ignores these (they say nothing about the platform), so they must surface here,
  // or a prober that cannot read its secret would watch nothing in silence.
  for (const result of results.filter((each) => each.proberError)) {
    problems.push({
      step: 'probe',
      message: `${result.probeId} on ${result.site}: ${result.message ?? 'prober error'}`,
    });
  }
  const evaluateFrom = (prior: readonly TargetState[]): Evaluation =>
    evaluate({ results, prior, policy: config.detection, now: clock.now() });
  const evaluation = await applyEvaluation(
    deps,
    evaluateFrom(loaded ?? memory.targets ?? []),
    evaluateFrom,
    attempt,
    signal,
  );
  const targets = evaluation.targets;
  memory.targets = targets;

  // 2. Routing: the controller decides and carries out switches.
  const open =
    (await attempt('load-incidents', () => store.listOpenIncidents(signal), undefined)) ?? memory.openIncidents ?? [];
  const outcome: FailoverOutcome | undefined = await attempt(
    'reconcile',
    () =>
      deps.failover.reconcile({
        targets,
        now: clock.now(),
        roundStartedAt: startedAt,
        openIncidents: open,
        ...request,
      }),
    undefined,
  );
  for (const failure of outcome?.failures ?? []) {
    problems.push({ step: 'reconcile', message: `${failure.step}: ${failure.message}`, record: failure.record });
  }
  const routing = outcome?.routing ?? memory.routing ?? [];
  memory.routing = routing;

  // 3. Incidents: decide, then write each change with its alert. Switches are told from the
  // routing items until an announcement is committed, so one lost write is told again next round.
  const announced = (await attempt('load-announcements', () => store.loadAnnouncements(signal), undefined)) ?? [];
  const now = clock.now();
  const decisions = decideIncidents({
    policy: config,
    targets,
    open,
    routing,
    ...(outcome ? { conditions: outcome.conditions } : {}),
    conditionsUnknownFor: (outcome?.failures ?? [])
      .filter((failure) => failure.step === 'read')
      .map((failure) => failure.record),
    unannounced: unannouncedSwitches(routing, announced, now),
    now,
    ...(drill ? { drill } : {}),
  });
  const incidents = await commitIncidents(store, decisions, alertPresentation(config), problems, signal);
  memory.openIncidents = nextOpenIncidents(open, decisions.changes, incidents);

  // 4. Alerts: everything queued, this round's and earlier rounds' leftovers.
  const alerts = await deliverAlerts(deps, problems, signal);

  return {
    startedAt: startedAt.toISOString(),
    finishedAt: clock.now().toISOString(),
    ...(drillId ? { drillId } : {}),
    probed: results.some((result) => result.failureClass !== 'aborted'),
    results,
    targets,
    transitions: evaluation.transitions,
    actions: evaluation.actions.map((action) => action.type),
    routing,
    conditions: outcome?.conditions ?? [],
    switches: outcome?.switches ?? [],
    incidents,
    alerts,
    problems,
  };
};
