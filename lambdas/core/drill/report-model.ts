// What a drill report shows, computed once for both renderings (Markdown and HTML): the
// headline, metrics against objectives, the timeline of events, findings, data loss, alerts and
// the probe series the chart draws. Pure.
import type { Catalogue } from '../i18n/catalogue.ts';
import { wordsFor, type Words } from '../i18n/index.ts';
import { formatLocal } from '../time.ts';
import type { HcguardConfig } from '../config/schema.ts';
import { siteLabel } from '../config.ts';
import type { ProbeResult } from '../model/probing.ts';
import type { Site } from '../model/vocabulary.ts';
import { drillFindings, type Finding, type FindingsPolicy } from './findings.ts';
import { formatDuration, formatMeasured, phaseTook } from './state.ts';
import { drillMetrics, evaluateObjectives, METRIC_NAMES, type DrillMetrics, type ObjectiveResult } from './metrics.ts';
import { DRILL_PHASES, writtenSeqs, type DrillPhaseName, type DrillRecord, type ImpactSample } from './model.ts';
import { describeFault } from './scenarios.ts';
import type { DrillWait, WaitKind } from './waits.ts';

export type { ImpactSample };

export type ReportConfig = FindingsPolicy & Pick<HcguardConfig, 'name' | 'timeZone' | 'sites' | 'locale'>;

export interface ReportInput {
  readonly drill: DrillRecord;
  readonly config: ReportConfig;
  /** Probe results stored between the drill's start and end. */
  readonly results: readonly ProbeResult[];
  readonly impact?: readonly ImpactSample[];
  /** When the report was made: the end of the chart for a drill still running. */
  readonly generatedAt: Date;
}

export interface TimelineEvent {
  readonly at: string;
  readonly label: string;
  /** Which chart marker draws it. */
  readonly kind:
    'fault' | 'detect' | 'alert' | 'ack' | 'switch' | 'serving' | 'clear' | 'failback' | 'restored' | 'abort';
}

export interface ReportModel {
  readonly title: string;
  readonly input: ReportInput;
  readonly window: { readonly from: number; readonly to: number };
  readonly metrics: DrillMetrics;
  readonly metricRows: readonly MetricRow[];
  /** Says where the objectives marked * come from, when some are. */
  readonly derivedNote?: string;
  readonly objectives: readonly ObjectiveResult[];
  readonly events: readonly TimelineEvent[];
  readonly findings: readonly Finding[];
  readonly facts: readonly (readonly [string, string])[];
  readonly phases: readonly {
    readonly name: DrillPhaseName;
    readonly outcome: string;
    readonly startedAt?: string;
    readonly endedAt?: string;
    /** How long it took; absent when skipped or ended in the tick it began. */
    readonly took?: string;
    readonly detail: string;
  }[];
  readonly impact?: { readonly requests: number; readonly failed: number; readonly outageMs: number };
  /** What held the drill up, oldest first. */
  readonly waits: readonly WaitRow[];
  /** Every different line each phase showed, oldest first: what `hcguard drill` printed as it ran. */
  readonly progress: readonly { readonly at: string; readonly phase: DrillPhaseName; readonly detail: string }[];
  /** Closer views of where the events crowd together, when the whole drill would crush them. */
  readonly zooms: readonly TimelineView[];
}

export interface WaitRow {
  readonly kind: WaitKind | 'stop';
  readonly label: string;
  readonly subject: string;
  readonly reason: string;
  readonly from: string;
  /** The wait's end, or the report's instant while it lasts. */
  readonly to: string;
  readonly ongoing: boolean;
  readonly took: string;
  /** The end the hold announced, where it announced one. */
  readonly until?: string;
}

/** A stretch of the drill the timeline draws: the whole of it, or a zoom. */
export interface TimelineView {
  readonly from: number;
  readonly to: number;
  /** Indexes into `events` of those inside the view. */
  readonly events: readonly number[];
}

export interface MetricRow {
  readonly key: keyof DrillMetrics;
  readonly label: string;
  readonly value: string;
  readonly objective: string;
  readonly status: 'pass' | 'fail' | 'not measured' | '';
  /** What a value of "under 1 ms" means: two instants recorded together. */
  readonly note?: string;
}

const ZERO_NOTES: Partial<Record<keyof DrillMetrics, string>> = {
  switchMs:
    'the switch was made in the round that detected the failure and Route 53 reported INSYNC at once ' +
    '(an emulator does; AWS usually takes up to 60 s)',
};

/** A metric row's result in the report's words ("pass", "达标"); empty without an objective. */
export const resultWord = (status: MetricRow['status'], words: Words): string =>
  status === '' ? '' : words.t(status === 'not measured' ? 'report.result.notMeasured' : `report.result.${status}`);

