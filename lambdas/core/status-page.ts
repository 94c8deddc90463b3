// What a status page says about the platform as a whole: one banner (operational, degraded,
// outage, or not known yet) with what causes it and since when, and each target's uptime over a
// window. Pure: the dashboard backend reads the state and renders what these return.
import { phrase, wordsFor, type Words } from './i18n/index.ts';
import { probeDedupKey } from './incidents/ids.ts';
import type { Incident } from './model/incidents.ts';
import type { TargetHealth } from './model/probing.ts';
import type { Severity, Site, Stage } from './model/vocabulary.ts';

export const OVERALL_LEVELS = ['operational', 'degraded', 'outage', 'unknown'] as const;
export type OverallLevel = (typeof OVERALL_LEVELS)[number];

export interface OverallStatus {
  readonly level: OverallLevel;
  /** One line for the banner and the page title. */
  readonly headline: string;
  /** When the current level began, as far as the state tells. */
  readonly since?: string;
  /** Every reason for the level, worst first (empty when operational). */
  readonly causes: readonly string[];
}

export interface StatusTarget {
  readonly site: Site;
  readonly stage: Stage;
  readonly health: TargetHealth;
  readonly since?: string;
}

export interface StatusRoute {
  readonly record: string;
  readonly activeSite: Site;
  readonly since: string;
  readonly refusal?: string;
}

export interface StatusIncident {
  readonly severity: Severity;
  readonly title: string;
  readonly openedAt: string;
  readonly drillId?: string;
}

interface Cause {
  readonly level: 'outage' | 'degraded';
  readonly text: string;
  readonly since?: string;
}

const earliest = (instants: readonly (string | undefined)[]): string | undefined =>
  instants.filter((at): at is string => at !== undefined).sort()[0];

/**
 * The banner. Outage: a site that serves a managed record cannot verify, or a SEV1 is unresolved
 * (citizens are being stopped). Degraded: anything else failing or degraded, a SEV2 or SEV3
 * unresolved, traffic on the backup, or a switch refused. SEV4 notices change nothing.
 */
export const overallStatus = (
  input: {
    readonly targets: readonly StatusTarget[];
    readonly routing: readonly StatusRoute[];
    /** Unresolved incidents (open or acknowledged). */
    readonly incidents: readonly StatusIncident[];
    /** Parts of the state that could not be read, and what reading them said. */
    readonly unread?: { readonly parts: readonly string[]; readonly warnings: readonly string[] };
  },
  words: Words = wordsFor('en'),
): OverallStatus => {
  // The banner weighs targets, routing and incidents; without one of them it would claim what it cannot know.
  const blind = (input.unread?.parts ?? []).filter((part) => BANNER_PARTS.includes(part));
  if (blind.length)
    return {
      level: 'unknown',
      headline: words.t('status.blind', { parts: blind.join(', ') }),
      causes: [...(input.unread?.warnings ?? [])],
    };
  const causes: Cause[] = [];
  const serving = new Set(input.routing.map((route) => route.activeSite));
  for (const target of input.targets) {
    if (target.health !== 'failing' && target.health !== 'degraded') continue;
    const servingVerifier = target.stage === 'verification' && serving.has(target.site);
    causes.push({
      level: target.health === 'failing' && servingVerifier ? 'outage' : 'degraded',
      text: words.t(servingVerifier ? 'status.targetServing' : 'status.target', {
        stage: phrase(`stage.${target.stage}`),
        health: phrase(`health.${target.health}`),
        site: phrase(`site.${target.site}`),
      }),
      ...(target.since ? { since: target.since } : {}),
    });
  }
  for (const incident of input.incidents) {
    if (incident.severity === 'SEV4') continue;
    causes.push({
      level: incident.severity === 'SEV1' ? 'outage' : 'degraded',
      text: incident.drillId
        ? words.t('status.drillIncident', {
            severity: incident.severity,
            title: incident.title,
            drillId: incident.drillId,
          })
        : words.t('status.incident', { severity: incident.severity, title: incident.title }),
      since: incident.openedAt,
    });
  }
  for (const route of input.routing) {
    if (route.activeSite !== 'primary')
      causes.push({
        level: 'degraded',
        text: words.t('status.onBackup', { record: route.record }),
        since: route.since,
      });
    if (route.refusal)
      causes.push({ level: 'degraded', text: words.t('status.refused', { record: route.record, why: route.refusal }) });
  }
  const outages = causes.filter((cause) => cause.level === 'outage');
  const shown = outages.length ? outages : causes;
  if (shown.length) {
    const level = outages.length ? 'outage' : 'degraded';
    const since = earliest(shown.map((cause) => cause.since));
    const texts = [...outages, ...causes.filter((cause) => cause.level === 'degraded')].map((cause) => cause.text);
    return {
      level,
      headline:
        shown.length > 1
          ? words.t(level === 'outage' ? 'status.outageMore' : 'status.degradedMore', {
              cause: shown[0]!.text,
              count: shown.length - 1,
            })
          : words.t(level === 'outage' ? 'status.outage' : 'status.degraded', { cause: shown[0]!.text }),
      ...(since ? { since } : {}),
      causes: texts,
    };
  }
  if (input.targets.length === 0 || input.targets.every((target) => target.health === 'unknown'))
    return { level: 'unknown', headline: words.t('status.noResults'), causes: [] };
  const unknown = input.targets.filter((target) => target.health === 'unknown');
  const since = input.targets
    .map((target) => target.since)
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  return {
    level: 'operational',
    headline:
      unknown.length === 0
        ? words.t('status.operational')
        : words.t('status.notProbed', {
            targets: unknown
              .map((target) =>
                words.t('status.where', {
                  site: phrase(`site.${target.site}`),
                  stage: phrase(`stage.${target.stage}`),
                }),
              )
              .join(', '),
          }),
    ...(since ? { since } : {}),
    causes: [],
  };
};

