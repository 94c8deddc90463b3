// Renders an alert for the people woken by it and for the machines subscribed to it. Pure:
// the draft, the stack's name, site labels and a time zone in; subject, plain-text body, SMS
// line, JSON document and SNS message attributes out.
//
// An operator at 3 a.m. must see at a glance: how bad (severity first), what (stage, failure
// class, what the probe saw), where (site, records), since when (local time and UTC), what
// hcguard is doing about it, how to acknowledge, and where the runbook explains it. No links but
// the configured runbook and dashboard, no identity values or secrets (the probe's message is
// already hashed), and a drill says so in the first words.
import { zonedParts } from './time.ts';
import type { AlertDraft } from './incidents/types.ts';
import { runbookAnchor } from './incidents/words.ts';
import type { AlertKind } from './model/incidents.ts';
import type { Site } from './model/vocabulary.ts';

export interface AlertPresentation {
  /** The stack's name (`config.name`), so several hcguard deployments can share subscribers. */
  readonly stackName: string;
  readonly timeZone: string;
  readonly siteLabels: Readonly<Record<Site, string>>;
  /** `config.links`: the runbook each alert links its section of, and the dashboard. */
  readonly links?: { readonly runbook?: string; readonly dashboard?: string };
}

/** The machine-readable form: stable field names, ISO instants. */
export interface AlertDocument {
  readonly schema: 'hcguard.alert/1';
  readonly stack: string;
  readonly alertId: string;
  readonly kind: AlertKind;
  readonly severity: string;
  readonly at: string;
  readonly drill: boolean;
  readonly drillId?: string;
  readonly dedupKey: string;
  readonly incident?: {
    readonly id: string;
    readonly kind: string;
    readonly severity: string;
    readonly previousSeverity?: string;
    readonly status: string;
    readonly title: string;
    readonly site?: string;
    readonly stage?: string;
    readonly failureClass?: string;
    readonly record?: string;
    readonly openedAt: string;
    readonly acknowledgedAt?: string;
    readonly resolvedAt?: string;
    readonly severityReason?: string;
    readonly problem?: string;
  };
  readonly observed?: string;
  readonly doing: string;
  readonly reason?: string;
  readonly routing: readonly { readonly record: string; readonly activeSite: string }[];
  readonly switch?: {
    readonly record: string;
    readonly from: string;
    readonly to: string;
    readonly at: string;
    readonly changeId?: string;
  };
  readonly acknowledgeWith?: string;
  /** The incident that pages for the event this one is part of. */
  readonly groupedWith?: string;
  /** Incidents of the same event grouped with this one (not paged on their own). */
  readonly grouped?: readonly string[];
  readonly runbook?: string;
  readonly dashboard?: string;
}

export interface AlertMessage {
  /** ASCII, one line, at most 99 characters (SNS's limit for e-mail subjects). */
  readonly subject: string;
  readonly body: string;
  /** One short line for SMS subscribers. */
  readonly sms: string;
  readonly document: AlertDocument;
  /** SNS message attributes (String), for subscription filter policies. */
  readonly attributes: Readonly<Record<string, string>>;
}

export const SUBJECT_MAX = 99;

const KIND_WORD: Record<AlertKind, string> = {
  open: 'OPEN',
  escalate: 'ESCALATED',
  remind: 'REMINDER',
  resolve: 'RESOLVED',
  update: 'UPDATE',
};

/** SNS rejects e-mail subjects with control or non-ASCII characters; labels may be Chinese. */
export const asciiLine = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;

const pad2 = (value: number): string => String(value).padStart(2, '0');

