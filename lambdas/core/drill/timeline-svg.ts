// The drill's timeline as one inline SVG: the phases, the fault window, numbered markers for
// each event (detection, alert, switch, restore…), probe latency per site and the share of
// failed probes over time, and the citizens' failure rate where the traffic simulator measured
// it. Static markup only: it reads without JavaScript and without any external asset. Pure.
import { SITES, type Site } from '../model/vocabulary.ts';
import type { ProbeResult } from '../model/probing.ts';
import { formatDuration } from './state.ts';
import type { PhaseOutcome } from './model.ts';
import { formatClock } from '../time.ts';
import {
  impactOf,
  offset,
  siteName,
  type ImpactSample,
  type ReportModel,
  type TimelineEvent,
  type TimelineView,
} from './report-model.ts';

export const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** A tooltip: the title element browsers show on hover. */
const svgTitle = (text: string): string => `<title>${escapeXml(text)}</title>`;

const TIMELINE_PARTS = 'phases, fault window, events, probe latency and failures';

const WIDTH = 960;
const LEFT = 132;
const RIGHT = 24;
const PLOT = WIDTH - LEFT - RIGHT;
const PHASES_Y = 24;
const PHASE_H = 24;
const EVENTS_Y = 72;
const LATENCY_Y = 104;
const LATENCY_H = 130;
const FAILURE_Y = 262;
const FAILURE_H = 80;
const AXIS_Y = FAILURE_Y + FAILURE_H;
const MAX_BUCKETS = 60;

export const SITE_COLORS: Readonly<Record<Site, string>> = { primary: '#2b6cb0', backup: '#2f855a' };
export const PHASE_COLORS: Readonly<Record<PhaseOutcome | 'not reached', string>> = {
  passed: '#9ae6b4',
  failed: '#feb2b2',
  skipped: '#e2e8f0',
  aborted: '#fbd38d',
  running: '#bee3f8',
  'not reached': '#f7fafc',
};
const EVENT_COLORS: Readonly<Record<string, string>> = {
  fault: '#c53030',
  detect: '#dd6b20',
  alert: '#d69e2e',
  ack: '#805ad5',
  switch: '#2b6cb0',
  serving: '#2f855a',
  clear: '#718096',
  failback: '#2c5282',
  restored: '#276749',
  abort: '#9b2c2c',
};

/** Legend columns are 270 px wide: long labels (operator names) are cut, the table below has them whole. */
const shorten = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const fixed = (value: number): string => (Math.round(value * 10) / 10).toString();

interface Bucket {
  readonly from: number;
  readonly latency: Partial<Record<Site, { sum: number; count: number }>>;
  readonly failed: Partial<Record<Site, { failed: number; count: number }>>;
}

export const bucketResults = (results: readonly ProbeResult[], from: number, to: number, count: number): Bucket[] => {
  const size = (to - from) / count;
  const buckets: Bucket[] = Array.from({ length: count }, (_, index) => ({
    from: from + index * size,
    latency: {},
    failed: {},
  }));
  for (const result of results) {
    if (result.failureClass === 'aborted') continue;
    const at = Date.parse(result.startedAt);
    if (at < from || at > to) continue;
    const bucket = buckets[Math.min(count - 1, Math.floor((at - from) / size))];
    if (!bucket) continue;
    const latency = (bucket.latency[result.site] ??= { sum: 0, count: 0 });
    if (result.outcome !== 'failed') {
      latency.sum += result.durationMs;
      latency.count += 1;
    }
    const failed = (bucket.failed[result.site] ??= { failed: 0, count: 0 });
    failed.count += 1;
    if (result.outcome === 'failed') failed.failed += 1;
  }
  return buckets;
};

/** A round number of milliseconds at or above `value`, for the latency axis. */
const niceCeiling = (value: number): number => {
  const steps = [10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000];
  return steps.find((step) => step >= value) ?? Math.ceil(value / 60_000) * 60_000;
};

/** Two rows of markers, so events a moment apart do not cover each other. */
const MARKER_ROWS = [EVENTS_Y - 6, EVENTS_Y + 14];
const MARKER_GAP = 18;
const WAITS_Y = PHASES_Y + PHASE_H + 3;
const WAITS_H = 7;

