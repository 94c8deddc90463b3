// One probe round, end to end: probe → evaluate targets → reconcile routing → decide incidents →
// commit → deliver alerts. The probe Lambda, the local runtime and drills all run rounds
// through here.
//
// Failure handling (issue 4 §7): every step that talks to DynamoDB, SNS or the controller is
// caught, reported in `problems`, and the round goes on with what it knows; decisions are
// level-triggered (from target states, not from transitions), so a write lost this round is
// decided and written again next round. Alerts go through an outbox: queued in the same
// transaction as their incident change, claimed conditionally before publishing and removed
// after, so two overlapping rounds never send the same alert twice and an alert that could not
// be sent stays queued for the next round.
import { renderAlert, type AlertPresentation } from '../core/alert-message.ts';
import { siteLabel, type HcguardConfig } from '../core/config.ts';
import { AlreadyExistsError, VersionConflictError } from '../core/errors.ts';
import { evaluate, type Evaluation, type EvaluationAction, type TargetTransition } from '../core/evaluate.ts';
import { decideIncidents } from '../core/incidents/decide.ts';
import { unannouncedSwitches } from '../core/incidents/rules-switches.ts';
import type { AlertDraft, IncidentChange } from '../core/incidents/types.ts';
import type { Incident } from '../core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../core/model/probing.ts';
import type { RoutingState } from '../core/model/routing.ts';
import type { Clock, FailoverController, Notifier, ProbeRunner, StateStore } from '../ports.ts';
import type { FailoverOutcome, RoutingCondition, SwitchEvent } from '../core/model/routing.ts';
import type { OutboxAlert } from '../core/model/incidents.ts';
import type { TargetWrite } from '../core/model/probing.ts';

export interface RoundDeps {
  readonly config: HcguardConfig;
  readonly clock: Clock;
  readonly probes: ProbeRunner;
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly failover: FailoverController;
  /** What this process last knew, for rounds in which the store cannot be read. */
  readonly memory?: RoundMemory;
  /** Names this run in alert claims; a new random id per round by default. */
  readonly runId?: () => string;
  /** How long a claimed alert is ours to publish before another run may take it over. */
  readonly alertLeaseMs?: number;
}

/** Kept by a long-lived caller (the Lambda container, the local runtime) between rounds. */
export interface RoundMemory {
  targets?: readonly TargetState[];
  openIncidents?: readonly Incident[];
  routing?: readonly RoutingState[];
}

export interface RoundOptions {
  readonly signal?: AbortSignal;
  /** The drill this round belongs to; the running drill (store) when absent. */
  readonly drillId?: string;
}

export type RoundStep =
  | 'active-drill'
  | 'load-targets'
  | 'probe'
  | 'save-targets'
  | 'record-results'
  | 'load-incidents'
  | 'load-announcements'
  | 'reconcile'
  | 'incident'
  | 'queue-alert'
  | 'pending-alerts'
  | 'publish'
  | 'mark-sent';

/** Something the round could not do; the caller logs it (with the ids) and counts an error metric. */
export interface RoundProblem {
  readonly step: RoundStep;
  readonly message: string;
  readonly incidentId?: string;
  readonly alertId?: string;
  readonly record?: string;
}

export interface IncidentOutcome {
  readonly id: string;
  readonly dedupKey: string;
  readonly title: string;
  readonly severity: Incident['severity'];
  readonly status: Incident['status'];
  /** open, or the reason of an update (escalate, remind, resolve, switched). */
  readonly change: string;
  /** applied; superseded: another run got there first (not a problem); failed: see problems. */
  readonly outcome: 'applied' | 'superseded' | 'failed';
}

export interface RoundSummary {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly drillId?: string;
  /**
   * True when at least one probe observed the platform. False when the runner failed as a whole
   * or every result was aborted: then no heartbeat is sent, and the heartbeat alarm fires.
   */
  readonly probed: boolean;
  readonly results: readonly ProbeResult[];
  readonly targets: readonly TargetState[];
  readonly transitions: readonly TargetTransition[];
  readonly actions: readonly EvaluationAction['type'][];
  readonly routing: readonly RoutingState[];
  readonly conditions: readonly RoutingCondition[];
  readonly switches: readonly SwitchEvent[];
  readonly incidents: readonly IncidentOutcome[];
  readonly alerts: {
    readonly sent: readonly { readonly id: string; readonly topic: string; readonly messageId: string }[];
    readonly failed: readonly { readonly id: string; readonly error: string }[];
    /** Still queued after this round (publish failed, or another run holds them). */
    readonly pending: number;
  };
  readonly problems: readonly RoundProblem[];
}

