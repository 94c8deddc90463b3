import { describe, expect, it } from 'vitest';
import {
  asciiLine,
  formatInstant,
  renderAlert,
  SUBJECT_MAX,
  type AlertPresentation,
} from '../../lambdas/core/alert-message.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { AlertDraft, IncidentInput } from '../../lambdas/core/incidents/types.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { TargetState } from '../../lambdas/core/model/probing.ts';
import { testConfig } from '../fakes/config.ts';

const NOW = new Date('2026-11-26T18:14:05.000Z');
const RECORD = 'verify.hc.example.com';
const config = testConfig({ timeZone: 'Asia/Shanghai' });
const presentation: AlertPresentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale: 'en' as const,
  siteLabels: { primary: 'Shanghai DC-1', backup: 'Hangzhou DC-2' },
  links: { runbook: 'https://wiki.example.cn/hcguard/runbook', dashboard: 'https://hcguard.example.cn/' },
};

const failingVerification: TargetState = {
  site: 'primary',
  stage: 'verification',
  health: 'failing',
  since: NOW.toISOString(),
  consecutiveFailures: 3,
  consecutiveSuccesses: 0,
  lastFailureClass: 'wrong-verdict',
  lastMessage: 'verify-forged-code: $.verdict expected "reject", got "green" (code#9f3b2c)',
  recentChanges: [],
  flapping: false,
  version: 4,
};

const draftFor = (input: Partial<IncidentInput> = {}): AlertDraft => {
  const decisions = decideIncidents({
    policy: config,
    targets: [failingVerification],
    open: [],
    routing: [{ record: RECORD, activeSite: 'primary' }],
    conditions: [],
    unannounced: [],
    now: NOW,
    ...input,
  });
  const alert = decisions.changes[0]?.alert ?? decisions.notices[0];
  if (!alert) throw new Error('expected an alert');
  return alert;
};