/** The whole drill (the default), or one of the model's zooms; `id` keeps several on one page apart. */
export const renderTimelineSvg = (model: ReportModel, view?: TimelineView, id = 'timeline'): string => {
  const { from, to } = view ?? model.window;
  const shown = view?.events ?? model.events.map((_, index) => index);
  const { drill, config } = model.input;
  const span = to - from;
  const x = (at: number | string): number =>
    LEFT + (((typeof at === 'string' ? Date.parse(at) : at) - from) / span) * PLOT;
  const clampX = (at: number | string): number => Math.min(LEFT + PLOT, Math.max(LEFT, x(at)));
  const parts: string[] = [];
  const clock = (at: number): string => formatClock(new Date(at), config.timeZone, false);
  const count = Math.max(1, Math.min(MAX_BUCKETS, Math.ceil(span / (config.schedule.intervalSeconds * 1000))));
  const buckets = bucketResults(model.input.results, from, to, count);
  const bucketWidth = PLOT / count;
  const legendRows = Math.ceil(shown.length / 3);
  const height = AXIS_Y + 40 + legendRows * 18 + 8;

  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" ` +
      `width="${WIDTH}" height="${height}" role="img" aria-labelledby="${id}-title" ` +
      `font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`,
    `<title id="${id}-title">${escapeXml(
      `${view ? `Zoom on ${clock(from)}–${clock(to)} of drill` : 'Timeline of drill'} ${drill.id}: ${TIMELINE_PARTS}`,
    )}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  );

  // The fault window, behind everything else.
  const faultFrom = drill.marks.faultInjectedAt;
  if (faultFrom) {
    const faultTo = drill.marks.faultClearedAt ?? new Date(to).toISOString();
    const left = clampX(faultFrom);
    const faultMs = Date.parse(faultTo) - Date.parse(faultFrom);
    parts.push(
      `<rect class="fault-window" x="${fixed(left)}" y="${PHASES_Y - 6}" ` +
        `width="${fixed(Math.max(1, clampX(faultTo) - left))}" ` +
        `height="${AXIS_Y - PHASES_Y + 6}" fill="#fed7d7" ` +
        `fill-opacity="0.55">${svgTitle(`fault window: ${formatDuration(faultMs)}`)}</rect>`,
      `<text x="${fixed(left + 4)}" y="${LATENCY_Y - 4}" fill="#9b2c2c">fault window</text>`,
    );
  }

  // Lane labels.
  const label = (text: string, y: number) =>
    `<text x="${LEFT - 8}" y="${y}" text-anchor="end" fill="#2d3748" font-weight="600">${escapeXml(text)}</text>`;
  parts.push(
    label('Phases', PHASES_Y + 16),
    label('Events', EVENTS_Y + 8),
    label('Probe latency', LATENCY_Y + 12),
    label('Failed probes', FAILURE_Y + 12),
  );

  // Phases.
  for (const phase of model.phases) {
    if (!phase.startedAt) continue;
    const left = clampX(phase.startedAt);
    const right = clampX(phase.endedAt ?? new Date(to).toISOString());
    const width = Math.max(2, right - left);
    const fill = PHASE_COLORS[phase.outcome as PhaseOutcome] ?? PHASE_COLORS['not reached'];
    const took = phase.took ? `, ${phase.took}` : '';
    parts.push(
      `<g class="phase"><rect x="${fixed(left)}" y="${PHASES_Y}" ` +
        `width="${fixed(width)}" height="${PHASE_H}" fill="${fill}" stroke="#4a5568" ` +
        `stroke-width="0.5">${svgTitle(`${phase.name}: ${phase.outcome}${took} — ${phase.detail}`)}</rect>` +
        (width > phase.name.length * 6 + 6
          ? `<text x="${fixed(left + 4)}" y="${PHASES_Y + 16}" fill="#1a202c">${escapeXml(phase.name)}</text>`
          : '') +
        '</g>',
    );
  }

  // Waits: a strip under the phases for each stretch something held the drill up.
  for (const wait of model.waits) {
    if (Date.parse(wait.to) < from || Date.parse(wait.from) > to) continue;
    const left = clampX(wait.from);
    const tooltip = svgTitle(`${wait.label} (${wait.subject}), ${wait.took}: ${wait.reason}`);
    parts.push(
      `<rect class="wait" x="${fixed(left)}" y="${WAITS_Y}" width="${fixed(Math.max(2, clampX(wait.to) - left))}" ` +
        `height="${WAITS_H}" fill="#dd6b20">${tooltip}</rect>`,
    );
  }

  // Events: numbered markers and a line down through the charts; one close to the last drawn
  // goes on the other row.
  const lastInRow = MARKER_ROWS.map(() => -Infinity);
  for (const index of shown) {
    const event = model.events[index] as TimelineEvent;
    const cx = clampX(event.at);
    const row = Math.max(
      0,
      lastInRow.findIndex((last) => cx - last >= MARKER_GAP),
    );
    lastInRow[row] = cx;
    const cy = MARKER_ROWS[row] as number;
    const color = EVENT_COLORS[event.kind] ?? '#4a5568';
    parts.push(
      `<g class="event"><line x1="${fixed(cx)}" y1="${cy + 8}" x2="${fixed(cx)}" ` +
        `y2="${AXIS_Y}" stroke="${color}" stroke-width="1" stroke-dasharray="3 3"/>` +
        `<circle cx="${fixed(cx)}" cy="${cy}" r="8" ` +
        `fill="${color}">${svgTitle(`${event.label} at ${clock(Date.parse(event.at))}`)}</circle>` +
        `<text x="${fixed(cx)}" y="${cy + 4}" text-anchor="middle" fill="#ffffff" ` +
        `font-size="10" font-weight="700">${index + 1}</text></g>`,
    );
  }

  // Latency: mean duration of answering probes per bucket, one line per site.
  const maxLatency = niceCeiling(
    Math.max(
      10,
      ...buckets.flatMap((bucket) =>
        SITES.map((site) =>
          bucket.latency[site]?.count ? (bucket.latency[site]?.sum ?? 0) / (bucket.latency[site]?.count ?? 1) : 0,
        ),
      ),
    ),
  );
  const latencyY = (ms: number) => LATENCY_Y + LATENCY_H - (Math.min(ms, maxLatency) / maxLatency) * LATENCY_H;
  parts.push(
    `<rect x="${LEFT}" y="${LATENCY_Y}" width="${PLOT}" height="${LATENCY_H}" fill="none" stroke="#cbd5e0"/>`,
    `<text x="${LEFT - 8}" y="${LATENCY_Y + 26}" text-anchor="end" ` +
      `fill="#718096">${escapeXml(formatDuration(maxLatency))}</text>`,
    `<text x="${LEFT - 8}" y="${LATENCY_Y + LATENCY_H}" text-anchor="end" fill="#718096">0</text>`,
    `<line x1="${LEFT}" y1="${fixed(latencyY(maxLatency / 2))}" x2="${LEFT + PLOT}" ` +
      `y2="${fixed(latencyY(maxLatency / 2))}" stroke="#edf2f7"/>`,
  );
  for (const site of SITES) {
    const points = buckets.flatMap((bucket, index) => {
      const latency = bucket.latency[site];
      if (!latency?.count) return [];
      return [`${fixed(LEFT + (index + 0.5) * bucketWidth)},${fixed(latencyY(latency.sum / latency.count))}`];
    });
    if (points.length > 1)
      parts.push(
        `<polyline class="latency-${site}" points="${points.join(' ')}" fill="none" ` +
          `stroke="${SITE_COLORS[site]}" stroke-width="2"/>`,
      );
    for (const point of points) {
      const [px, py] = point.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="2" fill="${SITE_COLORS[site]}"/>`);
    }
  }

  // Failures: share of failed probes per bucket and site, side by side; citizens' failures on top.
  parts.push(
    `<rect x="${LEFT}" y="${FAILURE_Y}" width="${PLOT}" height="${FAILURE_H}" fill="none" stroke="#cbd5e0"/>`,
    `<text x="${LEFT - 8}" y="${FAILURE_Y + 26}" text-anchor="end" fill="#718096">100 %</text>`,
    `<text x="${LEFT - 8}" y="${FAILURE_Y + FAILURE_H}" text-anchor="end" fill="#718096">0 %</text>`,
  );
  buckets.forEach((bucket, index) => {
    SITES.forEach((site, siteIndex) => {
      const failed = bucket.failed[site];
      if (!failed?.count || failed.failed === 0) return;
      const share = failed.failed / failed.count;
      const barWidth = Math.max(1, bucketWidth / 2 - 1);
      const barX = LEFT + index * bucketWidth + siteIndex * (bucketWidth / 2);
      parts.push(
        `<rect class="failures-${site}" x="${fixed(barX)}" ` +
          `y="${fixed(FAILURE_Y + FAILURE_H - share * FAILURE_H)}" ` +
          `width="${fixed(barWidth)}" height="${fixed(share * FAILURE_H)}" ` +
          `fill="${site === 'primary' ? '#e53e3e' : '#ed8936'}">` +
          `${svgTitle(`${siteName(config, site)}: ${failed.failed} of ${failed.count} probes failed`)}</rect>`,
      );
    });
  });
  const impact = impactOf(model.input);
  if (impact.length > 1) parts.push(impactLine(impact, x, clampX));

  // Time axis in the config's time zone.
  parts.push(`<line x1="${LEFT}" y1="${AXIS_Y}" x2="${LEFT + PLOT}" y2="${AXIS_Y}" stroke="#4a5568"/>`);
  const ticks = 6;
  for (let tick = 0; tick <= ticks; tick++) {
    const at = from + (span * tick) / ticks;
    const tx = LEFT + (PLOT * tick) / ticks;
    parts.push(
      `<line x1="${fixed(tx)}" y1="${AXIS_Y}" x2="${fixed(tx)}" y2="${AXIS_Y + 4}" stroke="#4a5568"/>`,
      `<text x="${fixed(tx)}" y="${AXIS_Y + 16}" ` +
        `text-anchor="${tick === 0 ? 'start' : tick === ticks ? 'end' : 'middle'}" ` +
        `fill="#4a5568">${escapeXml(formatClock(new Date(at), config.timeZone, false))}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT - 8}" y="${AXIS_Y + 16}" text-anchor="end" fill="#718096">${escapeXml(config.timeZone)}</text>`,
  );

  // Legend: series, then the numbered events.
  const legendY = AXIS_Y + 34;
  const key = (lx: number, color: string, text: string) =>
    `<rect x="${lx}" y="${legendY - 9}" width="10" height="10" ` +
    `fill="${color}"/><text x="${lx + 14}" y="${legendY}" ` +
    `fill="#2d3748">${escapeXml(text)}</text>`;
  const legendItems: [string, string][] = [
    [SITE_COLORS.primary, `latency: ${siteName(config, 'primary')}`],
    [SITE_COLORS.backup, `latency: ${siteName(config, 'backup')}`],
    ['#e53e3e', 'failed: primary'],
    ['#ed8936', 'failed: backup'],
    ...(impact.length > 1 ? ([['#1a202c', 'citizens failing']] as [string, string][]) : []),
    ['#fed7d7', 'fault window'],
    ...(model.waits.length ? ([['#dd6b20', 'waits']] as [string, string][]) : []),
  ];
  let legendX = LEFT;
  for (const [color, text] of legendItems) {
    parts.push(key(legendX, color, text));
    legendX += 24 + text.length * 6.2;
  }
  shown.forEach((index, position) => {
    const event = model.events[index] as TimelineEvent;
    const column = position % 3;
    const row = Math.floor(position / 3);
    const ex = LEFT + column * 270;
    const ey = legendY + 20 + row * 18;
    parts.push(
      `<circle cx="${ex + 6}" cy="${ey - 4}" r="7" ` +
        `fill="${EVENT_COLORS[event.kind] ?? '#4a5568'}"/><text x="${ex + 6}" ` +
        `y="${ey - 0.5}" text-anchor="middle" fill="#ffffff" font-size="9" ` +
        `font-weight="700">${index + 1}</text>` +
        `<text x="${ex + 18}" y="${ey}" ` +
        `fill="#2d3748">${escapeXml(`${shorten(event.label, 30)} (${offset(model, event.at)})`)}` +
        '</text>',
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
};

const impactLine = (
  samples: readonly ImpactSample[],
  x: (at: string) => number,
  clampX: (at: string) => number,
): string => {
  const points = [...samples]
    .sort((a, b) => a.at.localeCompare(b.at))
    .filter((sample) => x(sample.at) >= LEFT && x(sample.at) <= LEFT + PLOT)
    .map((sample) => {
      const total = sample.ok + sample.failed;
      const share = total === 0 ? 0 : sample.failed / total;
      return `${fixed(clampX(sample.at))},${fixed(FAILURE_Y + FAILURE_H - share * FAILURE_H)}`;
    });
  return points.length > 1
    ? `<polyline class="citizens" points="${points.join(' ')}" fill="none" stroke="#1a202c" stroke-width="1.5"/>`
    : '';
};