const LEVEL_ORDER: Readonly<Record<Finding['level'], number>> = { critical: 0, warning: 1, info: 2 };

export const buildReportModel = (input: ReportInput): ReportModel => {
  const { drill, config } = input;
  const words = wordsFor(config.locale);
  const metrics = drillMetrics(drill);
  const objectives = evaluateObjectives(drill);
  const from = Date.parse(drill.startedAt);
  const to = Math.max(from + 1000, Date.parse(drill.endedAt ?? input.generatedAt.toISOString()));
  const metricRows = METRIC_NAMES.map((key): MetricRow => {
    const value = metrics[key];
    const objective = objectives.find((result) => result.metric === key);
    const isTime = key.endsWith('Ms');
    return {
      key,
      label: words.t(`report.metric.${key}`),
      value: value === null ? '—' : isTime ? formatMeasured(value) : String(value),
      objective: objective
        ? `${isTime ? `≤ ${formatDuration(objective.limit)}` : `≤ ${objective.limit}`}${objective.derived ? ' *' : ''}`
        : '',
      status: objective?.status ?? '',
      ...(isTime && value !== null && value < 1
        ? { note: ZERO_NOTES[key] ?? 'both instants were recorded in the same observation' }
        : {}),
    };
  });
  const plannedPhases = drill.plan.length ? drill.plan : DRILL_PHASES;
  const phases = plannedPhases.map((name) => {
    const phase = drill.phases.find((entry) => entry.name === name);
    if (!phase) return { name, outcome: 'not reached', detail: '' };
    const took = phaseTook(phase);
    return {
      name,
      outcome: phase.outcome,
      startedAt: phase.startedAt,
      ...(phase.endedAt ? { endedAt: phase.endedAt } : {}),
      ...(took ? { took } : {}),
      detail: phase.detail,
    };
  });
  const fact = (key: keyof Catalogue['report']['fact'], value: string): [string, string] => [
    words.t(`report.fact.${key}`),
    value,
  ];
  const facts: [string, string][] = [
    fact('drill', drill.id),
    fact('scenario', drill.dryRun ? words.t('report.scenarioDryRun', { scenario: drill.scenario }) : drill.scenario),
    fact('outcome', outcomeText(drill)),
    fact('startedBy', drill.startedBy),
    fact('started', formatLocal(drill.startedAt, config.timeZone)),
    fact('ended', drill.endedAt ? formatLocal(drill.endedAt, config.timeZone) : words.t('report.stillRunning')),
    fact('duration', formatDuration(to - from)),
    fact(
      'faults',
      drill.faults.length
        ? drill.faults.map((fault) => `${describeFault(fault)} (${siteLabel(config, fault.site)})`).join(', ')
        : words.t('report.noFaults'),
    ),
    fact('injection', words.t(drill.injection === 'simulated' ? 'report.simulated' : 'report.onPlatform')),
    fact(
      'detection',
      words.t('report.detection', {
        threshold: config.detection.failureThreshold,
        seconds: config.schedule.intervalSeconds,
        mode: config.failover.mode,
        failback: config.failover.failback,
      }),
    ),
  ];
  const derivedNote = derivedObjectivesNote(objectives, config);
  const events = timelineEvents(drill);
  const end = new Date(to).toISOString();
  return {
    title: words.t('report.title', { id: drill.id, scenario: drill.scenario }),
    ...(derivedNote ? { derivedNote } : {}),
    input,
    window: { from, to },
    metrics,
    metricRows,
    objectives,
    events,
    waits: waitRows(drill, end, words),
    progress: drill.phases
      .flatMap((phase) => (phase.notes ?? []).map((note) => ({ ...note, phase: phase.name })))
      .sort((a, b) => a.at.localeCompare(b.at)),
    zooms: zoomViews(events, { from, to }),
    findings: [...drillFindings(drill, config)].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]),
    facts,
    phases,
    ...(impactOf(input).length ? { impact: summarizeImpact(impactOf(input)) } : {}),
  };
};

/** "Objectives marked * are not set …": the promise behind each objective no config gave. */
const derivedObjectivesNote = (objectives: readonly ObjectiveResult[], config: ReportConfig): string | undefined => {
  const why: Partial<Record<ObjectiveResult['name'], string>> = {
    detect:
      `${config.detection.failureThreshold} failed rounds at ${config.schedule.intervalSeconds} s, ` +
      'plus the round in which the fault began',
    notify: 'an alert delivered within a minute',
    switch: 'failover.insyncTimeoutSeconds',
  };
  const derived = objectives.filter((result) => result.derived);
  if (derived.length === 0) return undefined;
  return (
    'Objectives marked * are not set in drills.objectives; they are what the settings promise: ' +
    derived.map((result) => `${result.label} ≤ ${formatDuration(result.limit)} (${why[result.name]})`).join('; ') +
    '.'
  );
};

