// What a round needs, keeps between rounds, and reports.
import type { HcguardConfig } from '../../core/config/schema.ts';
import type { EvaluationAction, TargetTransition } from '../../core/evaluate.ts';
import type { Incident } from '../../core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../core/model/probing.ts';
import type { RoutingCondition, RoutingState, SwitchEvent } from '../../core/model/routing.ts';
import type { Clock, FailoverController, Notifier, ProbeRunner, StateStore } from '../../ports.ts';

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

export interface AlertDelivery {
  readonly sent: readonly { readonly id: string; readonly topic: string; readonly messageId: string }[];
  readonly failed: readonly { readonly id: string; readonly error: string }[];
  /** Still queued after this round (publish failed, or another run holds them). */
  readonly pending: number;
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
  readonly alerts: AlertDelivery;
  readonly problems: readonly RoundProblem[];
}

/** Runs one step of a round; a failure is reported in `problems` and the round goes on with `fallback`. */
export type Attempt = <T>(
  step: RoundStep,
  work: () => Promise<T>,
  fallback: T,
  ids?: Partial<RoundProblem>,
) => Promise<T>;
