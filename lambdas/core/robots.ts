// Chat-robot delivery, decided here and carried out by the robot subscriber Lambda: the card each
// channel renders for an alert, the signed request that posts it, and what the robot's answer
// means. DingTalk signs `timestamp + "\n" + secret` with HMAC-SHA256 keyed by the secret and takes
// the signature in the query; Feishu/Lark uses `timestamp + "\n" + secret` as the HMAC key over an
// empty message and takes it in the body; WeCom robots carry their key in the URL and sign
// nothing. All three answer HTTP 200 with an error code in the body, so the status alone says
// little. Pure: the clock and the secrets come in.
import { createHmac } from 'node:crypto';
import type { ROBOT_CHANNELS, Subscription } from './config/sections.ts';
import { formatInstant, type AlertDocument } from './alert-message.ts';
import type { Catalogue } from './i18n/catalogue.ts';
import { wordsFor, type Locale } from './i18n/index.ts';
import { SITES, STAGES, type Severity, type Site } from './model/vocabulary.ts';

/** The document's fields are strings: only hcguard's own sites and stages have words. */
const oneOf = <T extends string>(values: readonly T[], value: string | undefined): value is T =>
  (values as readonly string[]).includes(value ?? '');

export type RobotChannel = (typeof ROBOT_CHANNELS)[number];

export type RobotSubscription = Extract<Subscription, { protocol: 'robot' }>;

/**
 * The robots the config pages, each once with the severities that list it: the same channel,
 * webhook and secret are one robot (one subscriber function) however many severities name it.
 */
export const configuredRobots = (
  alerts: Readonly<Record<Severity, { readonly subscriptions: readonly Subscription[] }>>,
): { readonly robot: RobotSubscription; readonly severities: readonly Severity[] }[] => {
  const robots = new Map<string, { robot: RobotSubscription; severities: Severity[] }>();
  for (const [severity, route] of Object.entries(alerts) as [Severity, { subscriptions: readonly Subscription[] }][]) {
    for (const subscription of route.subscriptions) {
      if (subscription.protocol !== 'robot') continue;
      const key = [subscription.channel, subscription.webhookParameter, subscription.secretParameter ?? ''].join(' ');
      const entry = robots.get(key) ?? { robot: subscription, severities: [] };
      entry.severities.push(severity);
      robots.set(key, entry);
    }
  }
  return [...robots.values()];
};

export interface RobotPresentation {
  readonly timeZone: string;
  readonly locale: Locale;
  readonly siteLabels: Readonly<Record<Site, string>>;
}

export interface RobotCard {
  readonly title: string;
  /** Markdown lines: bold labels, links; each channel's dialect takes this subset. */
  readonly lines: readonly string[];
  /** A Feishu header template name; WeCom maps it to its three font colours. */
  readonly tone: 'red' | 'orange' | 'yellow' | 'blue' | 'green';
}

const TONES: Readonly<Record<string, RobotCard['tone']>> = { SEV1: 'red', SEV2: 'orange', SEV3: 'yellow' };

/** WeCom refuses markdown over 4096 bytes; the others allow more, and a page should be short anyway. */
export const CARD_MAX_BYTES = 4000;

/**
 * The card for an alert: the headline, then what, where, since when, what hcguard does and how to
 * ack, in the stack's language (the alert's own words when it was rendered in that language).
 */
export const robotCard = (subject: string, alert: AlertDocument, presentation: RobotPresentation): RobotCard => {
  const { incident } = alert;
  const zone = presentation.timeZone;
  const words = wordsFor(presentation.locale);
  const text = alert.text?.locale === presentation.locale ? alert.text : undefined;
  const label = (key: keyof Catalogue['robot']['label'], value: string) =>
    `**${words.t(`robot.label.${key}`)}**${words.colon} ${value}`;
  const lines: string[] = [];
  if (alert.drill) lines.push(words.t('robot.drill', { drillId: alert.drillId ?? '' }));
  if (incident) {
    const site = oneOf(SITES, incident.site)
      ? `${words.t(`site.${incident.site}`)} (${presentation.siteLabels[incident.site]})`
      : incident.site;
    const stage = oneOf(STAGES, incident.stage) ? words.t(`stage.${incident.stage}`) : incident.stage;
    const problem = text?.problem ?? incident.problem;
    lines.push(
      label('what', text?.title ?? incident.title),
      ...(problem ? [label('problem', problem)] : []),
      ...(alert.observed ? [label('observed', alert.observed)] : []),
      ...(site || stage
        ? [label('where', [site, stage].filter(Boolean).join(' / '))]
        : incident.record
          ? [label('where', incident.record)]
          : []),
      label('since', formatInstant(incident.openedAt, zone)),
    );
  } else if (alert.reason) {
    lines.push(label('what', alert.reason));
  }
  lines.push(label('doing', text?.doing ?? alert.doing));
  if (alert.acknowledgeWith && alert.kind !== 'resolve') lines.push(label('acknowledge', alert.acknowledgeWith));
  const links = [
    ...(alert.runbook ? [`[${words.t('robot.runbook')}](${alert.runbook})`] : []),
    ...(alert.dashboard ? [`[${words.t('robot.dashboard')}](${alert.dashboard})`] : []),
  ];
  if (links.length) lines.push(links.join(' · '));
  const ids = [
    ...(incident ? [words.t('robot.incident', { id: incident.id })] : []),
    words.t('robot.alert', { id: alert.alertId }),
  ];
  lines.push(`${ids.join(' · ')} · ${formatInstant(alert.at, zone)}`);
  const title = text?.headline ?? subject;
  return {
    title,
    lines: withinBytes(lines, CARD_MAX_BYTES - Buffer.byteLength(title) - 64, words.t('robot.cut')),
    tone: alert.kind === 'resolve' ? 'green' : (TONES[alert.severity] ?? 'blue'),
  };
};