const waitRows = (drill: DrillRecord, end: string, words: Words): WaitRow[] => {
  const stored: WaitRow[] = (drill.waits ?? []).map((wait) => row(wait.kind, wait, end, words));
  // After a stop condition the drill restores before it ends: that, too, is time spent waiting.
  const stop = drill.abort
    ? [
        row(
          'stop',
          {
            subject: drill.abort.phase,
            reason: `${drill.abort.code}: ${drill.abort.reason}`,
            from: drill.abort.at,
            ...(drill.marks.restoredAt || drill.endedAt ? { endedAt: drill.marks.restoredAt ?? drill.endedAt } : {}),
          },
          end,
          words,
        ),
      ]
    : [];
  return [...stored, ...stop].sort((a, b) => a.from.localeCompare(b.from));
};

const row = (
  kind: WaitRow['kind'],
  wait: Pick<DrillWait, 'subject' | 'reason' | 'from' | 'endedAt' | 'until'>,
  end: string,
  words: Words,
): WaitRow => {
  const to = wait.endedAt ?? end;
  return {
    kind,
    label: words.t(`report.wait.${kind}`),
    subject: wait.subject,
    reason: wait.reason,
    from: wait.from,
    to,
    ongoing: wait.endedAt === undefined,
    took: formatMeasured(Math.max(0, Date.parse(to) - Date.parse(wait.from))),
    ...(wait.until ? { until: wait.until } : {}),
  };
};

/** A zoom is worth drawing when its events would share less than this part of the whole axis. */
const ZOOM_SHARE = 0.4;
/** Events further apart than this part of the drill start a new zoom. */
const CLUSTER_GAP_SHARE = 0.15;
const MAX_ZOOMS = 3;

/**
 * Where the events crowd: runs of events no more than a seventh of the drill apart, each drawn
 * on its own when it would otherwise take less than 40 % of the axis (a drill that waited five
 * minutes for a failback would crush its first half-minute into a few pixels).
 */
export const zoomViews = (
  events: readonly TimelineEvent[],
  window: { readonly from: number; readonly to: number },
): TimelineView[] => {
  const span = window.to - window.from;
  const clusters: number[][] = [];
  const at = (index: number): number => Date.parse((events[index] as TimelineEvent).at);
  events.forEach((_, index) => {
    const last = clusters[clusters.length - 1];
    if (last && at(index) - at(last[last.length - 1] as number) <= span * CLUSTER_GAP_SHARE) last.push(index);
    else clusters.push([index]);
  });
  return clusters
    .filter((cluster) => cluster.length >= 2)
    .map((cluster) => {
      const first = at(cluster[0] as number);
      const last = at(cluster[cluster.length - 1] as number);
      const pad = Math.max(1000, (last - first) * 0.1);
      return {
        from: Math.max(window.from, first - pad),
        to: Math.min(window.to, last + pad),
        events: cluster,
      };
    })
    .filter((view) => view.to - view.from < span * ZOOM_SHARE)
    .slice(0, MAX_ZOOMS);
};

/** The samples given to the report, else those captured on the drill. */
export const impactOf = (input: ReportInput): readonly ImpactSample[] => input.impact ?? input.drill.impact ?? [];

export const outcomeText = (drill: DrillRecord): string => {
  if (drill.status === 'running') return 'running';
  const outcome = drill.outcome ?? 'unknown';
  return drill.abort ? `${outcome} (${drill.abort.code})` : outcome;
};