export interface Interval {
  readonly from: string;
  /** Open-ended: still going at the end of the window. */
  readonly to?: string;
}

export interface Uptime {
  /** Share of the observed part of the window the target was not failing; undefined when nothing was observed. */
  readonly ratio?: number;
  readonly observedMs: number;
  readonly failingMs: number;
}

/**
 * Uptime over `[windowStart, now]`, counted from `observedFrom` (the first probe result in the
 * window: time before hcguard looked is not uptime) and against the union of the failing
 * intervals, so an interval counted twice (an incident and the live state) is counted once.
 */
/** What the banner cannot do without, by the names the dashboard gives the parts it reads. */
export const BANNER_PARTS: readonly string[] = ['target states', 'routing', 'incidents'];

const HOUR_MS = 3_600_000;

/** The status page's uptime windows: the last day and the last week. */
export const UPTIME_WINDOWS = [
  ['24 h', 24 * HOUR_MS],
  ['7 d', 7 * 24 * HOUR_MS],
] as const;

/** Uptime over each of UPTIME_WINDOWS, ending `now`. */
export const uptimeWindows = (input: {
  readonly now: Date;
  readonly observedFrom?: string;
  readonly failing: readonly Interval[];
}): (Uptime & { readonly label: (typeof UPTIME_WINDOWS)[number][0] })[] =>
  UPTIME_WINDOWS.map(([label, length]) => ({
    label,
    ...uptime({
      windowStart: new Date(input.now.getTime() - length).toISOString(),
      now: input.now.toISOString(),
      ...(input.observedFrom ? { observedFrom: input.observedFrom } : {}),
      failing: input.failing,
    }),
  }));

export const uptime = (input: {
  readonly windowStart: string;
  readonly now: string;
  readonly observedFrom?: string;
  readonly failing: readonly Interval[];
}): Uptime => {
  const end = Date.parse(input.now);
  const start = Math.max(Date.parse(input.windowStart), input.observedFrom ? Date.parse(input.observedFrom) : end);
  const observedMs = Math.max(0, end - start);
  const clipped = input.failing
    .map(
      (interval) =>
        [
          Math.max(start, Date.parse(interval.from)),
          Math.min(end, interval.to ? Date.parse(interval.to) : end),
        ] as const,
    )
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let failingMs = 0;
  let reach = start;
  for (const [from, to] of clipped) {
    if (to <= reach) continue;
    failingMs += to - Math.max(from, reach);
    reach = to;
  }
  return observedMs > 0 ? { ratio: 1 - failingMs / observedMs, observedMs, failingMs } : { observedMs, failingMs };
};

/**
 * When a target was failing: its probe incidents (a degraded one is not failing) and, if it is
 * failing now, the live state, which also covers an incident whose write has not landed.
 */
export const failingIntervals = (
  target: StatusTarget,
  incidents: readonly Pick<Incident, 'kind' | 'site' | 'stage' | 'dedupKey' | 'openedAt' | 'resolvedAt'>[],
): Interval[] => [
  ...incidents
    .filter(
      (incident) =>
        incident.kind === 'probe' &&
        incident.site === target.site &&
        incident.stage === target.stage &&
        incident.dedupKey !== probeDedupKey(target.site, target.stage, 'degraded'),
    )
    .map((incident) => ({ from: incident.openedAt, ...(incident.resolvedAt ? { to: incident.resolvedAt } : {}) })),
  ...(target.health === 'failing' && target.since ? [{ from: target.since }] : []),
];