/** Keeps whole lines while they fit, then says what was cut; the last line (the ids) always stays. */
const withinBytes = (lines: readonly string[], max: number, cut: string): string[] => {
  const last = lines[lines.length - 1] ?? '';
  const kept: string[] = [];
  let used = Buffer.byteLength(last) + 1;
  for (const line of lines.slice(0, -1)) {
    const size = Buffer.byteLength(line) + 1;
    if (used + size > max - 40) {
      kept.push(cut);
      break;
    }
    kept.push(line);
    used += size;
  }
  return [...kept, last];
};

export interface RobotRequest {
  readonly url: string;
  readonly body: string;
}

/** DingTalk: the signature goes in the query, with the millisecond timestamp it signs. */
export const dingtalkSign = (secret: string, timestampMs: number): string =>
  createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');

/** Feishu/Lark: `timestamp\nsecret` is the key, the message is empty; the timestamp is in seconds. */
export const feishuSign = (secret: string, timestampSeconds: number): string =>
  createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');

const WECOM_COLORS: Readonly<Record<RobotCard['tone'], string>> = {
  red: 'warning',
  orange: 'warning',
  yellow: 'comment',
  blue: 'info',
  green: 'info',
};

/** The POST that delivers `card` to one robot, signed when it has a secret. */
export const robotRequest = (
  channel: RobotChannel,
  card: RobotCard,
  robot: { readonly webhookUrl: string; readonly secret?: string },
  now: Date,
): RobotRequest => {
  const text = card.lines.join('\n\n');
  switch (channel) {
    case 'dingtalk': {
      const url = new URL(robot.webhookUrl);
      if (robot.secret) {
        const timestamp = now.getTime();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingtalkSign(robot.secret, timestamp));
      }
      return {
        url: url.toString(),
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: { title: card.title, text: `### ${card.title}\n\n${text}` },
        }),
      };
    }
    case 'wecom':
      return {
        url: robot.webhookUrl,
        body: JSON.stringify({
          msgtype: 'markdown',
          markdown: {
            content: `<font color="${WECOM_COLORS[card.tone]}">**${card.title}**</font>\n${card.lines.join('\n')}`,
          },
        }),
      };
    case 'feishu': {
      const timestamp = Math.floor(now.getTime() / 1000);
      return {
        url: robot.webhookUrl,
        body: JSON.stringify({
          ...(robot.secret ? { timestamp: String(timestamp), sign: feishuSign(robot.secret, timestamp) } : {}),
          msg_type: 'interactive',
          card: {
            config: { wide_screen_mode: true },
            header: { template: card.tone, title: { tag: 'plain_text', content: card.title } },
            elements: [{ tag: 'div', text: { tag: 'lark_md', content: card.lines.join('\n') } }],
          },
        }),
      };
    }
  }
};

export type RobotAnswer =
  | { readonly ok: true }
  /** `retry`: a later attempt may succeed (rate limit, server trouble); otherwise it will not. */
  | { readonly ok: false; readonly retry: boolean; readonly detail: string };

/** Codes the robots use for "too many messages": DingTalk 130101, WeCom 45009, Feishu 9499 and 11232. */
const RATE_LIMITED = new Set([130101, 45009, 9499, 11232]);

/** What the robot's reply means; `detail` names the code and message, never the URL or its token. */
export const robotAnswer = (channel: RobotChannel, status: number, body: string): RobotAnswer => {
  if (status === 429 || status >= 500)
    return { ok: false, retry: true, detail: `HTTP ${status} from the ${channel} robot` };
  if (status < 200 || status >= 300)
    return { ok: false, retry: false, detail: `HTTP ${status} from the ${channel} robot` };
  let reply: { errcode?: unknown; errmsg?: unknown; code?: unknown; msg?: unknown; StatusCode?: unknown };
  try {
    reply = JSON.parse(body) as typeof reply;
  } catch {
    return {
      ok: false,
      retry: true,
      detail: `the ${channel} robot answered HTTP ${status} with a body that is not JSON`,
    };
  }
  const code = channel === 'feishu' ? (reply.code ?? reply.StatusCode) : reply.errcode;
  const message = channel === 'feishu' ? reply.msg : reply.errmsg;
  if (code === 0) return { ok: true };
  if (typeof code !== 'number')
    return { ok: false, retry: true, detail: `the ${channel} robot answered without an error code` };
  const text = typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
  return { ok: false, retry: RATE_LIMITED.has(code), detail: `the ${channel} robot refused it (code ${code}${text})` };
};
