// Renders an alert for the people woken by it and for the machines subscribed to it. Pure:
// the draft, the stack's name, site labels and a time zone in; subject, plain-text body, SMS
// line, JSON document and SNS message attributes out.
//
// An operator at 3 a.m. must see at a glance: how bad (severity first), what (stage, failure
// class, what the probe saw), where (site, records), since when (local time and UTC), what
// hcguard is doing about it, how to acknowledge, and where the runbook explains it. No links but
// the configured runbook and dashboard, no identity values or secrets (the probe's message is
// already hashed), and a drill says so in the first words.
import { phrase, wordsFor, type Locale, type Words } from './i18n/index.ts';
import type { Catalogue } from './i18n/catalogue.ts';
import { zonedParts } from './time.ts';
import type { AlertDraft } from './incidents/types.ts';
import { runbookAnchor } from './incidents/words.ts';
import type { AlertKind, Incident } from './model/incidents.ts';
import type { Site } from './model/vocabulary.ts';

export interface AlertPresentation {
  /** The stack's name (`config.name`), so several hcguard deployments can share subscribers. */
  readonly stackName: string;
  readonly timeZone: string;
  /** The language of the body, the SMS line's words and the chat card; subjects stay ASCII. */
  readonly locale: Locale;
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
  /** The people-facing words in the stack's locale (the fields above stay English for machines). */
  readonly text?: {
    readonly locale: Locale;
    readonly headline: string;
    readonly title?: string;
    readonly problem?: string;
    readonly doing: string;
  };
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

export const duration = (fromIso: string, toIso: string, words: Words): string => {
  const minutes = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return words.t('duration.minutes', { minutes });
  return words.t('duration.hours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
};

const listRecords = (draft: AlertDraft, words: Words): string =>
  draft.facts.routing.map((state) => state.record).join(', ') || words.t('action.noManagedRecord');

/** An incident's title in the reader's words, when the decision stored it as a phrase. */
export const incidentTitle = (incident: Pick<Incident, 'title' | 'phrase'>, words: Words): string =>
  incident.phrase ? words.say(incident.phrase.title) : incident.title;

const incidentProblem = (incident: Pick<Incident, 'problem' | 'phrase'>, words: Words): string | undefined =>
  incident.phrase?.problem ? words.say(incident.phrase.problem) : incident.problem;

/** One sentence: what hcguard is doing about it. */
export const describeAction = (draft: AlertDraft, presentation: AlertPresentation): string => {
  const { facts, incident } = draft;
  const words = wordsFor(presentation.locale);
  const site = (which: Site) => phrase(`site.${which}`);
  if (facts.switched) {
    const change = facts.switched;
    return words.t('action.switched', {
      record: change.record,
      from: site(change.from),
      to: site(change.to),
      label: presentation.siteLabels[change.to],
      when: formatInstant(change.at, presentation.timeZone),
    });
  }
  if (draft.kind === 'resolve') {
    const awayFromPrimary = facts.routing.filter((state) => state.activeSite === 'backup').map((state) => state.record);
    if (awayFromPrimary.length > 0 && facts.failback === 'manual') {
      return words.t('action.resolvedAway', { records: awayFromPrimary.join(', ') });
    }
    return words.t('action.resolved');
  }
  if (!incident) return words.t('action.watching');
  if (incident.kind === 'cannot-fail-over' || incident.kind === 'no-healthy-site') {
    const where = facts.routing
      .map((state) => words.t('action.staysOn', { record: state.record, site: site(state.activeSite) }))
      .join('; ');
    return words.t('action.notSwitching', {
      where: where || words.t('action.routingUnchanged'),
      detail: incident.detail ?? incidentTitle(incident, words),
    });
  }
  if (facts.cannotFailOver) return words.t('action.cannotFailOver', { why: facts.cannotFailOver });
  if (!incident.site) return words.t('action.watching');
  if (!facts.serving) {
    return words.t('action.notServing', { site: site(incident.site), records: listRecords(draft, words) });
  }
  const followed = facts.routing.length > 0 && incident.stage !== undefined;
  if (!followed) {
    const stage = incident.stage ? words.t(`stage.${incident.stage}`) : words.t('action.thisStage');
    return words.t('action.notFollowed', { stage });
  }
  if (facts.failoverMode === 'manual') {
    return words.t('action.manualMode', { other: incident.site === 'primary' ? 'backup' : 'primary' });
  }
  return words.t('action.willSwitch', { records: listRecords(draft, words) });
};

const shortAction = (draft: AlertDraft): string | undefined => {
  if (draft.facts.switched) return `switched to ${draft.facts.switched.to}`;
  if (draft.kind === 'resolve') return undefined;
  if (draft.facts.cannotFailOver && draft.incident?.kind !== 'cannot-fail-over') return 'cannot fail over';
  return undefined;
};

/** Level, kind and what, in the reader's words: "[SEV1] OPEN verification failing on primary: HTTP 503". */
export const alertHeadline = (draft: AlertDraft, words: Words): string => {
  const switched = draft.facts.switched;
  const title = draft.incident
    ? incidentTitle(draft.incident, words)
    : switched
      ? words.t('title.moved', { record: switched.record, site: phrase(`site.${switched.to}`) })
      : words.t('title.notice');
  const kind =
    draft.kind === 'remind' && draft.incident
      ? words.t('alert.reminder', { count: draft.incident.reminders })
      : words.t(`alert.kind.${draft.kind}`);
  const previous =
    draft.kind === 'escalate' && draft.previousSeverity && draft.previousSeverity !== draft.severity
      ? draft.previousSeverity
      : draft.kind === 'resolve' && draft.incident
        ? draft.incident.severity
        : undefined;
  const level = previous
    ? words.t('alert.levelWas', { severity: draft.severity, previous })
    : words.t('alert.level', { severity: draft.severity });
  return `${draft.drillId ? `${words.t('alert.drillTag')} ` : ''}${level} ${kind} ${title}`;
};

export const alertSubject = (draft: AlertDraft): string => {
  // A notice's title already says the move.
  const action = draft.incident ? shortAction(draft) : undefined;
  const head = asciiLine(alertHeadline(draft, wordsFor('en')));
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
  const words = wordsFor(presentation.locale);
  const english = presentation.locale === 'en' ? presentation : { ...presentation, locale: 'en' as const };
  const doing = describeAction(draft, english);
  const localDoing = presentation.locale === 'en' ? doing : describeAction(draft, presentation);
  const subject = alertSubject(draft);
  const id = incident ? ` (${incident.id})` : '';
  const headline = presentation.locale === 'en' ? subject : `${alertHeadline(draft, words)}${id}`;
  const label = (key: keyof Catalogue['alert']['label'], value: string) =>
    words.labelled(words.t(`alert.label.${key}`), value);
  const lines: string[] = [];
  if (draft.drillId) lines.push(words.t('alert.drillBanner', { drillId: draft.drillId }), '');
  lines.push(headline, '');
  if (incident) {
    const records = facts.routing
      .map((state) => `${state.record} -> ${words.t(`site.${state.activeSite}`)}`)
      .join(', ');
    const site = incident.site
      ? words.t('alert.whereSite', {
          site: phrase(`site.${incident.site}`),
          label: presentation.siteLabels[incident.site],
        })
      : undefined;
    const where = site
      ? records
        ? words.t('alert.whereRecords', { where: site, records })
        : site
      : records || words.t('alert.wholePlatform');
    const problem = incidentProblem(incident, words);
    const since = duration(incident.openedAt, draft.at, words);
    lines.push(
      label('what', incidentTitle(incident, words)),
      ...(problem ? [label('problem', problem)] : []),
      ...(facts.observed ? [label('observed', facts.observed)] : []),
      ...(facts.flapping ? [label('flapping', facts.flapping)] : []),
      label('where', where),
      label('since', words.t('alert.sinceAgo', { when: formatInstant(incident.openedAt, zone), duration: since })),
      label('severity', `${incident.severity}${incident.severityReason ? ` - ${incident.severityReason}` : ''}`),
      ...(facts.groupedWith
        ? [label('grouped', words.t('alert.groupedWith', { id: facts.groupedWith.id, title: facts.groupedWith.title }))]
        : []),
      ...(facts.grouped
        ? [
            label(
              draft.kind === 'resolve' ? 'still' : 'also',
              words.t(draft.kind === 'resolve' ? 'alert.stillOpen' : 'alert.alsoSame', {
                list: facts.grouped.map((other) => `${other.id} ${other.title}`).join('; '),
              }),
            ),
          ]
        : []),
      ...(facts.reason ? [label('whyNow', facts.reason)] : []),
      label('doing', localDoing),
    );
    if (draft.kind === 'resolve') {
      const when = formatInstant(incident.resolvedAt ?? draft.at, zone);
      lines.push(label('resolved', words.t('alert.resolvedAt', { when, duration: since })));
    } else if (incident.status === 'acknowledged') {
      const when = formatInstant(incident.acknowledgedAt ?? draft.at, zone);
      lines.push(
        label('ack', words.t('alert.ackedBy', { who: incident.acknowledgedBy ?? words.t('alert.someone'), when })),
      );
    } else {
      lines.push(
        label(
          'ack',
          facts.escalateAfterMinutes
            ? words.t('alert.ackEscalates', { id: incident.id, minutes: facts.escalateAfterMinutes })
            : words.t('alert.ackStops', { id: incident.id }),
        ),
      );
    }
  } else {
    lines.push(
      ...(facts.reason ? [label('what', facts.reason)] : []),
      label('doing', localDoing),
      label('when', formatInstant(draft.at, zone)),
    );
  }
  if (runbook || dashboard) lines.push('');
  if (runbook) lines.push(label('runbook', runbook));
  if (dashboard) lines.push(label('dashboard', dashboard));
  lines.push('', words.t('alert.footer', { stack: presentation.stackName, alert: draft.id, dedupKey: draft.dedupKey }));
  const localTitle = incident ? incidentTitle(incident, words) : undefined;
  const localProblem = incident ? incidentProblem(incident, words) : undefined;
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
    text: {
      locale: presentation.locale,
      headline: presentation.locale === 'en' ? subject : headline,
      ...(localTitle ? { title: localTitle } : {}),
      ...(localProblem ? { problem: localProblem } : {}),
      doing: localDoing,
    },
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