const DEFAULT_ALERT_LEASE_MS = 120_000;
/** Overlapping rounds race for the target items; each lost race re-reads and counts its results on top. */
const TARGET_SAVE_ATTEMPTS = 3;

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export const alertPresentation = (config: HcguardConfig): AlertPresentation => ({
  stackName: config.name,
  timeZone: config.timeZone,
  siteLabels: { primary: siteLabel(config, 'primary'), backup: siteLabel(config, 'backup') },
});

export const toOutboxAlert = (draft: AlertDraft, presentation: AlertPresentation): OutboxAlert => ({
  id: draft.id,
  ...(draft.incident ? { incidentId: draft.incident.id } : {}),
  kind: draft.kind,
  topic: draft.topic,
  message: renderAlert(draft, presentation),
  createdAt: draft.at,
  ...(draft.drillId ? { drillId: draft.drillId } : {}),
  ...(draft.announces ? { announces: draft.announces } : {}),
  attempts: 0,
});

export const runRound = async (deps: RoundDeps, options: RoundOptions = {}): Promise<RoundSummary> => {
  const { config, clock, store } = deps;
  const { signal } = options;
  const memory = deps.memory ?? {};
  const problems: RoundProblem[] = [];
  const attempt = async <T>(
    step: RoundStep,
    work: () => Promise<T>,
    fallback: T,
    ids: Partial<RoundProblem> = {},
  ): Promise<T> => {
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

  // 1. Probe, and evaluate against what was stored (or last known).
  const [loaded, probeRun] = await Promise.all([
    attempt('load-targets', async () => store.loadTargets(signal), undefined as TargetState[] | undefined),
    attempt(
      'probe',
      async () => ({
        results: await deps.probes.runRound({ ...(signal ? { signal } : {}), ...(drillId ? { drillId } : {}) }),
      }),
      undefined,
    ),
  ]);
  const results = probeRun?.results ?? [];
  // Evaluation ignores these (they say nothing about the platform), so they must surface here,
  // or a prober that cannot read its secret would watch nothing in silence.
  for (const result of results) {
    if (result.proberError)
      problems.push({
        step: 'probe',
        message: `${result.probeId} on ${result.site}: ${result.message ?? 'prober error'}`,
      });
  }
  const followedStages = [...new Set(config.records.map((record) => record.stage))];
  const evaluateFrom = (prior: readonly TargetState[]): Evaluation =>
    evaluate({ results, prior, policy: config.detection, followedStages, now: clock.now() });
  let evaluation = evaluateFrom(loaded ?? memory.targets ?? []);

  // 2. Store targets (all or nothing; on a race, re-read and count this round's results on top) and results.
  const writesOf = (candidate: Evaluation): TargetWrite[] =>
    candidate.actions.flatMap((action) =>
      action.type === 'save-target' ? [{ target: action.target, expectedVersion: action.expectedVersion }] : [],
    );
  const saveTargets = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.saveTargets(writesOf(evaluation), signal);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= TARGET_SAVE_ATTEMPTS) throw error;
        evaluation = evaluateFrom(await store.loadTargets(signal));
      }
    }
  };
  // One write at a time: moto (the local AWS) fails a transaction that overlaps another write to
  // the table, and a round loses only milliseconds by waiting.
  await attempt('save-targets', saveTargets, undefined);
  if (results.length > 0) await attempt('record-results', () => store.recordResults(results, signal), undefined);
  const targets = evaluation.targets;
  memory.targets = targets;

  // 3. Routing: the controller decides and carries out switches.
  const open =
    (await attempt('load-incidents', () => store.listOpenIncidents(signal), undefined)) ?? memory.openIncidents ?? [];
  let outcome: FailoverOutcome | undefined;
  try {
    outcome = await deps.failover.reconcile({
      targets,
      now: clock.now(),
      roundStartedAt: startedAt,
      openIncidents: open,
      ...(signal ? { signal } : {}),
      ...(drillId ? { drillId } : {}),
    });
  } catch (error) {
    problems.push({ step: 'reconcile', message: describeError(error) });
  }
  for (const failure of outcome?.failures ?? [])
    problems.push({ step: 'reconcile', message: `${failure.step}: ${failure.message}`, record: failure.record });
  const routing = outcome?.routing ?? memory.routing ?? [];
  memory.routing = routing;

  // 4. Incidents: decide, then write each change with its alert. Switches are announced from the
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
  const presentation = alertPresentation(config);
  const incidents: IncidentOutcome[] = [];
  for (const change of decisions.changes)
    incidents.push(await commitChange(change, deps, presentation, problems, signal));
  for (const notice of decisions.notices) {
    try {
      await store.queueAlert(toOutboxAlert(notice, presentation), signal);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError))
        problems.push({ step: 'queue-alert', message: describeError(error), alertId: notice.id });
    }
  }
  memory.openIncidents = nextOpenIncidents(open, decisions.changes, incidents);

  // 5. Alerts: everything queued, this round's and earlier rounds' leftovers.
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

