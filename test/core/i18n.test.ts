import { describe, expect, it } from 'vitest';
import { renderAlert, type AlertPresentation } from '../../lambdas/core/alert-message.ts';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { testAlertMessage } from '../../lambdas/core/drill/test-alert.ts';
import { CATALOGUES, LOCALES, displayWidth, wordsFor, type Locale } from '../../lambdas/core/i18n/index.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { AlertDraft } from '../../lambdas/core/incidents/types.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { TargetState } from '../../lambdas/core/model/probing.ts';
import { robotCard } from '../../lambdas/core/robots.ts';
import { testConfig } from '../fakes/config.ts';

const flatten = (tree: object, prefix = ''): Record<string, string> =>
  Object.fromEntries(
    Object.entries(tree).flatMap(([key, value]) =>
      typeof value === 'string'
        ? [[`${prefix}${key}`, value]]
        : Object.entries(flatten(value as object, `${prefix}${key}.`)),
    ),
  );

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();

const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
/** What is the same in Chinese: parameters, and the one protocol name. */
const wordless = (text: string): boolean => !/[A-Za-z]/.test(text.replace(/\{\{\w+\}\}/g, '').replace(/\bHTTP\b/g, ''));

describe('the catalogues', () => {
  const english = flatten(CATALOGUES.en);
  const chinese = flatten(CATALOGUES['zh-CN']);

  it('have the same keys in every locale', () => {
    expect(Object.keys(chinese).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(Object.keys(english))('%s takes the same parameters in every locale', (key) => {
    expect(placeholders(chinese[key] ?? ''), key).toEqual(placeholders(english[key] ?? ''));
  });

  it('word everything in Chinese that has words at all', () => {
    const copied = Object.entries(chinese).filter(([, text]) => !CJK.test(text) && !wordless(text));
    expect(copied.map(([key]) => key)).toEqual([]);
  });

  it('leave nothing empty', () => {
    for (const locale of LOCALES) {
      const empty = Object.entries(flatten(CATALOGUES[locale])).filter(([, text]) => text.trim() === '');
      expect(empty, locale).toEqual([]);
    }
  });

  it('word a phrase whose parameters are phrases, and show a missing parameter rather than drop it', () => {
    const zh = wordsFor('zh-CN');
    const title = {
      key: 'title.failing',
      params: {
        stage: { key: 'stage.verification' },
        site: { key: 'site.primary' },
        problem: { key: 'problemShort.status', params: { status: 503 } },
      },
    } as const;
    expect(zh.say(title)).toBe('主站点核验故障：HTTP 503');
    expect(wordsFor('en').say(title)).toBe('verification failing on primary: HTTP 503');
    expect(zh.t('problemShort.status')).toBe('HTTP {{status}}');
  });

  it('align labels by display width, Chinese characters taking two columns', () => {
    expect(displayWidth('事件：')).toBe(6);
    expect(wordsFor('en').labelled('What', 'x')).toBe('What:     x');
    expect(wordsFor('zh-CN').labelled('事件', 'x')).toBe('事件：    x');
    expect(wordsFor('en').labelled('Dashboard', 'x')).toBe('Dashboard: x');
  });
});

describe('locale and time zone in the config', () => {
  it('default to English in UTC, and to Beijing time for Chinese', () => {
    expect(testConfig()).toMatchObject({ locale: 'en', timeZone: 'UTC' });
    expect(testConfig({ locale: 'zh-CN' })).toMatchObject({ locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(testConfig({ locale: 'zh-CN', timeZone: 'UTC' }).timeZone).toBe('UTC');
  });

  it('refuse a locale hcguard has no words for, naming the path and the choices', () => {
    expect(() => testConfig({ locale: 'fr' as Locale })).toThrow(ConfigError);
    expect(() => testConfig({ locale: 'fr' as Locale })).toThrow(/locale.*must be one of: en, zh-CN/);
  });
});

// Every alert template: each branch of what hcguard says it is doing, each label, in both locales.
const NOW = new Date('2026-11-26T18:14:05.000Z');
const RECORD = 'verify.hc.example.com';
const config = testConfig({ timeZone: 'Asia/Shanghai' });
const target = (overrides: Partial<TargetState> = {}): TargetState => ({
  site: 'primary',
  stage: 'verification',
  health: 'failing',
  since: NOW.toISOString(),
  consecutiveFailures: 3,
  consecutiveSuccesses: 0,
  lastFailureClass: 'status',
  lastStatus: 503,
  lastMessage: 'verify-valid-code: HTTP 503',
  recentChanges: [],
  flapping: false,
  version: 4,
  ...overrides,
});

const opened = (targetState: TargetState, routingSite: 'primary' | 'backup' = 'primary'): AlertDraft => {
  const decisions = decideIncidents({
    policy: config,
    targets: [targetState],
    open: [],
    routing: [{ record: RECORD, activeSite: routingSite }],
    conditions: [],
    unannounced: [],
    now: NOW,
  });
  const alert = decisions.changes[0]?.alert;
  if (!alert) throw new Error('expected an alert');
  return alert;
};

const base = opened(target());
const incident = base.incident as Incident;
const switched = {
  record: RECORD,
  from: 'primary' as const,
  to: 'backup' as const,
  at: NOW.toISOString(),
  actor: 'controller' as const,
  reason: 'verification failing on primary',
};
const cases: Record<string, AlertDraft> = {
  'open, will switch': base,
  'open, switched': { ...base, facts: { ...base.facts, switched } },
  'open, drill': { ...base, drillId: 'drill-20261126-181405-ab12' },
  'open, flapping': opened(target({ flapping: true })),
  'open, degraded': opened(target({ health: 'degraded' })),
  'open, transmission not followed': opened(target({ stage: 'transmission', lastFailureClass: 'timeout' })),
  'open, not serving': { ...base, facts: { ...base.facts, serving: false } },
  'open, manual failover': { ...base, facts: { ...base.facts, failoverMode: 'manual' } },
  'open, cannot fail over': { ...base, facts: { ...base.facts, cannotFailOver: 'the backup fails pre-flight' } },
  'open, grouped': { ...base, facts: { ...base.facts, groupedWith: { id: 'INC-1', title: 'both sites failing' } } },
  'open, lead of a group': { ...base, facts: { ...base.facts, grouped: [{ id: 'INC-2', title: 'x on backup' }] } },
  escalate: {
    ...base,
    kind: 'escalate',
    severity: 'SEV1',
    previousSeverity: 'SEV2',
    facts: { ...base.facts, reason: 'unacknowledged for 15 min' },
  },
  remind: { ...base, kind: 'remind', incident: { ...incident, reminders: 2 } },
  acknowledged: {
    ...base,
    kind: 'update',
    incident: { ...incident, status: 'acknowledged', acknowledgedBy: 'wang.li', acknowledgedAt: NOW.toISOString() },
  },
  'resolve, still on backup': {
    ...base,
    kind: 'resolve',
    incident: { ...incident, status: 'resolved', resolvedAt: NOW.toISOString() },
    facts: { ...base.facts, routing: [{ record: RECORD, activeSite: 'backup' }], failback: 'manual' },
  },
  'resolve, grouped still open': {
    ...base,
    kind: 'resolve',
    incident: { ...incident, status: 'resolved' },
    facts: { ...base.facts, grouped: [{ id: 'INC-2', title: 'x on backup' }] },
  },
  'cannot-fail-over incident': {
    ...base,
    incident: {
      ...incident,
      kind: 'cannot-fail-over',
      phrase: undefined,
      title: `cannot fail over: ${RECORD} backup fails pre-flight`,
    },
  },
  'switch notice': {
    ...base,
    kind: 'update',
    incident: undefined,
    facts: { ...base.facts, switched, reason: 'failback by wang.li' },
  },
};

const presentation = (locale: Locale): AlertPresentation => ({
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale,
  siteLabels: { primary: '上海一号机房', backup: '杭州二号机房' },
  links: { runbook: 'https://wiki.example.cn/hcguard/runbook', dashboard: 'https://hcguard.example.cn/' },
});

const KEY_LEFT_IN = /\b(alert|action|title|problem|problemShort|service|stage|site|robot|testAlert|duration)\.[a-zA-Z]/;
const ENGLISH_LABEL = /^(What|Problem|Observed|Where|Since|Severity|Doing|Ack|When|Runbook|Dashboard):/m;

describe.each(Object.entries(cases))('the alert template "%s"', (_name, draft) => {
  const en = renderAlert(draft, presentation('en'));
  const zh = renderAlert(draft, presentation('zh-CN'));

  it('renders in both locales with every parameter filled and no key left in', () => {
    for (const message of [en, zh]) {
      expect(message.body).not.toMatch(/\{\{|\}\}/);
      expect(message.body).not.toMatch(KEY_LEFT_IN);
      expect(message.body).not.toContain('undefined');
    }
  });

  it('has the same lines in Chinese as in English, each labelled in Chinese', () => {
    expect(zh.body.split('\n')).toHaveLength(en.body.split('\n').length);
    expect(zh.body).not.toMatch(ENGLISH_LABEL);
    expect(en.body).toMatch(ENGLISH_LABEL);
    expect(zh.body).toMatch(/^(事件|处置)：/m);
  });

  it('keeps the subject, the SMS line and the JSON document in ASCII English for e-mail and machines', () => {
    expect(zh.subject).toBe(en.subject);
    expect(zh.sms).toBe(en.sms);
    expect({ ...zh.document, text: undefined }).toEqual({ ...en.document, text: undefined });
    expect(zh.document.text?.locale).toBe('zh-CN');
    expect(zh.document.text?.doing).toMatch(CJK);
  });

  it('makes a chat card in the stack language', () => {
    const card = robotCard(zh.subject, zh.document, presentation('zh-CN'));
    expect(card.title).toBe(zh.document.text?.headline);
    expect(card.lines.join('\n')).toMatch(/\*\*hcguard 处置\*\*：/);
    expect(card.lines.join('\n')).not.toMatch(KEY_LEFT_IN);
  });
});

describe('the Chinese alert for verification failing on the serving site, switched', () => {
  const draft = cases['open, switched'] as AlertDraft;
  const message = renderAlert(draft, presentation('zh-CN'));
  const id = incident.id;

  it('reads as the on-call engineer expects', () => {
    expect(message.body).toBe(
      [
        `[SEV1] 新告警 主站点核验故障：HTTP 503 (${id})`,
        '',
        '事件：    主站点核验故障：HTTP 503',
        '问题：    核验服务返回 HTTP 503',
        '观测：    verify-valid-code: HTTP 503',
        `位置：    主站点（上海一号机房）；记录：${RECORD} -> 主站点`,
        '开始：    2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC)，已持续 0 分钟',
        `级别：    SEV1 - ${incident.severityReason}`,
        `处置：    hcguard 已于 2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC) 将 ${RECORD} ` +
          '从主站点切换到备用站点（杭州二号机房）。',
        `确认：    hcguard ack ${id}   （未确认时，开启 15 分钟后升级）`,
        '',
        '处置手册： https://wiki.example.cn/hcguard/runbook#probe-status',
        '监控面板： https://hcguard.example.cn/',
        '',
        `hcguard 栈 hcguard-test | 告警 ${id}/open | 去重键 probe/primary/verification/status`,
        '',
      ].join('\n'),
    );
  });

  it('says a drill first, in Chinese', () => {
    const drill = renderAlert(cases['open, drill'] as AlertDraft, presentation('zh-CN'));
    expect(drill.body.split('\n')[0]).toBe(
      '*** 演练 drill-20261126-181405-ab12：本告警是应急演练的一部分，并非真实故障。 ***',
    );
    expect(drill.body.split('\n')[2]).toMatch(/^\[演练\] \[SEV1\] 新告警 /);
  });
});

describe('the notify test alert', () => {
  it.each(LOCALES)('renders in %s, drill-marked, with the same document fields', (locale) => {
    const message = testAlertMessage({
      drillId: 'drill-1',
      alertId: 'drill-1/notify/SEV1',
      severity: 'SEV1',
      at: NOW,
      presentation: presentation(locale),
    });
    expect(message.subject).toBe('[DRILL] SEV1 test alert from hcguard hcguard-test');
    expect(message.body).not.toMatch(/\{\{/);
    expect(message.body).not.toMatch(KEY_LEFT_IN);
    expect(message.body.split('\n')[0]).toContain('drill-1');
    if (locale === 'zh-CN') expect(message.body).toContain('事件：    SEV1 主题的测试告警');
    else expect(message.body).toContain('What:     test alert on the SEV1 topic');
    expect(message.document.doing).toMatch(/^nothing: this is a test/);
  });
});
