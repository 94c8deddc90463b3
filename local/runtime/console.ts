// What `npm start` prints: where everything is, then a live status table. On a terminal the table
// redraws in place; into a pipe or file it prints one line per change instead, so logs stay
// readable and diffable.
import {
  displayWidth,
  padDisplay,
  phrase,
  wordsFor,
  type MessageKey,
  type Params,
  type Words,
} from '../../lambdas/core/i18n/index.ts';
import type { TargetHealth } from '../../lambdas/core/model/probing.ts';
import { formatClock } from '../../lambdas/core/time.ts';
import { SITES, STAGES, type Site } from '../../lambdas/core/model/vocabulary.ts';
import type { DashboardState, StatePart } from '../dashboard/state.ts';

export interface Endpoints {
  readonly dashboardUrl: string;
  readonly awsEndpoint: string;
  /** "started by hcguard up" or "from AWS_ENDPOINT_URL". */
  readonly awsOrigin: string;
  /** The sandbox's sites, or the configured platform's, with why no sandbox runs. */
  readonly platform:
    | { readonly sandbox: Readonly<Record<'primary' | 'backup', string>> }
    | {
        readonly sites: Readonly<Record<'primary' | 'backup', string>>;
        readonly reason: string;
        readonly faultHook: string | undefined;
      };
  readonly runtimeFile: string;
  readonly probeLog: string;
  readonly tableName: string;
}

export const describeEndpoints = (endpoints: Endpoints): string =>
  [
    'hcguard is running locally.',
    `  dashboard       ${endpoints.dashboardUrl}`,
    ...('sandbox' in endpoints.platform
      ? [
          `  sandbox         primary ${endpoints.platform.sandbox.primary}   ` +
            `backup ${endpoints.platform.sandbox.backup}`,
        ]
      : [
          `  platform        primary ${endpoints.platform.sites.primary}   backup ${endpoints.platform.sites.backup}` +
            " (the config's sites; no sandbox started)",
          `  why             ${endpoints.platform.reason}`,
          endpoints.platform.faultHook
            ? `  faults          through the fault hook at ${endpoints.platform.faultHook}`
            : '  faults          none: set drills.faultHookUrl to inject faults and run drills that need them',
          "  citizens        not simulated (they speak the sandbox's API)",
        ]),
    `  local AWS       ${endpoints.awsEndpoint} (${endpoints.awsOrigin}); table ${endpoints.tableName}`,
    `  runtime file    ${endpoints.runtimeFile} (hcguard status, fault, drill, ack, ` +
      `failover find it); probe Lambda log ${endpoints.probeLog}`,
    'sandbox' in endpoints.platform
      ? '  try             npx hcguard fault primary verification error   then watch the failover; ' +
        'Ctrl-C stops everything'
      : '  try             npx hcguard probe test <probe-id>   to see one probe step by step; ' +
        'Ctrl-C stops everything',
    '',
  ].join('\n');

