// `hcguard status`, `hcguard history`: what hcguard knows right now and what it saw lately. They
// read the stack's table through the same adapters the Lambdas use: the deployed table in AWS, or the
// local runtime's / an emulator's (--endpoint-url, AWS_ENDPOINT_URL). Every read is a key lookup
// or a query, never a Scan.
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import ms from 'ms';
import { formatInstant } from '../../../lambdas/core/alert-message.ts';
import { SITES, STAGES, targetKey, type Site, type Stage } from '../../../lambdas/core/model/vocabulary.ts';
import type { Incident } from '../../../lambdas/core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../../lambdas/core/model/probing.ts';
import type { RoutingLock, RoutingState } from '../../../lambdas/core/model/routing.ts';
import type { CliContext } from '../context.ts';
import { flapHold, type Hold } from '../../../lambdas/core/holds.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import { servicesFor } from '../services.ts';
import { problemShort } from '../../../lambdas/core/incidents/words.ts';

/** `hcguard status --json`: the shape scripts and the dashboard rely on. */
export interface StatusDocument {
  readonly routing: readonly {
    readonly record: string;
    readonly activeSite: Site;
    readonly since: string;
    readonly reason: string;
    readonly actor: string;
    readonly pending?: { readonly toSite: Site; readonly requestedAt: string; readonly reason: string };
    readonly refusal?: string;
    readonly locked?: { readonly reason: string; readonly actor: string; readonly at: string };
  }[];
  readonly targets: readonly {
    readonly site: Site;
    readonly stage: Stage;
    readonly state: TargetState['health'];
    readonly since: string | null;
    /** Why the target is held at its state and until when (a flap hold). */
    readonly hold?: Hold;
  }[];
  readonly incidents: readonly {
    readonly id: string;
    readonly severity: Incident['severity'];
    readonly site: Site | null;
    readonly stage: Stage | null;
    readonly failureClass: string | null;
    readonly state: Incident['status'];
    readonly openedAt: string;
    readonly acknowledgedAt: string | null;
  }[];
}

/** Plain columns: readable in any terminal and when piped. */
const plainStyle = () => ({ head: [], border: [], compact: true });

export const statusDocument = (
  routing: readonly RoutingState[],
  lock: RoutingLock | undefined,
  targets: readonly TargetState[],
  incidents: readonly Incident[],
  detection: Pick<HcguardConfig['detection'], 'flap'>,
): StatusDocument => {
  const byKey = new Map(targets.map((target) => [targetKey(target.site, target.stage), target]));
  return {
    routing: routing.map((state) => ({
      record: state.record,
      activeSite: state.activeSite,
      since: state.since,
      reason: state.reason,
      actor: state.actor,
      ...(state.pending
        ? {
            pending: {
              toSite: state.pending.toSite,
              requestedAt: state.pending.requestedAt,
              reason: state.pending.reason,
            },
          }
        : {}),
      ...(state.refusal ? { refusal: state.refusal.message } : {}),
      ...(lock ? { locked: { reason: lock.reason, actor: lock.actor, at: lock.at } } : {}),
    })),
    targets: SITES.flatMap((site) =>
      STAGES.map((stage) => {
        const target = byKey.get(targetKey(site, stage));
        const hold = target ? flapHold(target, detection) : undefined;
        return {
          site,
          stage,
          state: target?.health ?? 'unknown',
          since: target?.since ?? null,
          ...(hold ? { hold } : {}),
        };
      }),
    ),
    incidents: incidents.map((incident) => ({
      id: incident.id,
      severity: incident.severity,
      site: incident.site ?? null,
      stage: incident.stage ?? null,
      failureClass: incident.failureClass ?? null,
      state: incident.status,
      openedAt: incident.openedAt,
      acknowledgedAt: incident.acknowledgedAt ?? null,
    })),
  };
};

/**
 * What `status --check` fails on, one line each: an unresolved SEV1 or SEV2 incident, or a record
 * whose traffic is not on the primary. Empty: all is well.
 */
