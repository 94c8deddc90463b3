// What `npm start` prints: where everything is, then a live status table. On a terminal the table
// redraws in place; into a pipe or file it prints one line per change instead, so logs stay
// readable and diffable.
import { SITES, STAGES } from '../../lambdas/core/model/vocabulary.ts';
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
const clock = (iso: string | undefined): string => (iso ? iso.slice(11, 19) : '');
const pad = (text: string, width: number): string =>
  text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);

/** Width of a site's column: room for `healthy (2/3 failing) 1234ms`. */
const CELL = 30;

/** The status table: site × stage, routing, open incidents, citizens. Plain text, fixed width. */
export const statusTable = (state: DashboardState): string[] => {
  const lines: string[] = [];
  const rounds = state.rounds;
  lines.push(
    `${clock(state.generatedAt)}  round ${rounds.count} every ${rounds.intervalSeconds}s` +
      (rounds.lastDurationMs !== undefined ? ` (last ${rounds.lastDurationMs} ms)` : '') +
      (rounds.lastError ? `  LAST ROUND FAILED: ${rounds.lastError}` : ''),
  );
  const overall = state.overall;
  lines.push(`  ${overall.headline}${overall.since ? ` since ${clock(overall.since)}` : ''}`);
  lines.push(`  ${pad('stage', 14)}${SITES.map((site) => pad(site, CELL)).join('')}`);
  for (const stage of STAGES) {
    const cells = SITES.map((site) => {
      const target = state.targets.find((entry) => entry.site === site && entry.stage === stage);
      const last = target?.latency.at(-1);
      const below = target?.failingRounds
        ? ` (${target.failingRounds.count}/${target.failingRounds.threshold} failing)`
        : '';
      return pad(
        `${target?.health ?? 'unknown'}${target?.flapping ? '!' : ''}${below}${last ? ` ${last.ms}ms` : ''}`,
        CELL,
      );
    });
    lines.push(`  ${pad(stage, 14)}${cells.join('')}`);
  }
  for (const route of state.routing) {
    lines.push(
      `  routing ${route.record} → ${route.activeSite} since ${clock(route.since)} ` +
        `(${route.reason})${route.refusal ? `; refusing: ${route.refusal}` : ''}`,
    );
  }
  if (state.incidents.length === 0) lines.push('  incidents: none open');
  for (const incident of state.incidents.slice(0, 5)) {
    lines.push(
      `  ${incident.severity} ${incident.id} ${incident.status} since ${clock(incident.openedAt)}: ${incident.title}`,
    );
  }
  if (state.incidents.length > 5) lines.push(`  … and ${state.incidents.length - 5} more (hcguard status)`);
  if (state.faults.length > 0)
    lines.push(`  faults: ${state.faults.map((fault) => `${fault.mode} on ${fault.site} ${fault.stage}`).join(', ')}`);
  const citizens = state.citizens;
  if (citizens) {
    const outage = citizens.outages.at(-1);
    lines.push(
      `  citizens ${percent(citizens.recent.successRate)} ok over ` +
        `${citizens.recent.seconds}s → ${citizens.answer?.site ?? '?'}` +
        (outage && !outage.end ? `; OUTAGE since ${clock(outage.start)} (${outage.failed} failed)` : ''),
    );
  }
  for (const warning of state.warnings) lines.push(`  ! ${warning}`);
  return lines;
};

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
  const at = clock(after.generatedAt);
  const lines: string[] = [];
  for (const target of after.targets) {
    const previous = before?.targets.find((entry) => entry.site === target.site && entry.stage === target.stage);
    if ((previous?.health ?? 'unknown') !== target.health) {
      lines.push(
        `${at} ${target.site}/${target.stage}: ${previous?.health ?? 'unknown'} → ` +
          `${target.health}${target.lastMessage && target.health !== 'healthy' ? ` (${target.lastMessage})` : ''}`,
      );
    }
  }
  for (const route of after.routing) {
    const previous = before?.routing.find((entry) => entry.record === route.record);
    if (!previous || previous.activeSite !== route.activeSite)
      lines.push(`${at} routing ${route.record} → ${route.activeSite}: ${route.reason} (${route.actor})`);
    if (route.refusal && route.refusal !== previous?.refusal)
      lines.push(`${at} routing ${route.record}: refusing to switch: ${route.refusal}`);
  }
  for (const incident of after.incidents) {
    const previous = before?.incidents.find((entry) => entry.id === incident.id);
    if (!previous) lines.push(`${at} ${incident.severity} incident ${incident.id} opened: ${incident.title}`);
    else if (previous.status !== incident.status || previous.severity !== incident.severity) {
      lines.push(
        `${at} incident ${incident.id} is ${incident.status} ` +
          `(${incident.severity})${incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : ''}`,
      );
    }
  }
  for (const incident of before?.incidents ?? []) {
    if (!after.incidents.some((entry) => entry.id === incident.id))
      lines.push(`${at} incident ${incident.id} resolved: ${incident.title}`);
  }
  const faultKey = (fault: DashboardState['faults'][number]) => `${fault.mode} on ${fault.site} ${fault.stage}`;
  const faultsBefore = new Set((before?.faults ?? []).map(faultKey));
  const faultsAfter = new Set(after.faults.map(faultKey));
  for (const fault of faultsAfter) if (!faultsBefore.has(fault)) lines.push(`${at} fault injected: ${fault}`);
  for (const fault of faultsBefore) if (!faultsAfter.has(fault)) lines.push(`${at} fault cleared: ${fault}`);
  const outagesBefore = before?.citizens?.outages ?? [];
  (after.citizens?.outages ?? []).forEach((outage, index) => {
    const previous = outagesBefore[index];
    if (!previous) lines.push(`${at} citizens: verifications failing since ${clock(outage.start)}`);
    if (outage.end && !previous?.end) {
      lines.push(
        `${at} citizens: recovered; outage ${clock(outage.start)}–${clock(outage.end)} ` +
          `lasted ${((outage.durationMs ?? 0) / 1000).toFixed(1)} s with ${outage.failed} ` +
          `failed verifications`,
      );
    }
  });
  for (const drill of after.drills) {
    const previous = before?.drills.find((entry) => entry.id === drill.id);
    if (!previous || previous.outcome !== drill.outcome)
      lines.push(`${at} drill ${drill.id} (${drill.scenario}): ${drill.outcome}`);
  }
  if (after.rounds.lastError && after.rounds.lastError !== before?.rounds.lastError)
    lines.push(`${at} probe round failed: ${after.rounds.lastError}`);
  const warningsBefore = new Set(before?.warnings ?? []);
  for (const warning of after.warnings) if (!warningsBefore.has(warning)) lines.push(`${at} warning: ${warning}`);
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