const utcText = (date: Date): string => {
  const day = `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
  return `${day} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} UTC`;
};

/** "2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC)"; just the UTC form when the zone is UTC. */
export const formatInstant = (iso: string, timeZone: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const utc = utcText(date);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return utc;
  const parts = zonedParts(date, timeZone, true);
  const clock = `${parts.hour}:${parts.minute}:${parts.second}`;
  return `${parts.year}-${parts.month}-${parts.day} ${clock} ${parts.timeZoneName} (${utc})`;
};

const duration = (fromIso: string, toIso: string): string => {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
};

const listRecords = (draft: AlertDraft): string =>
  draft.facts.routing.map((state) => state.record).join(', ') || 'no managed record';

/** One sentence: what hcguard is doing about it. */
export const describeAction = (draft: AlertDraft, presentation: AlertPresentation): string => {
  const { facts, incident } = draft;
  const label = (site: Site) => presentation.siteLabels[site];
  if (facts.switched) {
    const change = facts.switched;
    const when = formatInstant(change.at, presentation.timeZone);
    return `hcguard switched ${change.record} from ${change.from} to ${change.to} (${label(change.to)}) at ${when}.`;
  }
  if (draft.kind === 'resolve') {
    const awayFromPrimary = facts.routing.filter((state) => state.activeSite === 'backup').map((state) => state.record);
    if (awayFromPrimary.length > 0 && facts.failback === 'manual') {
      const away = awayFromPrimary.join(', ');
      return (
        `nothing more for this incident. ${away} still point(s) at backup: run \`hcguard ` +
        `failback\` once you trust the primary.`
      );
    }
    return 'nothing more: the check passes again.';
  }
  if (!incident) return 'hcguard keeps watching.';
  if (incident.kind === 'cannot-fail-over' || incident.kind === 'no-healthy-site') {
    const where = facts.routing.map((state) => `${state.record} stays on ${state.activeSite}`).join('; ');
    const anyway = 'To switch anyway: `hcguard failover --to <site> --force --reason "..."`.';
    return (
      `hcguard is NOT switching (${where || 'routing unchanged'}): ` + `${incident.detail ?? incident.title}. ${anyway}`
    );
  }
  if (facts.cannotFailOver) return `hcguard cannot fail over: ${facts.cannotFailOver}`;
  if (!incident.site) return 'hcguard keeps watching.';
  if (!facts.serving) {
    const blocked = `hcguard keeps watching; failover to ${incident.site} is blocked while it fails.`;
    return `no citizen traffic is affected now: ${incident.site} does not serve ${listRecords(draft)}. ${blocked}`;
  }
  const followed = facts.routing.length > 0 && incident.stage !== undefined;
  if (!followed) {
    const stage = incident.stage ?? 'this stage';
    return `hcguard keeps watching; no managed record follows ${stage}, so traffic does not move.`;
  }
  if (facts.failoverMode === 'manual') {
    const other = incident.site === 'primary' ? 'backup' : 'primary';
    return `automatic failover is off: switch by hand with \`hcguard failover --to ${other} --reason "..."\`.`;
  }
  return `hcguard keeps watching and switches ${listRecords(draft)} as soon as the other site passes pre-flight.`;
};

const shortAction = (draft: AlertDraft): string | undefined => {
  if (draft.facts.switched) return `switched to ${draft.facts.switched.to}`;
  if (draft.kind === 'resolve') return undefined;
  if (draft.facts.cannotFailOver && draft.incident?.kind !== 'cannot-fail-over') return 'cannot fail over';
  return undefined;
};

export const alertSubject = (draft: AlertDraft): string => {
  const drill = draft.drillId ? '[DRILL] ' : '';
  const switched = draft.facts.switched;
  const title =
    draft.incident?.title ?? (switched ? `traffic for ${switched.record} moved to ${switched.to}` : 'notice');
  const kind =
    draft.kind === 'remind' && draft.incident ? `REMINDER ${draft.incident.reminders}` : KIND_WORD[draft.kind];
  const level =
    draft.kind === 'escalate' && draft.previousSeverity && draft.previousSeverity !== draft.severity
      ? `[${draft.severity}, was ${draft.previousSeverity}]`
      : draft.kind === 'resolve' && draft.incident
        ? `[${draft.severity}, was ${draft.incident.severity}]`
        : `[${draft.severity}]`;
  // A notice's title already says the move.
  const action = draft.incident ? shortAction(draft) : undefined;
  const head = asciiLine(`${drill}${level} ${kind} ${title}`);
  const withAction = action ? `${head} - ${asciiLine(action)}` : head;
  const id = draft.incident ? ` (${draft.incident.id})` : '';
  // Most important first: level, kind and what; then the id to ack with; then what hcguard did.
  const candidates = [`${withAction}${id}`, `${head}${id}`];
  return (
    candidates.find((candidate) => candidate.length <= SUBJECT_MAX) ?? `${truncate(head, SUBJECT_MAX - id.length)}${id}`
  );
};

/** The runbook section for this alert's incident kind, when a runbook is configured. */
const runbookLink = (draft: AlertDraft, presentation: AlertPresentation): string | undefined => {
  const base = presentation.links?.runbook;
  if (!base) return undefined;
  return draft.incident ? `${base.replace(/#.*$/, '')}#${runbookAnchor(draft.incident)}` : base;
};