export const statusProblems = (document: StatusDocument): string[] => [
  ...document.incidents
    .filter(
      (incident) => incident.state !== 'resolved' && (incident.severity === 'SEV1' || incident.severity === 'SEV2'),
    )
    .map(
      (incident) =>
        `${incident.severity} incident ${incident.id} is ${incident.state}` +
        (incident.site ? ` (${incident.stage ?? 'all stages'} on ${incident.site})` : ''),
    ),
  ...document.routing
    .filter((route) => route.activeSite !== 'primary')
    .map((route) => `${route.record} sends traffic to the ${route.activeSite}, not the primary`),
];

export const formatStatus = (
  document: StatusDocument,
  details: {
    readonly targets: readonly TargetState[];
    readonly incidents: readonly Incident[];
    readonly timeZone: string;
  },
): string => {
  const when = (iso: string | null) => (iso ? formatInstant(iso, details.timeZone) : '-');
  const lines: string[] = ['routing'];
  if (document.routing.length === 0) lines.push('  no routing state yet (the controller writes it on its first round)');
  for (const state of document.routing) {
    lines.push(`  ${state.record} -> ${state.activeSite} since ${when(state.since)}: ${state.reason} (${state.actor})`);
    if (state.pending)
      lines.push(
        `    switching to ${state.pending.toSite} (requested ` +
          `${when(state.pending.requestedAt)}): ${state.pending.reason}`,
      );
    if (state.refusal) lines.push(`    not switching: ${state.refusal}`);
  }
  const locked = document.routing.find((state) => state.locked)?.locked;
  if (locked)
    lines.push(
      `  LOCKED by ${locked.actor} at ${when(locked.at)}: ${locked.reason} (automatic ` +
        `switching is frozen; \`hcguard unlock\`)`,
    );

  const targets = new Table({ head: ['site', 'stage', 'state', 'since', 'last result'], style: plainStyle() });
  for (const target of document.targets) {
    const stored = details.targets.find(
      (candidate) => candidate.site === target.site && candidate.stage === target.stage,
    );
    const state = target.hold
      ? `${target.state} (flapping: held until ${when(target.hold.until)})`
      : `${target.state}${stored?.flapping ? ' (flapping)' : ''}`;
    const failure =
      stored?.lastFailureClass && stored.lastOutcome !== 'ok'
        ? ` (${problemShort(stored.lastFailureClass, stored.lastStatus)})`
        : '';
    const last = stored?.lastOutcome ? `${stored.lastOutcome}${failure}` : '-';
    targets.push([target.site, target.stage, state, when(target.since), last]);
  }
  lines.push('', 'targets', targets.toString());
  const held = document.targets.filter((target) => target.hold);
  for (const target of held) lines.push(`  ${target.site}/${target.stage}: ${target.hold?.reason}`);
  if (held.length > 0) lines.push('  end a flap hold early with: hcguard hold clear <site>/<stage> --reason "..."');

  lines.push('', 'open incidents');
  if (details.incidents.length === 0) lines.push('  none');
  else {
    const table = new Table({ head: ['id', 'severity', 'what', 'status', 'opened'], style: plainStyle() });
    for (const incident of details.incidents) {
      const status =
        incident.status === 'acknowledged' ? `acknowledged by ${incident.acknowledgedBy ?? '?'}` : incident.status;
      table.push([incident.id, incident.severity, incident.title, status, when(incident.openedAt)]);
    }
    lines.push(table.toString());
    if (details.incidents.some((incident) => incident.status === 'open'))
      lines.push('  acknowledge with: hcguard ack <id>');
  }
  return `${lines.join('\n')}\n`;
};

/** `--since`: an ISO instant, or a duration back from now ("30m", "2h", "7d"). */
export const parseSince = (text: string, now: Date): string => {
  const duration = /^\d+(\.\d+)?\s*[a-z]+$/i.test(text.trim()) ? ms(text.trim() as ms.StringValue) : undefined;
  if (typeof duration === 'number' && Number.isFinite(duration) && duration > 0)
    return new Date(now.getTime() - duration).toISOString();
  const instant = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(instant)) return new Date(instant).toISOString();
  throw new UsageError(
    `--since must be an ISO instant (2026-11-26T18:00:00Z) or a duration such as 30m, 2h or 7d, not "${text}"`,
  );
};