describe('an open alert for verification failing on the serving site, with the switch done', () => {
  const draft = draftFor({
    routing: [{ record: RECORD, activeSite: 'backup' }],
    unannounced: [
      {
        record: RECORD,
        from: 'primary',
        to: 'backup',
        at: NOW.toISOString(),
        actor: 'controller',
        reason: 'verification failing on primary',
        changeId: 'C2',
      },
    ],
  });
  const message = renderAlert(draft, presentation);
  const id = draft.incident?.id as string;

  it('has a subject that says level, what and what hcguard did, in ASCII within 99 characters', () => {
    expect(message.subject).toBe(
      `[SEV1] OPEN verification failing on primary: wrong verdicts - switched to backup (${id})`,
    );
    expect(message.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
  });

  it('has a body that answers what, where, since when, what hcguard is doing and how to acknowledge', () => {
    expect(message.body).toBe(
      [
        `[SEV1] OPEN verification failing on primary: wrong verdicts - switched to backup (${id})`,
        '',
        'What:     verification failing on primary: wrong verdicts',
        'Problem:  the verifier gives wrong verdicts (a forged code accepted or a valid one refused)',
        'Observed: verify-forged-code: $.verdict expected "reject", got "green" (code#9f3b2c)',
        `Where:    site primary (Shanghai DC-1); records: ${RECORD} -> backup`,
        'Since:    2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC), 0 min ago',
        'Severity: SEV1 - a verifier giving wrong verdicts is a security breach',
        `Doing:    hcguard switched ${RECORD} from primary to backup (Hangzhou DC-2) at ` +
          `2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC).`,
        `Ack:      hcguard ack ${id}   (unacknowledged, it escalates 15 min after opening)`,
        '',
        'Runbook:  https://wiki.example.cn/hcguard/runbook#probe-wrong-verdict',
        'Dashboard: https://hcguard.example.cn/',
        '',
        `hcguard stack hcguard-test | alert ${id}/open | dedup key probe/primary/verification/wrong-verdict`,
        '',
      ].join('\n'),
    );
  });

  it('carries message attributes subscribers can filter on', () => {
    expect(message.attributes).toEqual({
      severity: 'SEV1',
      kind: 'open',
      incidentId: id,
      dedupKey: 'probe/primary/verification/wrong-verdict',
      site: 'primary',
      stage: 'verification',
      drill: 'false',
      incidentSeverity: 'SEV1',
      stack: 'hcguard-test',
    });
  });

  it('has a JSON form for machines', () => {
    expect(message.document).toEqual({
      schema: 'hcguard.alert/1',
      stack: 'hcguard-test',
      alertId: `${id}/open`,
      kind: 'open',
      severity: 'SEV1',
      at: NOW.toISOString(),
      drill: false,
      dedupKey: 'probe/primary/verification/wrong-verdict',
      incident: {
        id,
        kind: 'probe',
        severity: 'SEV1',
        status: 'open',
        title: 'verification failing on primary: wrong verdicts',
        site: 'primary',
        stage: 'verification',
        failureClass: 'wrong-verdict',
        openedAt: NOW.toISOString(),
        severityReason: 'a verifier giving wrong verdicts is a security breach',
        problem: 'the verifier gives wrong verdicts (a forged code accepted or a valid one refused)',
      },
      observed: failingVerification.lastMessage,
      doing:
        `hcguard switched ${RECORD} from primary to backup (Hangzhou DC-2) at 2026-11-27 ` +
        `02:14:05 GMT+8 (2026-11-26 18:14:05 UTC).`,
      routing: [{ record: RECORD, activeSite: 'backup' }],
      switch: { record: RECORD, from: 'primary', to: 'backup', at: NOW.toISOString(), changeId: 'C2' },
      acknowledgeWith: `hcguard ack ${id}`,
      runbook: 'https://wiki.example.cn/hcguard/runbook#probe-wrong-verdict',
      dashboard: 'https://hcguard.example.cn/',
      text: {
        locale: 'en',
        headline: message.subject,
        title: 'verification failing on primary: wrong verdicts',
        problem: 'the verifier gives wrong verdicts (a forged code accepted or a valid one refused)',
        doing: message.document.doing,
      },
    });
  });

  it('links nothing unless configured, and one section of a runbook given with an anchor', () => {
    const { links: _links, ...bare } = presentation;
    const plain = renderAlert(draft, bare);
    expect(plain.body).not.toMatch(/Runbook|Dashboard|https?:/);
    expect(plain.document).not.toHaveProperty('runbook');
    const anchored = renderAlert(draft, { ...bare, links: { runbook: 'https://wiki.example.cn/rb.html#top' } });
    expect(anchored.body).toContain('Runbook:  https://wiki.example.cn/rb.html#probe-wrong-verdict\n');
  });

  it('has a one-line SMS form with the ack command', () => {
    expect(message.sms).toBe(`${message.subject} | ack: hcguard ack ${id}`);
  });
});

describe('what hcguard says it is doing', () => {
  it.each<[string, Partial<IncidentInput>, string]>([
    [
      'watching, ready to switch',
      {},
      `hcguard keeps watching and switches ${RECORD} as soon as the other site passes pre-flight.`,
    ],
    [
      'refusing to switch',
      {
        conditions: [
          {
            kind: 'cannot-fail-over',
            record: RECORD,
            title: 'cannot fail over',
            detail: 'backup collection is failing (assertion)',
          },
        ],
      },
      'hcguard cannot fail over: backup collection is failing (assertion)',
    ],
    [
      'not affecting traffic (standby)',
      { targets: [{ ...failingVerification, site: 'backup' }] },
      `no citizen traffic is affected now: backup does not serve ${RECORD}. hcguard ` +
        `keeps watching; failover to backup is blocked while it fails.`,
    ],
  ])('%s', (_, input, doing) => {
    const draft = draftFor(input);
    expect(renderAlert(draft, presentation).document.doing).toBe(doing);
  });

  it('tells the operator to switch by hand when automatic failover is off', () => {
    const manual = testConfig({ failover: { mode: 'manual' } });
    const decisions = decideIncidents({
      policy: manual,
      targets: [failingVerification],
      open: [],
      routing: [],
      conditions: [],
      unannounced: [],
      now: NOW,
    });
    const draft = decisions.changes[0]?.alert as AlertDraft;
    expect(renderAlert(draft, presentation).document.doing).toBe(
      'automatic failover is off: switch by hand with `hcguard failover --to backup --reason "..."`.',
    );
  });

  it('reminds, on resolve, that traffic stays on the backup until an operator fails back', () => {
    const opened = decideIncidents({
      policy: config,
      targets: [failingVerification],
      open: [],
      routing: [],
      conditions: [],
      unannounced: [],
      now: NOW,
    });
    const incident = opened.changes[0]?.incident as Incident;
    const later = new Date(NOW.getTime() + 12 * 60_000);
    const resolved = decideIncidents({
      policy: config,
      targets: [{ ...failingVerification, health: 'healthy', consecutiveSuccesses: 2 }],
      open: [incident],
      routing: [{ record: RECORD, activeSite: 'backup' }],
      conditions: [],
      unannounced: [],
      now: later,
    });
    const message = renderAlert(resolved.changes[0]?.alert as AlertDraft, presentation);
    expect(message.subject).toBe(
      '[SEV4, was SEV1] RESOLVED verification failing on primary: wrong verdicts (' + incident.id + ')',
    );
    expect(message.body).toContain('Why now:  verification on primary healthy again (2 good rounds) after 12 min\n');
    expect(message.body).toContain(
      `Doing:    nothing more for this incident. ${RECORD} still point(s) at backup: ` +
        `run \`hcguard failback\` once you trust the primary.\n`,
    );
    expect(message.body).toContain('Resolved: 2026-11-27 02:26:05 GMT+8 (2026-11-26 18:26:05 UTC), open 12 min\n');
    expect(message.attributes).toMatchObject({ severity: 'SEV4', incidentSeverity: 'SEV1', kind: 'resolve' });
  });
});

describe('drill alerts', () => {
  it('cannot be mistaken for real ones: subject prefix, first body line, attribute', () => {
    const message = renderAlert(draftFor({ drill: { drillId: 'DRILL-20261126-01' } }), presentation);
    expect(message.subject.startsWith('[DRILL] [SEV1] OPEN')).toBe(true);
    expect(message.body.split('\n')[0]).toBe(
      '*** DRILL DRILL-20261126-01: this alert is part of a rehearsal, not a real outage. ***',
    );
    expect(message.attributes.drill).toBe('true');
    expect(message.document).toMatchObject({ drill: true, drillId: 'DRILL-20261126-01' });
  });
});

describe('subjects stay within what SNS accepts', () => {
  it.each([
    [
      'a long condition title in Chinese and English',
      '无法切换 cannot fail over ' +
        'verify.very-long-subdomain-name.health-code.provincial-platform.example.com: ' +
        'backup unhealthy',
    ],
    ['a short one', 'x'],
  ])('%s', (_, title) => {
    const draft = draftFor({
      targets: [],
      conditions: [{ kind: 'cannot-fail-over', record: RECORD, title, detail: '备用站点 backup unhealthy' }],
      drill: { drillId: 'DRILL-1' },
    });
    const { subject } = renderAlert(draft, presentation);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject).toMatch(/^\[DRILL\] \[SEV1\] OPEN [\x20-\x7e]+ \(INC-\w{7}\)$/);
  });

  it('asciiLine drops what SNS refuses in subjects', () => {
    expect(asciiLine('上海 DC-1 — primary\n down\t')).toBe('DC-1 - primary down');
  });
});