const commitChange = async (
  change: IncidentChange,
  deps: RoundDeps,
  presentation: AlertPresentation,
  problems: RoundProblem[],
  signal?: AbortSignal,
): Promise<IncidentOutcome> => {
  const summary = {
    id: change.incident.id,
    dedupKey: change.incident.dedupKey,
    title: change.incident.title,
    severity: change.incident.severity,
    status: change.incident.status,
    change: change.type === 'open' ? 'open' : change.reason,
  };
  try {
    const alert = change.alert ? toOutboxAlert(change.alert, presentation) : undefined;
    await deps.store.applyIncidentChange({ change, ...(alert ? { alert } : {}) }, signal);
    return { ...summary, outcome: 'applied' };
  } catch (error) {
    // Another round opened or changed it first: its decision stands, ours is dropped.
    if (error instanceof AlreadyExistsError || error instanceof VersionConflictError)
      return { ...summary, outcome: 'superseded' };
    problems.push({ step: 'incident', message: describeError(error), incidentId: change.incident.id });
    return { ...summary, outcome: 'failed' };
  }
};

const nextOpenIncidents = (
  open: readonly Incident[],
  changes: readonly IncidentChange[],
  outcomes: readonly IncidentOutcome[],
): Incident[] => {
  const applied = new Map(
    changes
      .filter((_, index) => outcomes[index]?.outcome === 'applied')
      .map((change) => [change.incident.id, change.incident]),
  );
  const kept = open.map((incident) => applied.get(incident.id) ?? incident);
  const added = [...applied.values()].filter((incident) => !open.some((candidate) => candidate.id === incident.id));
  return [...kept, ...added].filter((incident) => incident.status !== 'resolved');
};

const deliverAlerts = async (
  deps: RoundDeps,
  problems: RoundProblem[],
  signal?: AbortSignal,
): Promise<RoundSummary['alerts']> => {
  const sent: { id: string; topic: string; messageId: string }[] = [];
  const failed: { id: string; error: string }[] = [];
  let pending: OutboxAlert[];
  try {
    pending = await deps.store.pendingAlerts(signal);
  } catch (error) {
    problems.push({ step: 'pending-alerts', message: describeError(error) });
    return { sent, failed, pending: 0 };
  }
  const owner = deps.runId?.() ?? `round-${crypto.randomUUID()}`;
  const leaseMs = deps.alertLeaseMs ?? DEFAULT_ALERT_LEASE_MS;
  let remaining = pending.length;
  // Oldest first: an alert about the opening goes out before the reminder behind it.
  for (const alert of pending.toSorted((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))) {
    const ids = { alertId: alert.id, ...(alert.incidentId ? { incidentId: alert.incidentId } : {}) };
    const now = deps.clock.now();
    if (alert.claimedUntil && alert.claimedUntil >= now.toISOString()) continue;
    let claimed: boolean;
    try {
      claimed = await deps.store.claimAlert(alert.id, owner, now, new Date(now.getTime() + leaseMs), signal);
    } catch (error) {
      problems.push({ step: 'publish', message: `could not claim: ${describeError(error)}`, ...ids });
      continue;
    }
    if (!claimed) continue;
    let messageId: string;
    try {
      ({ messageId } = await deps.notifier.publish(alert, signal));
    } catch (error) {
      const message = describeError(error);
      failed.push({ id: alert.id, error: message });
      problems.push({ step: 'publish', message, ...ids });
      try {
        await deps.store.releaseAlert(alert.id, owner, message, signal);
      } catch (releaseError) {
        // The lease runs out on its own; the next round after it publishes.
        problems.push({
          step: 'publish',
          message: `could not release the claim: ${describeError(releaseError)}`,
          ...ids,
        });
      }
      continue;
    }
    sent.push({ id: alert.id, topic: alert.topic, messageId });
    remaining--;
    try {
      await deps.store.markAlertSent(alert, owner, { messageId, at: deps.clock.now() }, signal);
    } catch (error) {
      // Published but still queued: after the lease another run may publish it again (at least once).
      problems.push({ step: 'mark-sent', message: describeError(error), ...ids });
    }
  }
  return { sent, failed, pending: remaining };
};