const percent = (rate: number | undefined): string => (rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
/** "10:00:05" in the config's time zone. */
const clockIn =
  (timeZone: string) =>
  (iso: string | undefined): string =>
    iso ? formatClock(new Date(iso), timeZone, false) : '';
/** Fixed width in terminal columns (a Chinese character takes two), cut when too long. */
const pad = (text: string, width: number): string => {
  let cut = text;
  while (displayWidth(cut) > width) cut = cut.slice(0, -1);
  return padDisplay(cut, width);
};

/** Width of a site's column: room for `healthy (2/3 failing) 1234ms`. */
const CELL = 30;

/** The status table: site × stage, routing, open incidents, citizens. Plain text, fixed width. */
export const statusTable = (state: DashboardState): string[] => {
  const words = wordsFor(state.locale);
  const clock = clockIn(state.timeZone);
  const site = (which: Site) => words.t(`site.${which}`);
  const lines: string[] = [];
  const rounds = state.rounds;
  lines.push(
    `${clock(state.generatedAt)}  ` +
      words.t('console.round', { count: rounds.count, seconds: rounds.intervalSeconds }) +
      (rounds.lastDurationMs !== undefined ? ` ${words.t('console.lastRound', { ms: rounds.lastDurationMs })}` : '') +
      (rounds.lastError ? `  ${words.t('console.roundFailed', { error: rounds.lastError })}` : ''),
  );
  const overall = state.overall;
  lines.push(
    `  ${overall.headline}${overall.since ? ` ${words.t('console.since', { at: clock(overall.since) })}` : ''}`,
  );
  lines.push(`  ${pad(words.t('console.stage'), 14)}${SITES.map((which) => pad(site(which), CELL)).join('')}`);
  for (const stage of STAGES) {
    const cells = SITES.map((which) => {
      const target = state.targets.find((entry) => entry.site === which && entry.stage === stage);
      const last = target?.latency.at(-1);
      const below = target?.failingRounds ? ` ${words.t('console.failingRounds', target.failingRounds)}` : '';
      return pad(
        `${words.t(`health.${target?.health ?? 'unknown'}`)}${target?.flapping ? '!' : ''}${below}` +
          `${last ? ` ${last.ms}ms` : ''}`,
        CELL,
      );
    });
    lines.push(`  ${pad(words.t(`stage.${stage}`), 14)}${cells.join('')}`);
  }
  for (const route of state.routing) {
    lines.push(
      `  ${words.t('console.routing', {
        record: route.record,
        site: site(route.activeSite),
        at: clock(route.since),
        reason: route.reason,
      })}${route.refusal ? `; ${words.t('console.refusing', { why: route.refusal })}` : ''}`,
    );
  }
  if (state.incidents.length === 0) lines.push(`  ${words.t('console.noIncidents')}`);
  for (const incident of state.incidents.slice(0, 5)) {
    lines.push(
      `  ${words.t('console.incident', {
        severity: incident.severity,
        id: incident.id,
        status: words.t(`incidentStatus.${incident.status}`),
        at: clock(incident.openedAt),
        title: incident.title,
      })}`,
    );
  }
  if (state.incidents.length > 5) lines.push(`  ${words.t('console.more', { count: state.incidents.length - 5 })}`);
  if (state.faults.length > 0)
    lines.push(
      `  ${words.t('console.faults', { list: state.faults.map((fault) => faultText(fault, words)).join(', ') })}`,
    );
  const citizens = state.citizens;
  if (citizens) {
    const outage = citizens.outages.at(-1);
    lines.push(
      `  ${words.t('console.citizens', {
        rate: percent(citizens.recent.successRate),
        seconds: citizens.recent.seconds,
        site: citizens.answer?.site ? site(citizens.answer.site) : '?',
      })}` +
        (outage && !outage.end
          ? `; ${words.t('console.citizensOutage', { at: clock(outage.start), failed: outage.failed })}`
          : ''),
    );
  }
  for (const warning of state.warnings) lines.push(`  ! ${warning}`);
  return lines;
};

const faultText = (fault: DashboardState['faults'][number], words: Words): string =>
  words.t('console.fault', {
    mode: fault.mode,
    site: phrase(`site.${fault.site}`),
    stage: phrase(`stage.${fault.stage}`),
  });

/** `state`, with what it could not read taken from `previous`: an unreadable part is a warning, not a change. */
export const withUnreadFrom = (previous: DashboardState | undefined, state: DashboardState): DashboardState => {
  if (!previous || !state.unread?.length) return state;
  const unread = (part: StatePart) => state.unread?.includes(part);
  return {
    ...state,
    ...(unread('target states') ? { targets: previous.targets } : {}),
    ...(unread('routing') ? { routing: previous.routing } : {}),
    ...(unread('incidents') ? { incidents: previous.incidents } : {}),
    ...(unread('sandbox faults') ? { faults: previous.faults } : {}),
    ...(unread('drills') ? { drills: previous.drills } : {}),
  };
};

/** One line per thing that changed between two states; nothing when nothing did. */
export const changeLines = (before: DashboardState | undefined, after: DashboardState): string[] => {
  const words = wordsFor(after.locale);
  const clock = clockIn(after.timeZone);
  const at = clock(after.generatedAt);
  const health = (value: TargetHealth | undefined) => words.t(`health.${value ?? 'unknown'}`);
  const lines: string[] = [];
  const say = (key: MessageKey, params?: Params) => lines.push(`${at} ${words.t(key, params)}`);
  for (const target of after.targets) {
    const previous = before?.targets.find((entry) => entry.site === target.site && entry.stage === target.stage);
    if ((previous?.health ?? 'unknown') !== target.health) {
      const change = words.t('console.change.target', {
        site: phrase(`site.${target.site}`),
        stage: phrase(`stage.${target.stage}`),
        from: health(previous?.health),
        to: health(target.health),
      });
      const message = target.lastMessage && target.health !== 'healthy' ? ` (${target.lastMessage})` : '';
      lines.push(`${at} ${change}${message}`);
    }
  }
  for (const route of after.routing) {
    const previous = before?.routing.find((entry) => entry.record === route.record);
    const site = phrase(`site.${route.activeSite}`);
    if (!previous || previous.activeSite !== route.activeSite)
      say('console.change.routing', { record: route.record, site, reason: route.reason, actor: route.actor });
    if (route.refusal && route.refusal !== previous?.refusal)
      say('console.change.refusing', { record: route.record, why: route.refusal });
  }
  for (const incident of after.incidents) {
    const previous = before?.incidents.find((entry) => entry.id === incident.id);
    if (!previous)
      say('console.change.opened', { severity: incident.severity, id: incident.id, title: incident.title });
    else if (previous.status !== incident.status || previous.severity !== incident.severity) {
      say(incident.acknowledgedBy ? 'console.change.statusBy' : 'console.change.status', {
        id: incident.id,
        status: phrase(`incidentStatus.${incident.status}`),
        severity: incident.severity,
        who: incident.acknowledgedBy ?? '',
      });
    }
  }
  for (const incident of before?.incidents ?? []) {
    if (!after.incidents.some((entry) => entry.id === incident.id))
      say('console.change.resolved', { id: incident.id, title: incident.title });
  }
  const faultsBefore = new Set((before?.faults ?? []).map((fault) => faultText(fault, words)));
  const faultsAfter = new Set(after.faults.map((fault) => faultText(fault, words)));
  for (const fault of faultsAfter) if (!faultsBefore.has(fault)) say('console.change.faultOn', { fault });
  for (const fault of faultsBefore) if (!faultsAfter.has(fault)) say('console.change.faultOff', { fault });
  const outagesBefore = before?.citizens?.outages ?? [];
  (after.citizens?.outages ?? []).forEach((outage, index) => {
    const previous = outagesBefore[index];
    if (!previous) say('console.change.citizensFailing', { at: clock(outage.start) });
    if (outage.end && !previous?.end) {
      say('console.change.citizensRecovered', {
        from: clock(outage.start),
        to: clock(outage.end),
        seconds: ((outage.durationMs ?? 0) / 1000).toFixed(1),
        failed: outage.failed,
      });
    }
  });
  for (const drill of after.drills) {
    const previous = before?.drills.find((entry) => entry.id === drill.id);
    if (!previous || previous.outcome !== drill.outcome)
      say('console.change.drill', { id: drill.id, scenario: drill.scenario, outcome: drill.outcome });
  }
  if (after.rounds.lastError && after.rounds.lastError !== before?.rounds.lastError)
    say('console.change.roundFailed', { error: after.rounds.lastError });
  const warningsBefore = new Set(before?.warnings ?? []);
  for (const warning of after.warnings) if (!warningsBefore.has(warning)) say('console.change.warning', { warning });
  return lines;
};

export interface StatusConsole {
  show(state: DashboardState): void;
  /** Prints a line above the table (TTY) or as is (pipe). */
  note(text: string): void;
}

/**
 * A terminal redraws the table in place; anything else gets one line per change. Table lines are
 * cut to the terminal's width: a wrapped line would make the redraw miscount and scroll.
 */
export const createStatusConsole = (
  write: (text: string) => void,
  isTTY: boolean,
  columns: () => number | undefined = () => undefined,
): StatusConsole => {
  let previous: DashboardState | undefined;
  let drawnLines = 0;
  const fit = (lines: string[]): string[] => {
    const width = columns();
    return width ? lines.map((line) => (line.length >= width ? `${line.slice(0, width - 2)}…` : line)) : lines;
  };
  const erase = () => {
    // Cursor up over the last table, then clear to the end of the screen.
    if (drawnLines > 0) write(`\x1b[${drawnLines}F\x1b[J`);
    drawnLines = 0;
  };
  return {
    show(read) {
      const state = withUnreadFrom(previous, read);
      if (isTTY) {
        const lines = fit(statusTable(state));
        erase();
        write(`${lines.join('\n')}\n`);
        drawnLines = lines.length;
      } else {
        const lines = changeLines(previous, state);
        if (lines.length > 0) write(`${lines.join('\n')}\n`);
      }
      previous = state;
    },
    note(text) {
      if (isTTY) erase();
      write(`${text}\n`);
      if (isTTY && previous) {
        const lines = fit(statusTable(previous));
        write(`${lines.join('\n')}\n`);
        drawnLines = lines.length;
      }
    },
  };
};