export const renderAlert = (draft: AlertDraft, presentation: AlertPresentation): AlertMessage => {
  const { incident, facts } = draft;
  const runbook = runbookLink(draft, presentation);
  const dashboard = presentation.links?.dashboard;
  const zone = presentation.timeZone;
  const doing = describeAction(draft, presentation);
  const subject = alertSubject(draft);
  const lines: string[] = [];
  if (draft.drillId) {
    lines.push(`*** DRILL ${draft.drillId}: this alert is part of a rehearsal, not a real outage. ***`, '');
  }
  lines.push(subject, '');
  if (incident) {
    const records = facts.routing.map((state) => `${state.record} -> ${state.activeSite}`).join(', ');
    const where = incident.site
      ? `site ${incident.site} (${presentation.siteLabels[incident.site]})${records ? `; records: ${records}` : ''}`
      : records || 'the whole platform';
    lines.push(
      `What:     ${incident.title}`,
      ...(incident.problem ? [`Problem:  ${incident.problem}`] : []),
      ...(facts.observed ? [`Observed: ${facts.observed}`] : []),
      ...(facts.flapping ? [`Flapping: ${facts.flapping}`] : []),
      `Where:    ${where}`,
      `Since:    ${formatInstant(incident.openedAt, zone)}, ${duration(incident.openedAt, draft.at)} ago`,
      `Severity: ${incident.severity}${incident.severityReason ? ` - ${incident.severityReason}` : ''}`,
      ...(facts.groupedWith
        ? [
            `Grouped:  part of the event ${facts.groupedWith.id} pages for (${facts.groupedWith.title}); ` +
              'not paged on its own',
          ]
        : []),
      ...(facts.grouped
        ? [
            `${draft.kind === 'resolve' ? 'Still:   ' : 'Also:    '} ` +
              facts.grouped.map((other) => `${other.id} ${other.title}`).join('; ') +
              (draft.kind === 'resolve' ? ' (still open, paging on its own now)' : ' (same event, not paged again)'),
          ]
        : []),
      ...(facts.reason ? [`Why now:  ${facts.reason}`] : []),
      `Doing:    ${doing}`,
    );
    if (draft.kind === 'resolve') {
      lines.push(
        `Resolved: ${formatInstant(incident.resolvedAt ?? draft.at, zone)}, open ` +
          `${duration(incident.openedAt, draft.at)}`,
      );
    } else if (incident.status === 'acknowledged') {
      lines.push(
        `Ack:      acknowledged by ${incident.acknowledgedBy ?? 'someone'} at ` +
          `${formatInstant(incident.acknowledgedAt ?? draft.at, zone)}`,
      );
    } else {
      lines.push(
        `Ack:      hcguard ack ${incident.id}` +
          (facts.escalateAfterMinutes
            ? `   (unacknowledged, it escalates ${facts.escalateAfterMinutes} min after opening)`
            : '   (stops reminders)'),
      );
    }
  } else {
    lines.push(
      ...(facts.reason ? [`What:     ${facts.reason}`] : []),
      `Doing:    ${doing}`,
      `When:     ${formatInstant(draft.at, zone)}`,
    );
  }
  if (runbook || dashboard) lines.push('');
  if (runbook) lines.push(`Runbook:  ${runbook}`);
  if (dashboard) lines.push(`Dashboard: ${dashboard}`);
  lines.push('', `hcguard stack ${presentation.stackName} | alert ${draft.id} | dedup key ${draft.dedupKey}`);
  const document: AlertDocument = {
    schema: 'hcguard.alert/1',
    stack: presentation.stackName,
    alertId: draft.id,
    kind: draft.kind,
    severity: draft.severity,
    at: draft.at,
    drill: draft.drillId !== undefined,
    ...(draft.drillId ? { drillId: draft.drillId } : {}),
    dedupKey: draft.dedupKey,
    ...(incident
      ? {
          incident: {
            id: incident.id,
            kind: incident.kind,
            severity: incident.severity,
            ...(draft.previousSeverity ? { previousSeverity: draft.previousSeverity } : {}),
            status: incident.status,
            title: incident.title,
            ...(incident.site ? { site: incident.site } : {}),
            ...(incident.stage ? { stage: incident.stage } : {}),
            ...(incident.failureClass ? { failureClass: incident.failureClass } : {}),
            ...(incident.record ? { record: incident.record } : {}),
            openedAt: incident.openedAt,
            ...(incident.acknowledgedAt ? { acknowledgedAt: incident.acknowledgedAt } : {}),
            ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
            ...(incident.severityReason ? { severityReason: incident.severityReason } : {}),
            ...(incident.problem ? { problem: incident.problem } : {}),
          },
        }
      : {}),
    ...(facts.observed ? { observed: facts.observed } : {}),
    doing,
    ...(facts.reason ? { reason: facts.reason } : {}),
    routing: facts.routing.map((state) => ({ record: state.record, activeSite: state.activeSite })),
    ...(facts.switched
      ? {
          switch: {
            record: facts.switched.record,
            from: facts.switched.from,
            to: facts.switched.to,
            at: facts.switched.at,
            ...(facts.switched.changeId ? { changeId: facts.switched.changeId } : {}),
          },
        }
      : {}),
    ...(incident && incident.status === 'open' ? { acknowledgeWith: `hcguard ack ${incident.id}` } : {}),
    ...(facts.groupedWith ? { groupedWith: facts.groupedWith.id } : {}),
    ...(facts.grouped ? { grouped: facts.grouped.map((other) => other.id) } : {}),
    ...(runbook ? { runbook } : {}),
    ...(dashboard ? { dashboard } : {}),
  };
  const attributes: Record<string, string> = {
    severity: draft.severity,
    kind: draft.kind,
    incidentId: incident?.id ?? 'none',
    dedupKey: draft.dedupKey,
    site: incident?.site ?? facts.switched?.from ?? 'none',
    stage: incident?.stage ?? 'none',
    drill: draft.drillId ? 'true' : 'false',
    incidentSeverity: incident?.severity ?? draft.severity,
    stack: presentation.stackName,
  };
  const sms = truncate(
    `${subject}${incident && incident.status === 'open' ? ` | ack: hcguard ack ${incident.id}` : ''}`,
    160,
  );
  return { subject, body: `${lines.join('\n')}\n`, sms, document, attributes };
};
