// What the operator dashboard shows and what it may ask for. The local runtime implements
// DashboardBackend with the same services the CLI uses; the server only serves and validates.
import type { IncidentStatus } from '../../lambdas/core/model/incidents.ts';
import type { Outcome, Severity, Site, Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { TargetHealth } from '../../lambdas/core/model/probing.ts';
import type { ActiveFault, FaultSpec } from '../../lambdas/core/model/faults.ts';
import type { CitizenSnapshot } from '../citizens.ts';
import type { Hold } from '../../lambdas/core/holds.ts';
import type { OverallStatus } from '../../lambdas/core/status-page.ts';
import type { Locale } from '../../lambdas/core/i18n/index.ts';

export interface LatencyPoint {
  readonly at: string;
  readonly ms: number;
  readonly outcome: Outcome;
}

export interface TargetView {
  readonly site: Site;
  readonly stage: Stage;
  readonly health: TargetHealth;
  readonly since?: string;
  readonly flapping: boolean;
  /** Why the target is held at failing, and until when (`hcguard hold clear` ends it early). */
  readonly hold?: Hold;
  /** Failed rounds in a row while still below the failure threshold: a target about to fail. */
  readonly failingRounds?: { readonly count: number; readonly threshold: number };
  readonly lastOutcome?: Outcome;
  readonly lastMessage?: string;
  /** Oldest first: the sparkline's points. */
  readonly latency: readonly LatencyPoint[];
}

export interface RoutingView {
  readonly record: string;
  readonly activeSite: Site;
  readonly since: string;
  readonly reason: string;
  readonly actor: string;
  readonly pendingTo?: Site;
  readonly refusal?: string;
}

export interface IncidentView {
  readonly id: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly title: string;
  readonly site?: Site;
  readonly stage?: Stage;
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly drillId?: string;
}

export interface DrillView {
  readonly id: string;
  readonly scenario: string;
  /** running, passed, failed, aborted, refused. */
  readonly outcome: string;
  /** Where it is and what it waits for while running; why it ended as it did once finished. */
  readonly detail?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  /** A path on the dashboard server that serves the HTML report, once written. */
  readonly reportUrl?: string;
}

/** A target's uptime over the last 24 hours and 7 days, counted from its first result in each. */
export interface UptimeView {
  readonly site: Site;
  readonly stage: Stage;
  readonly windows: readonly {
    readonly label: '24 h' | '7 d';
    /** Undefined when the target has no result in the window. */
    readonly ratio?: number;
    readonly observedMs: number;
    readonly failingMs: number;
  }[];
}

/** Incidents that were unresolved at some point of the window, for the timeline. */
export interface TimelineView {
  readonly from: string;
  readonly to: string;
  readonly incidents: readonly {
    readonly id: string;
    readonly severity: Severity;
    readonly title: string;
    readonly openedAt: string;
    readonly resolvedAt?: string;
    readonly drillId?: string;
  }[];
}

export interface RoundsView {
  readonly count: number;
  readonly lastStartedAt?: string;
  readonly lastDurationMs?: number;
  /** The last round's error, if it failed as a whole. */
  readonly lastError?: string;
  readonly intervalSeconds: number;
}

export interface DashboardState {
  readonly name: string;
  /** The config's locale: the console and the page word everything in it. */
  readonly locale: Locale;
  /** The config's time zone: the console's clock times are in it. */
  readonly timeZone: string;
  readonly generatedAt: string;
  /** The banner: operational, degraded, outage or not known yet, why and since when. */
  readonly overall: OverallStatus;
  readonly sites: readonly { readonly site: Site; readonly label: string; readonly endpoint: string }[];
  readonly targets: readonly TargetView[];
  readonly routing: readonly RoutingView[];
  readonly incidents: readonly IncidentView[];
  readonly uptime: readonly UptimeView[];
  readonly timeline: TimelineView;
  readonly faults: readonly ActiveFault[];
  readonly citizens?: CitizenSnapshot;
  readonly drills: readonly DrillView[];
  readonly scenarios: readonly string[];
  readonly rounds: RoundsView;
  readonly awsEndpoint: string;
  /** Problems reading part of the state: shown, never hiding the rest. */
  readonly warnings: readonly string[];
  /** The parts that could not be read: their lists are empty, which says nothing about them. */
  readonly unread?: readonly StatePart[];
}

export type StatePart =
  'target states' | 'routing' | 'incidents' | 'incident history' | 'sandbox faults' | 'drills' | 'probe history';

export interface DashboardBackend {
  state(signal?: AbortSignal): Promise<DashboardState>;
  acknowledge(incidentId: string, signal?: AbortSignal): Promise<void>;
  injectFault(fault: FaultSpec, signal?: AbortSignal): Promise<void>;
  clearFaults(where: { site?: Site; stage?: Stage }, signal?: AbortSignal): Promise<void>;
  /** Starts a drill in the background and returns its id once it is recorded. */
  startDrill(scenario: string, signal?: AbortSignal): Promise<{ id: string }>;
  /** The simulated citizens' score; undefined when they are off. */
  citizens?(): CitizenSnapshot | undefined;
  /** Verifications per bucket between two instants, for drills run from another process (their report's impact). */
  citizensImpact?(from: Date, to: Date): { at: string; ok: number; failed: number }[] | undefined;
  /** The HTML report of a drill, or undefined when there is none (yet). */
  drillReport(drillId: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** Thrown by a backend for a request that cannot be done as asked: the API answers 400 / 404 / 409. */
export class DashboardRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = 'DashboardRequestError';
  }
}