const timelineEvents = (drill: DrillRecord): TimelineEvent[] => {
  const { marks } = drill;
  const events: (TimelineEvent | undefined)[] = [
    marks.faultInjectedAt ? { at: marks.faultInjectedAt, label: 'fault injected', kind: 'fault' } : undefined,
    marks.incidentOpenedAt
      ? { at: marks.incidentOpenedAt, label: `incident ${marks.incidentId ?? ''} opened`.trim(), kind: 'detect' }
      : undefined,
    marks.alertDeliveredAt ? { at: marks.alertDeliveredAt, label: 'alert delivered', kind: 'alert' } : undefined,
    marks.acknowledgedAt
      ? {
          at: marks.acknowledgedAt,
          label: `acknowledged${marks.acknowledgedBy ? ` by ${marks.acknowledgedBy}` : ''}`,
          kind: 'ack',
        }
      : undefined,
    marks.switchRequestedAt && marks.switchRequestedAt !== marks.switchedAt
      ? { at: marks.switchRequestedAt, label: 'switch requested', kind: 'switch' }
      : undefined,
    marks.switchedAt ? { at: marks.switchedAt, label: 'switched to backup', kind: 'switch' } : undefined,
    marks.insyncAt && marks.insyncAt !== marks.switchedAt
      ? { at: marks.insyncAt, label: 'Route 53 INSYNC', kind: 'switch' }
      : undefined,
    marks.backupServingAt ? { at: marks.backupServingAt, label: 'backup serving', kind: 'serving' } : undefined,
    drill.abort ? { at: drill.abort.at, label: `aborted: ${drill.abort.code}`, kind: 'abort' } : undefined,
    marks.faultClearedAt ? { at: marks.faultClearedAt, label: 'fault cleared', kind: 'clear' } : undefined,
    marks.primaryHealthyAt ? { at: marks.primaryHealthyAt, label: 'primary healthy', kind: 'clear' } : undefined,
    marks.failbackAt ? { at: marks.failbackAt, label: 'back on primary', kind: 'failback' } : undefined,
    marks.restoredAt ? { at: marks.restoredAt, label: 'restored', kind: 'restored' } : undefined,
  ];
  return events.filter((event): event is TimelineEvent => event !== undefined).sort((a, b) => a.at.localeCompare(b.at));
};

const summarizeImpact = (samples: readonly ImpactSample[]): { requests: number; failed: number; outageMs: number } => {
  const sorted = [...samples].sort((a, b) => a.at.localeCompare(b.at));
  let outageMs = 0;
  for (let index = 0; index < sorted.length - 1; index++) {
    const sample = sorted[index] as ImpactSample;
    const next = sorted[index + 1] as ImpactSample;
    if (sample.failed > 0 && sample.failed >= sample.ok) outageMs += Date.parse(next.at) - Date.parse(sample.at);
  }
  return {
    requests: sorted.reduce((sum, sample) => sum + sample.ok + sample.failed, 0),
    failed: sorted.reduce((sum, sample) => sum + sample.failed, 0),
    outageMs,
  };
};

/** Offset of `at` from the drill's start, for tables: "+1 min 5 s". */
export const offset = (model: ReportModel, at: string): string => {
  const ms = Date.parse(at) - model.window.from;
  return ms < 1 ? 'at start' : `+${formatDuration(ms)}`;
};

/** "1 min 4 s", or "2 min so far (held until <instant>)": how long a wait took or has taken. */
export const waitTook = (wait: WaitRow): string =>
  wait.ongoing ? `${wait.took} so far${wait.until ? ` (held until ${wait.until})` : ''}` : wait.took;

/** The data-loss paragraph both renderings print. */
export const dataSummary = (drill: DrillRecord): string => {
  const { data } = drill;
  if (data.unmeasured) return `Not measured: ${data.unmeasured}.`;
  const written = writtenSeqs(drill).length;
  const ids = `ids ${drill.id}-1 … ${drill.id}-${data.attempts}`;
  if (!data.check) return `${written} record(s) written so far (${ids}); not read back yet.`;
  const parts = [
    `${written} record(s) accepted during the drill (ids ${drill.id}-1 … ` +
      `${drill.id}-${data.attempts}; ${data.onBackup.length} of them on the backup), ` +
      `read back on the primary at ${data.check.at}.`,
    `Lost: ${data.check.lost.length}${
      data.check.lost.length
        ? ` (${data.check.lost
            .slice(0, 20)
            .map((seq) => `${drill.id}-${seq}`)
            .join(', ')}${data.check.lost.length > 20 ? ', …' : ''})`
        : ''
    }.`,
    `Duplicated: ${data.check.duplicated.length}.`,
    data.refused.length ? `Refused with an error (a citizen would retry; not lost): ${data.refused.length}.` : '',
  ];
  return parts.filter(Boolean).join(' ');
};

export interface DrillJson {
  readonly id: string;
  readonly scenario: string;
  readonly outcome: string;
  readonly phases: readonly {
    readonly name: string;
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly outcome: string;
  }[];
  readonly metrics: DrillMetrics;
  readonly reportPath: string | null;
}

/** The `hcguard drill --json` document (a stable shape for tools). */
export const drillJson = (drill: DrillRecord, reportPath?: string): DrillJson => ({
  id: drill.id,
  scenario: drill.scenario,
  outcome: drill.status === 'running' ? 'running' : (drill.outcome ?? 'unknown'),
  phases: drill.phases.map((phase) => ({
    name: phase.name,
    startedAt: phase.startedAt,
    endedAt: phase.endedAt ?? null,
    outcome: phase.outcome,
  })),
  metrics: drillMetrics(drill),
  reportPath: reportPath ?? null,
});

export const siteName = (config: Pick<HcguardConfig, 'sites'>, site: Site): string => siteLabel(config, site);
