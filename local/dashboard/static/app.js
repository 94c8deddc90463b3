// The dashboard page: renders the state the server pushes (Server-Sent Events) and sends the
// operator's actions to the JSON API. Every value is put into the page as text (textContent,
// setAttribute), never as markup, so a probe message cannot inject HTML.
// Words come from the catalogue of the config's locale (GET /api/words/<locale>), through i18next.
/* global document, Node, FormData, EventSource, fetch, setTimeout, clearTimeout */
import i18next from '/vendor/i18next.js';

const SVG = 'http://www.w3.org/2000/svg';
const STAGES = ['verification', 'collection', 'transmission'];

const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children)
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
};
const svg = (tag, attributes = {}) => {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
};

const t = (key, params) => i18next.t(key, params);

let wordsReady;
/** Loads the locale's words once, then words the page's fixed text. */
const useLocale = (locale) =>
  (wordsReady ??= fetch(`/api/words/${encodeURIComponent(locale)}`)
    .then((response) => response.json())
    .then((words) =>
      i18next.init({
        lng: locale,
        resources: { [locale]: { translation: words } },
        nsSeparator: false,
        interpolation: { escapeValue: false },
      }),
    )
    .then(() => {
      document.documentElement.lang = locale;
      for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
      for (const node of document.querySelectorAll('[data-i18n-placeholder]'))
        node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
      for (const option of document.querySelectorAll('option[data-word]')) option.textContent = t(option.dataset.word);
    }));

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '');
const ago = (iso, now) => {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (seconds < 90) return t('dashboard.ago.seconds', { count: seconds });
  if (seconds < 5400) return t('dashboard.ago.minutes', { count: Math.round(seconds / 60) });
  return t('dashboard.ago.hours', { count: Math.round(seconds / 3600) });
};
const percent = (rate) => (rate === undefined ? '—' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)} %`);

/** A short span in words: "45 s", "12 min", "3.5 h". */
const span = (ms) => {
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return t('dashboard.span.seconds', { count: seconds });
  if (seconds < 5400) return t('dashboard.span.minutes', { count: Math.round(seconds / 60) });
  return t('dashboard.span.hours', { count: (seconds / 3600).toFixed(1).replace(/\.0$/, '') });
};

/** A chart's axis label, in the chart's own coordinates. */
const label = (x, y, text, anchor = 'start') => {
  const node = svg('text', { x, y, class: 'axis-label', 'text-anchor': anchor });
  node.textContent = text;
  return node;
};

/**
 * Probe latency over time: a line on a 0–peak ms scale (labelled on the left), the time span
 * under it, failed rounds marked in red.
 */
const sparkline = (points) => {
  const width = 200;
  const height = 54;
  const left = 34;
  const top = 4;
  const bottom = height - 14;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'sparkline', role: 'img' });
  const title = svg('title');
  if (points.length === 0) {
    title.textContent = t('dashboard.noResults');
    chart.append(title, label(left, bottom, t('dashboard.noResults')));
    return chart;
  }
  const max = Math.max(50, ...points.map((point) => point.ms));
  const x = (index) =>
    points.length === 1 ? (left + width) / 2 : left + 2 + (index * (width - left - 4)) / (points.length - 1);
  const y = (ms) => bottom - (ms / max) * (bottom - top);
  chart.append(
    svg('line', { x1: left, y1: top, x2: left, y2: bottom, class: 'axis' }),
    svg('line', { x1: left, y1: bottom, x2: width, y2: bottom, class: 'axis' }),
    label(left - 3, top + 7, `${max} ms`, 'end'),
    label(left - 3, bottom, '0', 'end'),
    label(left, height - 2, time(points[0].at)),
    label(width, height - 2, time(points[points.length - 1].at), 'end'),
  );
  const path = points
    .map((point, index) => `${index === 0 ? 'M' : 'L'}${x(index).toFixed(1)},${y(point.ms).toFixed(1)}`)
    .join(' ');
  chart.append(svg('path', { d: path, class: 'line' }));
  points.forEach((point, index) => {
    if (point.outcome !== 'ok')
      chart.append(
        svg('circle', { cx: x(index).toFixed(1), cy: y(point.ms).toFixed(1), r: 2.5, class: point.outcome }),
      );
  });
  const last = points[points.length - 1];
  title.textContent = t('dashboard.latency', {
    count: points.length,
    ms: last.ms,
    outcome: last.outcome,
    peak: Math.max(...points.map((point) => point.ms)),
  });
  chart.append(title);
  return chart;
};

const renderBanner = (state) => {
  const overall = state.overall;
  const banner = document.getElementById('banner');
  banner.className = `banner ${overall.level}`;
  banner.dataset.level = overall.level;
  document.getElementById('banner-headline').textContent = overall.headline;
  document.getElementById('banner-since').textContent = overall.since
    ? t('dashboard.sinceAgo', { time: time(overall.since), ago: ago(overall.since, state.generatedAt) })
    : '';
  document
    .getElementById('banner-causes')
    .replaceChildren(...(overall.causes.length > 1 ? overall.causes.map((cause) => el('li', {}, cause)) : []));
  document.title = `${t(`dashboard.level.${overall.level}`)} · hcguard ${state.name}`;
  document.getElementById('favicon').setAttribute('href', `/favicon-${overall.level}.svg`);
};

const uptimeText = (window) =>
  window.ratio === undefined
    ? '—'
    : `${(window.ratio * 100).toFixed(window.ratio === 1 ? 0 : window.ratio >= 0.999 ? 3 : 2)} %`;

const uptimeClass = (ratio) =>
  ratio === undefined ? 'none' : ratio >= 0.999 ? 'good' : ratio >= 0.99 ? 'fair' : 'bad';

const renderUptime = (state) => {
  const table = document.getElementById('uptime');
  const headRow = table.tHead.rows[0];
  while (headRow.cells.length > 1) headRow.deleteCell(1);
  for (const site of state.sites) headRow.append(el('th', { scope: 'col' }, t(`site.${site.site}`)));
  const body = el('tbody');
  for (const stage of STAGES) {
    const row = el('tr', {}, el('th', { scope: 'row' }, t(`stage.${stage}`)));
    for (const site of state.sites) {
      const entry = state.uptime.find((item) => item.site === site.site && item.stage === stage);
      const windows = entry ? entry.windows : [];
      row.append(
        el(
          'td',
          { 'data-uptime': `${site.site}/${stage}` },
          ...windows.map((window) =>
            el(
              'span',
              {
                class: `uptime-window ${uptimeClass(window.ratio)}`,
                'data-window': window.label,
                title:
                  window.ratio === undefined
                    ? t('dashboard.uptimeNone', { window: window.label })
                    : t('dashboard.uptimeFailing', {
                        failing: span(window.failingMs),
                        observed: span(window.observedMs),
                      }),
              },
              el('small', {}, window.label),
              ' ',
              uptimeText(window),
            ),
          ),
        ),
      );
    }
    body.append(row);
  }
  table.tBodies[0].replaceWith(body);
};

/** Incidents of the last 24 hours as bars on a time axis, one lane each, coloured by severity. */
const renderTimeline = (state) => {
  const box = document.getElementById('timeline');
  const timeline = state.timeline;
  if (timeline.incidents.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('dashboard.noTimeline')));
    return;
  }
  const from = Date.parse(timeline.from);
  const to = Date.parse(timeline.to);
  const width = 1000;
  const lane = 18;
  const axis = 18;
  const height = timeline.incidents.length * lane + axis + 4;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'timeline',
    role: 'img',
    preserveAspectRatio: 'none',
    height,
  });
  const title = svg('title');
  title.textContent = t('dashboard.timelineTitle', {
    count: timeline.incidents.length,
    from: time(timeline.from),
    to: time(timeline.to),
  });
  chart.append(title);
  const x = (ms) => ((Math.min(to, Math.max(from, ms)) - from) / (to - from)) * width;
  for (let hour = 0; hour <= 24; hour += 3) {
    const at = from + hour * 3_600_000;
    chart.append(svg('line', { x1: x(at), y1: 0, x2: x(at), y2: height - axis, class: 'grid' }));
  }
  timeline.incidents.forEach((incident, index) => {
    const start = x(Date.parse(incident.openedAt));
    const end = x(incident.resolvedAt ? Date.parse(incident.resolvedAt) : to);
    const bar = svg('rect', {
      x: start.toFixed(1),
      y: index * lane + 3,
      width: Math.max(3, end - start).toFixed(1),
      height: lane - 6,
      class: `bar ${incident.severity}${incident.resolvedAt ? '' : ' open'}`,
      'data-timeline-incident': incident.id,
    });
    const tip = svg('title');
    tip.textContent =
      `${incident.severity} ${incident.title}: ${time(incident.openedAt)}–` +
      `${incident.resolvedAt ? time(incident.resolvedAt) : t('dashboard.now')}` +
      (incident.drillId ? ` (${t('dashboard.drill', { id: incident.drillId })})` : '');
    bar.append(tip);
    chart.append(bar);
  });
  const list = el(
    'ol',
    { class: 'timeline-list' },
    ...[...timeline.incidents]
      .reverse()
      .map((incident) =>
        el(
          'li',
          {},
          el('span', { class: `severity ${incident.severity}` }, incident.severity),
          ` ${time(incident.openedAt)}–${incident.resolvedAt ? time(incident.resolvedAt) : t('dashboard.now')} `,
          el(
            'small',
            {},
            `(${span((incident.resolvedAt ? Date.parse(incident.resolvedAt) : to) - Date.parse(incident.openedAt))})`,
          ),
          ' ',
          incident.title,
          incident.drillId ? el('small', {}, ` · ${t('dashboard.drill', { id: incident.drillId })}`) : null,
        ),
      ),
  );
  const ticks = el(
    'div',
    { class: 'timeline-axis' },
    ...[0, 6, 12, 18, 24].map((hour) =>
      el(
        'span',
        {},
        hour === 24 ? t('dashboard.now') : time(new Date(from + hour * 3_600_000).toISOString()).slice(0, 5),
      ),
    ),
  );
  box.replaceChildren(chart, ticks, list);
};

const renderTargets = (state) => {
  const table = document.getElementById('targets');
  const headRow = table.tHead.rows[0];
  while (headRow.cells.length > 1) headRow.deleteCell(1);
  for (const site of state.sites)
    headRow.append(el('th', { scope: 'col' }, site.label, el('br'), el('small', {}, site.endpoint)));
  const body = el('tbody');
  for (const stage of STAGES) {
    const row = el('tr', {}, el('th', { scope: 'row' }, t(`stage.${stage}`)));
    for (const site of state.sites) {
      const target = state.targets.find((entry) => entry.site === site.site && entry.stage === stage);
      const health = target ? target.health : 'unknown';
      const serving = state.routing.some((route) => route.activeSite === site.site);
      row.append(
        el(
          'td',
          { 'data-target': `${site.site}/${stage}`, 'data-health': health, class: `target ${health}` },
          el(
            'span',
            { class: `badge ${health}` },
            t(`health.${health}`),
            target && target.flapping ? ` ${t('dashboard.flapping')}` : '',
          ),
          serving && stage === 'verification' ? el('span', { class: 'serving' }, t('dashboard.serving')) : null,
          el(
            'span',
            { class: 'since' },
            target && target.since ? t('dashboard.since', { time: time(target.since) }) : '',
          ),
          target && target.failingRounds
            ? el('span', { class: 'failing-rounds' }, t('dashboard.failingRounds', target.failingRounds))
            : null,
          target && target.hold
            ? el(
                'span',
                { class: 'hold', 'data-hold-until': target.hold.until },
                t('dashboard.hold', {
                  time: time(target.hold.until),
                  reason: target.hold.reason,
                  target: `${site.site}/${stage}`,
                }),
              )
            : null,
          sparkline(target ? target.latency : []),
          target && target.lastMessage && health !== 'healthy'
            ? el('span', { class: 'message' }, target.lastMessage)
            : null,
        ),
      );
    }
    body.append(row);
  }
  table.tBodies[0].replaceWith(body);
};

const renderRouting = (state) => {
  const box = document.getElementById('routing');
  if (state.routing.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('dashboard.noRecord')));
    return;
  }
  box.replaceChildren(
    ...state.routing.map((route) =>
      el(
        'div',
        { class: `route ${route.activeSite}`, 'data-record': route.record, 'data-active-site': route.activeSite },
        el('p', { class: 'record' }, route.record),
        el(
          'p',
          { class: 'active' },
          '→ ',
          el('strong', {}, t(`site.${route.activeSite}`)),
          ` ${t('dashboard.sinceAgo', { time: time(route.since), ago: ago(route.since, state.generatedAt) })}`,
        ),
        el('p', { class: 'why' }, route.reason, ' — ', route.actor),
        route.pendingTo
          ? el('p', { class: 'pending' }, t('dashboard.switching', { site: t(`site.${route.pendingTo}`) }))
          : null,
        route.refusal ? el('p', { class: 'refusal' }, t('dashboard.refusing', { why: route.refusal })) : null,
      ),
    ),
  );
};

/** Successes and failures per bucket as stacked bars: the citizens' view of an outage. */
const citizensChart = (buckets, bucketSeconds) => {
  const width = 320;
  const height = 84;
  const left = 28;
  const bottom = height - 14;
  const shown = buckets.slice(-60);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'citizens-chart', role: 'img' });
  const title = svg('title');
  title.textContent = t('dashboard.citizensChart', { seconds: bucketSeconds });
  chart.append(title);
  const max = Math.max(1, ...shown.map((bucket) => bucket.ok + bucket.failed));
  const barWidth = (width - left) / 60;
  chart.append(
    svg('line', { x1: left, y1: 0, x2: left, y2: bottom, class: 'axis' }),
    svg('line', { x1: left, y1: bottom, x2: width, y2: bottom, class: 'axis' }),
    label(left - 3, 9, String(max), 'end'),
    label(left - 3, bottom, '0', 'end'),
    label(left, height - 2, `−${span(60 * bucketSeconds * 1000)}`),
    label(width, height - 2, t('dashboard.perBucket', { seconds: bucketSeconds }), 'end'),
  );
  shown.forEach((bucket, index) => {
    const x = left + (index + 60 - shown.length) * barWidth;
    const okHeight = (bucket.ok / max) * (bottom - 2);
    const failedHeight = (bucket.failed / max) * (bottom - 2);
    chart.append(
      svg('rect', {
        x: x.toFixed(1),
        y: (bottom - okHeight).toFixed(1),
        width: (barWidth - 1).toFixed(1),
        height: okHeight.toFixed(1),
        class: 'ok',
      }),
    );
    chart.append(
      svg('rect', {
        x: x.toFixed(1),
        y: (bottom - okHeight - failedHeight).toFixed(1),
        width: (barWidth - 1).toFixed(1),
        height: failedHeight.toFixed(1),
        class: 'failed',
      }),
    );
  });
  return chart;
};

const renderCitizens = (state) => {
  const box = document.getElementById('citizens');
  const citizens = state.citizens;
  if (!citizens) {
    box.replaceChildren(el('p', { class: 'empty' }, t('dashboard.citizensOff')));
    return;
  }
  const rate = citizens.recent.successRate;
  const open = citizens.outages.find((outage) => !outage.end);
  const lastClosed = [...citizens.outages].reverse().find((outage) => outage.end);
  const parts = [
    el(
      'p',
      {
        class: `rate ${rate === undefined ? '' : rate >= 0.99 ? 'good' : rate >= 0.9 ? 'fair' : 'bad'}`,
        'data-success-rate': rate === undefined ? '' : rate.toFixed(3),
      },
      percent(rate),
      el('small', {}, ` ${t('dashboard.succeeded', { seconds: citizens.recent.seconds })}`),
    ),
    el(
      'p',
      { class: 'resolved', 'data-citizens-site': citizens.answer && citizens.answer.site ? citizens.answer.site : '' },
      t('dashboard.resolvesTo', {
        record: citizens.record,
        values: citizens.answer ? citizens.answer.values.join(', ') : '…',
      }),
      citizens.answer && citizens.answer.site
        ? ` ${t('dashboard.cachedUntil', {
            site: t(`site.${citizens.answer.site}`),
            time: time(citizens.answer.expiresAt),
          })}`
        : '',
    ),
    citizensChart(citizens.buckets, citizens.bucketSeconds),
    el(
      'p',
      { class: 'totals' },
      t('dashboard.totals', {
        ok: citizens.totals.ok,
        failed: citizens.totals.failed,
        rate: citizens.requestsPerSecond,
      }),
    ),
    open
      ? el('p', { class: 'outage open' }, t('dashboard.outageOpen', { time: time(open.start), failed: open.failed }))
      : lastClosed
        ? el(
            'p',
            { class: 'outage' },
            t('dashboard.outageLast', {
              from: time(lastClosed.start),
              to: time(lastClosed.end),
              seconds: (lastClosed.durationMs / 1000).toFixed(1),
              failed: lastClosed.failed,
            }),
          )
        : null,
    citizens.failureReasons.length > 0
      ? el(
          'p',
          { class: 'reasons' },
          t('dashboard.failures', {
            list: citizens.failureReasons.map((entry) => `${entry.reason} ×${entry.count}`).join(', '),
          }),
        )
      : null,
  ];
  box.replaceChildren(...parts.filter(Boolean));
};

const renderIncidents = (state) => {
  const body = el('tbody');
  for (const incident of state.incidents) {
    const button =
      incident.status === 'open'
        ? el('button', { type: 'button', class: 'ack', 'data-ack': incident.id }, t('dashboard.acknowledge'))
        : null;
    body.append(
      el(
        'tr',
        { 'data-incident-id': incident.id, 'data-severity': incident.severity, 'data-status': incident.status },
        el(
          'td',
          { 'data-label': t('dashboard.column.severity') },
          el('span', { class: `severity ${incident.severity}` }, incident.severity),
        ),
        el(
          'td',
          { 'data-label': t('dashboard.column.incident') },
          el('strong', {}, incident.title),
          el('br'),
          el('small', {}, incident.id, incident.drillId ? ` · ${t('dashboard.drill', { id: incident.drillId })}` : ''),
        ),
        el(
          'td',
          { 'data-label': t('dashboard.column.where') },
          [incident.site && t(`site.${incident.site}`), incident.stage && t(`stage.${incident.stage}`)]
            .filter(Boolean)
            .join(' / '),
        ),
        el(
          'td',
          { 'data-label': t('dashboard.column.opened') },
          time(incident.openedAt),
          el('br'),
          el('small', {}, ago(incident.openedAt, state.generatedAt)),
        ),
        el(
          'td',
          { 'data-label': t('dashboard.column.status') },
          t(`incidentStatus.${incident.status}`),
          incident.acknowledgedBy
            ? el('small', {}, ` ${t('dashboard.ackedBy', { who: incident.acknowledgedBy })}`)
            : null,
        ),
        el('td', {}, button),
      ),
    );
  }
  document.getElementById('incidents').tBodies[0].replaceWith(body);
  document.getElementById('no-incidents').hidden = state.incidents.length > 0;
};

const renderFaults = (state) => {
  const list = document.getElementById('faults');
  list.replaceChildren(
    ...(state.faults.length === 0
      ? [el('li', { class: 'empty' }, t('dashboard.noFault'))]
      : state.faults.map((fault) =>
          el(
            'li',
            { 'data-fault': `${fault.site}/${fault.stage}/${fault.mode}` },
            el('strong', {}, fault.mode),
            ` ${t('dashboard.fault', {
              site: t(`site.${fault.site}`),
              stage: t(`stage.${fault.stage}`),
              time: time(fault.since),
            })}`,
            fault.until ? ` ${t('dashboard.faultUntil', { time: time(fault.until) })}` : '',
          ),
        )),
  );
};

let knownScenarios = '';
const renderDrills = (state) => {
  const scenarios = state.scenarios.join('\n');
  if (scenarios !== knownScenarios) {
    knownScenarios = scenarios;
    document
      .getElementById('scenario')
      .replaceChildren(...state.scenarios.map((name) => el('option', { value: name }, name)));
  }
  const body = el('tbody');
  for (const drill of state.drills) {
    body.append(
      el(
        'tr',
        { 'data-drill-id': drill.id, 'data-outcome': drill.outcome },
        el('td', { 'data-label': t('dashboard.column.drill') }, drill.id),
        el('td', { 'data-label': t('dashboard.column.scenario') }, drill.scenario),
        el('td', { 'data-label': t('dashboard.column.started') }, time(drill.startedAt)),
        el(
          'td',
          { 'data-label': t('dashboard.column.outcome') },
          el('span', { class: `outcome ${drill.outcome}` }, drill.outcome),
        ),
        el('td', { class: 'detail', 'data-label': t('dashboard.column.nowWhy') }, drill.detail ?? ''),
        el(
          'td',
          { 'data-label': t('dashboard.column.report') },
          drill.reportUrl
            ? el('a', { href: drill.reportUrl, target: '_blank', rel: 'noopener' }, t('dashboard.column.report'))
            : '',
        ),
      ),
    );
  }
  document.getElementById('drills').tBodies[0].replaceWith(body);
};

const render = (state) => {
  document.getElementById('name').textContent = state.name;
  renderBanner(state);
  const rounds = state.rounds;
  document.getElementById('meta').textContent =
    t('dashboard.meta', { count: rounds.count, seconds: rounds.intervalSeconds }) +
    (rounds.lastStartedAt
      ? t('dashboard.metaLast', { time: time(rounds.lastStartedAt), ms: rounds.lastDurationMs })
      : '') +
    (rounds.lastError ? t('dashboard.metaFailed', { error: rounds.lastError }) : '') +
    t('dashboard.metaTail', { endpoint: state.awsEndpoint, time: time(state.generatedAt) });
  const warnings = document.getElementById('warnings');
  warnings.hidden = state.warnings.length === 0;
  warnings.replaceChildren(...state.warnings.map((warning) => el('li', {}, warning)));
  renderTargets(state);
  renderUptime(state);
  renderRouting(state);
  renderCitizens(state);
  renderIncidents(state);
  renderTimeline(state);
  renderFaults(state);
  renderDrills(state);
  document.body.dataset.updated = state.generatedAt;
};

const toast = (text, isError) => {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.className = isError ? 'error' : '';
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
};

const post = async (path, body) => {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
};

const act = async (what, path, body) => {
  try {
    const answer = await post(path, body);
    toast(what);
    return answer;
  } catch (error) {
    toast(t('dashboard.actionFailed', { what, error: error.message }), true);
    return undefined;
  }
};

document.addEventListener('click', (event) => {
  const ack = event.target.closest('button[data-ack]');
  if (ack) {
    ack.disabled = true;
    void act(
      t('dashboard.acked', { id: ack.dataset.ack }),
      `/api/incidents/${encodeURIComponent(ack.dataset.ack)}/ack`,
      {},
    );
  }
});
document.getElementById('fault-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { site: form.get('site'), stage: form.get('stage'), mode: form.get('mode') };
  const forSeconds = Number(form.get('forSeconds'));
  if (forSeconds > 0) body.forSeconds = forSeconds;
  const where = { mode: body.mode, site: t(`site.${body.site}`), stage: t(`stage.${body.stage}`) };
  void act(t('dashboard.injected', where), '/api/faults', body);
});
document
  .getElementById('clear-faults')
  .addEventListener('click', () => void act(t('dashboard.cleared'), '/api/faults/clear', {}));
document.getElementById('drill-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const scenario = new FormData(event.target).get('scenario');
  void act(t('dashboard.drillStarted', { scenario }), '/api/drills', { scenario });
});

const connect = () => {
  const events = new EventSource('/api/events');
  events.addEventListener('state', async (event) => {
    document.getElementById('connection').hidden = true;
    const state = JSON.parse(event.data);
    await useLocale(state.locale);
    render(state);
  });
  events.addEventListener('error', () => {
    document.getElementById('connection').hidden = false;
  });
};
connect();
