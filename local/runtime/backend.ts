// The dashboard's and the console's view of the running guard, read through the same ports the
// CLI uses (state store, routing store, the sandbox's fault injector, drills). A part that
// cannot be read becomes a warning; the rest of the state is still shown.
import { errorText, NotFoundError } from '../../lambdas/core/errors.ts';
import { setMaxListeners } from 'node:events';
import { SITES, STAGES, type Site, type Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { TargetState } from '../../lambdas/core/model/probing.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import type { Clock, FaultInjector, RoutingStore, StateStore } from '../../lambdas/ports.ts';
import type { FaultSpec } from '../../lambdas/core/model/faults.ts';
import type { CitizenSimulator } from '../citizens.ts';
import { flapHold } from '../../lambdas/core/holds.ts';
import { incidentTitle } from '../../lambdas/core/alert-message.ts';
import { wordsFor } from '../../lambdas/core/i18n/index.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import { failingIntervals, overallStatus, uptimeWindows } from '../../lambdas/core/status-page.ts';
import {
  DashboardRequestError,
  type DashboardBackend,
  type DashboardState,
  type DrillView,
  type LatencyPoint,
  type RoundsView,
  type RoutingView,
  type StatePart,
  type TargetView,
  type TimelineView,
  type UptimeView,
} from '../dashboard/state.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** Incidents opened this long before the week still count toward it while they lasted into it. */
const LONGEST_INCIDENT_MS = DAY_MS;

/** Drills as the local runtime runs them (in-process); the drill service behind it. */
export interface DrillControl {
  scenarios(): readonly string[];
  /** Starts a drill in the background; resolves with its id once the drill is recorded. */
  start(scenario: string, signal?: AbortSignal): Promise<{ id: string }>;
  list(signal?: AbortSignal): Promise<DrillView[]>;
  /** The drill's HTML report, when written. */
  report(id: string, signal?: AbortSignal): Promise<string | undefined>;
}

export interface RuntimeBackendOptions {
  readonly config: HcguardConfig;
  readonly stateStore: StateStore;
  readonly routing: RoutingStore;
  readonly faults: FaultInjector;
  readonly sandboxOrigins: Readonly<Record<Site, string>>;
  readonly awsEndpoint: string;
  readonly rounds: () => Omit<RoundsView, 'intervalSeconds'>;
  readonly citizens?: CitizenSimulator;
  readonly drills?: DrillControl;
  readonly clock: Clock;
  /** Who the dashboard acts as in the audit log and on acknowledgements. */
  readonly operator?: string;
  /** Points per sparkline (default 30 rounds). */
  readonly latencyPoints?: number;
}

/** How long the week-long reads (incident history, each target's first result) are reused. */
export const SLOW_READ_MS = 15_000;

export const createRuntimeBackend = (options: RuntimeBackendOptions): DashboardBackend => {
  const operator = options.operator ?? 'dashboard';
  const latencyPoints = options.latencyPoints ?? 30;
  // The console reads the state every 2 s; a week of incidents and the first result of each
  // target in it change slowly, and reading them each time keeps the emulator busy enough to slow
  // the probes themselves. Open incidents are read fresh every time, so a new one shows at once.
  const reuse = <T>(read: (signal?: AbortSignal) => Promise<T>) => {
    let kept: { readonly at: number; readonly value: T } | undefined;
    return async (signal?: AbortSignal): Promise<T> => {
      const at = options.clock.now().getTime();
      if (kept && at - kept.at < SLOW_READ_MS && at >= kept.at) return kept.value;
      const value = await read(signal);
      kept = { at, value };
      return value;
    };
  };
  const incidentHistory = reuse((signal) => {
    const since = options.clock.now().getTime() - WEEK_MS - LONGEST_INCIDENT_MS;
    return options.stateStore.listIncidents({ since: new Date(since).toISOString(), limit: 1000 }, signal);
  });
  const firstResults = reuse((signal) =>
    firstResultsSince(options.stateStore, new Date(options.clock.now().getTime() - WEEK_MS).toISOString(), signal),
  );

  const state = async (signal?: AbortSignal): Promise<DashboardState> => {
    // A dozen reads at once share the caller's signal, each listening until it answers.
    if (signal) setMaxListeners(32, signal);
    const warnings: string[] = [];
    const unread: StatePart[] = [];
    const attempt = async <T>(what: StatePart, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        unread.push(what);
        warnings.push(`cannot read ${what}: ${errorText(error)}`);
        return fallback;
      }
    };
    const now = options.clock.now();
    const [targets, routing, incidents, recentIncidents, firstResultOf, faults, drills, latency] = await Promise.all([
      attempt('target states', () => options.stateStore.loadTargets(signal), [] as TargetState[]),
      attempt('routing', () => options.routing.list(signal), []),
      attempt('incidents', () => options.stateStore.listOpenIncidents(signal), []),
      attempt('incident history', () => incidentHistory(signal), [] as Incident[]),
      attempt('probe history', () => firstResults(signal), new Map<string, string>()),
      attempt('sandbox faults', () => options.faults.list(signal), []),
      options.drills
        ? attempt('drills', () => options.drills!.list(signal), [] as DrillView[])
        : Promise.resolve([] as DrillView[]),
      attempt(
        'probe history',
        () => latencyByTarget(options.stateStore, latencyPoints, signal),
        new Map<string, LatencyPoint[]>(),
      ),
    ]);
    const targetViews: TargetView[] = SITES.flatMap((site) =>
      STAGES.map((stage): TargetView => {
        const target = targets.find((entry) => entry.site === site && entry.stage === stage);
        const threshold = options.config.detection.failureThreshold;
        const failing = target && target.health !== 'failing' ? target.consecutiveFailures : 0;
        const hold = target ? flapHold(target, options.config.detection) : undefined;
        return {
          site,
          stage,
          health: target?.health ?? 'unknown',
          flapping: target?.flapping ?? false,
          ...(hold ? { hold } : {}),
          ...(failing > 0 ? { failingRounds: { count: failing, threshold } } : {}),
          latency: latency.get(`${site}#${stage}`) ?? [],
          ...(target?.since ? { since: target.since } : {}),
          ...(target?.lastOutcome ? { lastOutcome: target.lastOutcome } : {}),
          ...(target?.lastMessage ? { lastMessage: target.lastMessage } : {}),
        };
      }),
    );
    const routingViews: RoutingView[] = routing.map((route) => ({
      record: route.record,
      activeSite: route.activeSite,
      since: route.since,
      reason: route.reason,
      actor: route.actor,
      ...(route.pending ? { pendingTo: route.pending.toSite } : {}),
      ...(route.refusal ? { refusal: route.refusal.message } : {}),
    }));
    const generatedAt = now.toISOString();
    const words = wordsFor(options.config.locale);
    const known = new Map([...recentIncidents, ...incidents].map((incident) => [incident.id, incident]));
    const everyIncident = [...known.values()];
    const worded = (incident: Incident): Incident => ({ ...incident, title: incidentTitle(incident, words) });
    return {
      name: options.config.name,
      locale: options.config.locale,
      timeZone: options.config.timeZone,
      generatedAt,
      overall: overallStatus(
        {
          targets: targetViews,
          routing: routingViews,
          incidents: incidents.map(worded),
          unread: { parts: unread, warnings },
        },
        words,
      ),
      uptime: targetViews.map((target): UptimeView => {
        const failing = failingIntervals(target, everyIncident);
        const observedFrom = firstResultOf.get(`${target.site}#${target.stage}`);
        return {
          site: target.site,
          stage: target.stage,
          windows: uptimeWindows({ now, ...(observedFrom ? { observedFrom } : {}), failing }),
        };
      }),
      timeline: incidentTimeline(everyIncident.map(worded), now),
      sites: SITES.map((site) => ({
        site,
        label: options.config.sites[site].label ?? site,
        endpoint: options.sandboxOrigins[site],
      })),
      targets: targetViews,
      routing: routingViews,
      incidents: [...incidents]
        .sort((a, b) => a.severity.localeCompare(b.severity) || b.openedAt.localeCompare(a.openedAt))
        .map((incident) => ({
          id: incident.id,
          severity: incident.severity,
          status: incident.status,
          title: incidentTitle(incident, words),
          openedAt: incident.openedAt,
          ...(incident.site ? { site: incident.site } : {}),
          ...(incident.stage ? { stage: incident.stage } : {}),
          ...(incident.acknowledgedAt ? { acknowledgedAt: incident.acknowledgedAt } : {}),
          ...(incident.acknowledgedBy ? { acknowledgedBy: incident.acknowledgedBy } : {}),
          ...(incident.drillId ? { drillId: incident.drillId } : {}),
        })),
      faults,
      ...(options.citizens ? { citizens: options.citizens.snapshot() } : {}),
      drills,
      scenarios: options.drills?.scenarios() ?? [],
      rounds: { ...options.rounds(), intervalSeconds: options.config.schedule.intervalSeconds },
      awsEndpoint: options.awsEndpoint,
      warnings,
      ...(unread.length ? { unread } : {}),
    };
  };

  return {
    state,
    async acknowledge(incidentId, signal) {
      try {
        const outcome = await options.stateStore.acknowledge(
          incidentId,
          `operator:${operator}`,
          options.clock.now(),
          signal,
        );
        if (!outcome.acknowledged)
          throw new DashboardRequestError(`incident ${incidentId} was not acknowledged: ${outcome.reason}`, 409);
      } catch (error) {
        if (error instanceof NotFoundError) throw new DashboardRequestError(`no incident ${incidentId}`, 404);
        throw error;
      }
    },
    injectFault: (fault: FaultSpec, signal) => asRequestError(() => options.faults.inject(fault, signal)),
    clearFaults: (where: { site?: Site; stage?: Stage }, signal) => options.faults.clear(where, signal),
    async startDrill(scenario, signal) {
      if (!options.drills) throw new DashboardRequestError('drills are not available in this runtime', 409);
      if (!options.drills.scenarios().includes(scenario)) {
        throw new DashboardRequestError(
          `unknown scenario "${scenario}": one of ${options.drills.scenarios().join(', ')}`,
        );
      }
      return options.drills.start(scenario, signal);
    },
    drillReport: async (drillId, signal) => options.drills?.report(drillId, signal),
    citizens: () => options.citizens?.snapshot(),
    citizensImpact: (from, to) => options.citizens?.impact(from, to),
  };
};