describe('formatInstant', () => {
  it.each([
    ['2026-11-26T18:14:05.000Z', 'Asia/Shanghai', '2026-11-27 02:14:05 GMT+8 (2026-11-26 18:14:05 UTC)'],
    ['2026-11-26T18:14:05.000Z', 'UTC', '2026-11-26 18:14:05 UTC'],
    ['not a date', 'UTC', 'not a date'],
  ])('%s in %s → %s', (iso, zone, text) => {
    expect(formatInstant(iso, zone)).toBe(text);
  });
});

describe('alerts of one event: the lead pages, the rest say whose page they are part of', () => {
  const decisions = decideIncidents({
    policy: config,
    targets: [failingVerification],
    open: [],
    routing: [{ record: RECORD, activeSite: 'primary' }],
    conditions: [
      {
        kind: 'cannot-fail-over',
        record: RECORD,
        title: `cannot fail over ${RECORD}: backup unhealthy`,
        detail: 'backup collection is failing',
      },
    ],
    unannounced: [],
    now: NOW,
  });
  const [lead, follower] = decisions.changes.map((change) => renderAlert(change.alert as AlertDraft, presentation));
  const leadId = decisions.changes[0]?.incident.id as string;
  const followerId = decisions.changes[1]?.incident.id as string;

  it('lists the grouped incidents in the page', () => {
    expect(lead?.attributes.severity).toBe('SEV1');
    expect(lead?.body).toContain(
      `Also:     ${followerId} cannot fail over ${RECORD}: backup unhealthy (same event, not paged again)\n`,
    );
    expect(lead?.document.grouped).toEqual([followerId]);
  });

  it('sends the grouped one at SEV2, naming the page it belongs to', () => {
    expect(follower?.subject).toBe(`[SEV2] OPEN cannot fail over ${RECORD}: backup unhealthy (${followerId})`);
    expect(follower?.body).toContain(
      `Grouped:  part of the event ${leadId} pages for (verification failing on primary: wrong verdicts); ` +
        'not paged on its own\n',
    );
    expect(follower?.body).toContain('Severity: SEV1');
    expect(follower?.attributes).toMatchObject({ severity: 'SEV2', incidentSeverity: 'SEV1' });
    expect(follower?.document.groupedWith).toBe(leadId);
  });
});