export const parseLimit = (text: string): number => {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${text}"`);
  return limit;
};

export const formatHistory = (
  results: readonly ProbeResult[],
  incidents: readonly Incident[],
  timeZone: string,
): string => {
  const lines: string[] = [];
  if (results.length === 0) lines.push('no probe results in this window');
  else {
    const table = new Table({
      head: ['started', 'site', 'stage', 'probe', 'outcome', 'failure', 'duration', 'message'],
      style: plainStyle(),
    });
    for (const result of results) {
      table.push([
        formatInstant(result.startedAt, timeZone),
        result.site,
        result.stage,
        result.probeId,
        result.outcome,
        result.failureClass ?? '-',
        `${result.durationMs} ms`,
        (result.message ?? '').slice(0, 80),
      ]);
    }
    lines.push(table.toString());
  }
  lines.push('', incidents.length === 0 ? 'no incidents opened in this window' : 'incidents opened in this window');
  for (const incident of incidents) {
    const end = incident.resolvedAt ? `resolved ${formatInstant(incident.resolvedAt, timeZone)}` : incident.status;
    lines.push(
      `  ${incident.id} ${incident.severity} ${incident.title}: opened ` +
        `${formatInstant(incident.openedAt, timeZone)}, ${end}`,
    );
  }
  return `${lines.join('\n')}\n`;
};

export const registerStatusCommands = (program: Command, context: CliContext): void => {
  program
    .command('status')
    .description("routing, target states and open incidents, from the stack's table")
    .option('--json', 'print { routing, targets, incidents } as JSON')
    .option(
      '--check',
      'exit 1 when a SEV1 or SEV2 incident is unresolved or traffic is not on the primary (for scripts and monitors)',
    )
    .action(async (options: { json?: boolean; check?: boolean }) => {
      const services = await servicesFor(context);
      const [routing, lock, targets, incidents] = await Promise.all([
        services.routing.list(),
        services.routing.getLock(),
        services.store.loadTargets(),
        services.store.listOpenIncidents(),
      ]);
      const document = statusDocument(routing, lock, targets, incidents, services.config.detection);
      context.out(
        options.json
          ? `${JSON.stringify(document, null, 2)}\n`
          : formatStatus(document, { targets, incidents, timeZone: services.config.timeZone }),
      );
      const problems = options.check ? statusProblems(document) : [];
      if (problems.length) throw new CommandFailed(`status check failed: ${problems.join('; ')}`);
    });

  program
    .command('history')
    .description('recent probe results (newest first) and the incidents opened in the same window')
    .addOption(new Option('--site <site>', 'only this site').choices(SITES))
    .addOption(new Option('--stage <stage>', 'only this stage').choices(STAGES))
    .option('--since <when>', 'ISO instant or duration back from now (30m, 2h, 7d)', '1h')
    .option('--limit <count>', 'at most this many results', '100')
    .option('--json', 'print { results, incidents } as JSON')
    .action(async (options: { site?: Site; stage?: Stage; since: string; limit: string; json?: boolean }) => {
      const limit = parseLimit(options.limit);
      const since = parseSince(options.since, new Date());
      const services = await servicesFor(context);
      const [results, incidents] = await Promise.all([
        services.store.history({
          ...(options.site ? { site: options.site } : {}),
          ...(options.stage ? { stage: options.stage } : {}),
          since,
          limit,
        }),
        services.store.listIncidents({ since }),
      ]);
      const matching = incidents.filter(
        (incident) =>
          (!options.site || incident.site === options.site) && (!options.stage || incident.stage === options.stage),
      );
      context.out(
        options.json
          ? `${JSON.stringify({ since, results, incidents: matching }, null, 2)}\n`
          : formatHistory(results, matching, services.config.timeZone),
      );
    });
};