/** The sandbox refuses a fault it cannot apply (e.g. latency without latencyMs): a 400, not a 500. */
const asRequestError = async (inject: () => Promise<void>): Promise<void> => {
  try {
    await inject();
  } catch (error) {
    if (error instanceof Error && error.name === 'FaultSpecError') throw new DashboardRequestError(error.message);
    throw error;
  }
};

/** Incidents unresolved at some instant of the last 24 hours, oldest first. */
const incidentTimeline = (incidents: readonly Incident[], now: Date): TimelineView => {
  const from = new Date(now.getTime() - DAY_MS).toISOString();
  return {
    from,
    to: now.toISOString(),
    incidents: incidents
      .filter((incident) => !incident.resolvedAt || incident.resolvedAt >= from)
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
      .map((incident) => ({
        id: incident.id,
        severity: incident.severity,
        title: incident.title,
        openedAt: incident.openedAt,
        ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
        ...(incident.drillId ? { drillId: incident.drillId } : {}),
      })),
  };
};

/** Each target's first result since `since`: where its uptime starts counting. */
const firstResultsSince = async (
  stateStore: StateStore,
  since: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> => {
  const entries = await Promise.all(
    SITES.flatMap((site) =>
      STAGES.map(async (stage) => {
        const [first] = await stateStore.history({ site, stage, since, oldestFirst: true, limit: 1 }, signal);
        return first ? ([[`${site}#${stage}`, first.startedAt]] as const) : [];
      }),
    ),
  );
  return new Map(entries.flat());
};

const latencyByTarget = async (
  stateStore: StateStore,
  points: number,
  signal?: AbortSignal,
): Promise<Map<string, LatencyPoint[]>> => {
  const entries = await Promise.all(
    SITES.flatMap((site) =>
      STAGES.map(async (stage) => {
        const results = await stateStore.history({ site, stage, limit: points }, signal);
        const series = results
          .map((result) => ({ at: result.startedAt, ms: result.durationMs, outcome: result.outcome }))
          .sort((a, b) => a.at.localeCompare(b.at))
          .slice(-points);
        return [`${site}#${stage}`, series] as const;
      }),
    ),
  );
  return new Map(entries);
};
