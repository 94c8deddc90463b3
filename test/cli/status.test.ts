// hcguard status | history | ack against a stack on moto (found through its CloudFormation
// outputs, as against AWS), with state written by the same adapters the Lambdas use.
import { formatInstant } from '../../lambdas/core/alert-message.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatStatus,
  parseSince,
  statusDocument,
  statusProblems,
  type StatusDocument,
} from '../../bin/cli/commands/status.ts';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log.ts';
import { DynamoRoutingStore } from '../../lambdas/adapters/aws/dynamo-routing-store.ts';
import { DynamoStateStore } from '../../lambdas/adapters/aws/dynamo-state-store.ts';
import { toOutboxAlert, alertPresentation } from '../../lambdas/app/round/incident-commits.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { Incident } from '../../lambdas/core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../lambdas/core/model/probing.ts';
import { runHcguard } from '../support/cli.ts';
import { createCliStack } from '../support/cli-stack.ts';
import { testConfig } from '../fakes/config.ts';

const OPENED = new Date(Date.now() - 10 * 60_000);
const config = testConfig({ timeZone: 'Asia/Shanghai' });

const failing = (site: 'primary' | 'backup'): TargetState => ({
  site,
  stage: 'verification',
  health: 'failing',
  since: OPENED.toISOString(),
  consecutiveFailures: 3,
  consecutiveSuccesses: 0,
  lastOutcome: 'failed',
  lastFailureClass: 'status',
  lastMessage: 'HTTP 503 from /verify',
  lastStatus: 503,
  lastResultAt: OPENED.toISOString(),
  recentChanges: [],
  flapping: false,
  version: 1,
});

describe('hcguard status, history and ack against a stack on moto', () => {
  let args: string[];
  let store: DynamoStateStore;
  let audit: DynamoAuditLog;
  let incident: Incident;
  let result: ProbeResult;

  beforeAll(async () => {
    const { dynamodb, tableName, ...stack } = await createCliStack({ timeZone: 'Asia/Shanghai' });
    args = stack.args;

    store = new DynamoStateStore({ client: dynamodb, tableName, resultRetentionDays: 30 });
    audit = new DynamoAuditLog({ client: dynamodb, tableName });
    await store.saveTargets([{ target: failing('primary'), expectedVersion: 0 }]);
    const change = decideIncidents({
      policy: config,
      targets: [failing('primary')],
      open: [],
      routing: [],
      conditions: [],
      unannounced: [],
      now: OPENED,
    }).changes[0];
    if (change?.type !== 'open') throw new Error('expected an opening');
    await store.applyIncidentChange({ change, alert: toOutboxAlert(change.alert, alertPresentation(config)) });
    incident = change.incident;
    result = {
      probeId: 'verification-check',
      site: 'primary',
      stage: 'verification',
      startedAt: OPENED.toISOString(),
      durationMs: 812,
      outcome: 'failed',
      failureClass: 'status',
      message: 'HTTP 503 from /verify',
      steps: [],
    };
    await store.recordResults([
      result,
      { ...result, site: 'backup', outcome: 'ok', message: undefined, failureClass: undefined } as ProbeResult,
    ]);
    await new DynamoRoutingStore(tableName, dynamodb).put(
      {
        record: 'verify.hc.example.com',
        activeSite: 'backup',
        since: OPENED.toISOString(),
        reason: 'verification failing on primary',
        actor: 'controller',
        version: 1,
      },
      0,
    );
  });

  it('alerts shows what was sent as the receiver reads it, newest first, by severity, and --json', async () => {
    const [queued] = await store.pendingAlerts();
    if (!queued) throw new Error('expected the queued opening alert');
    expect((await runHcguard(...args, 'alerts')).stdout).toBe('no alerts sent in this window\n');
    const sentAt = new Date(OPENED.getTime() + 5_000);
    expect(await store.claimAlert(queued.id, 'test', sentAt, new Date(sentAt.getTime() + 60_000))).toBe(true);
    await store.markAlertSent(queued, 'test', { messageId: 'msg-1', at: sentAt });

    const text = await runHcguard(...args, 'alerts', '--since', '1h');
    expect(text.code).toBe(0);
    const localTime = formatInstant(sentAt.toISOString(), 'Asia/Shanghai');
    expect(text.stdout).toContain(`── ${localTime}  SEV1 topic  ${queued.id}  message msg-1\n`);
    expect(text.stdout).toContain(`Subject: ${queued.message.subject}\n`);
    expect(text.stdout).toContain(`  Ack:      hcguard ack ${incident.id}`);
    expect(text.stdout).toContain('  Problem:  HTTP 503 from the verifier\n');

    const json = JSON.parse((await runHcguard(...args, 'alerts', '--json', '--severity', 'SEV1')).stdout);
    expect(json.alerts).toEqual([expect.objectContaining({ alertId: queued.id, body: queued.message.body })]);
    expect((await runHcguard(...args, 'alerts', '--severity', 'SEV2')).stdout).toBe('no alerts sent in this window\n');
    const refused = await runHcguard(...args, 'alerts', '--severity', 'SEV9');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SEV9');
  });

  it('status --json gives routing, every target and the open incidents', async () => {
    const run = await runHcguard(...args, 'status', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toEqual({
      routing: [
        {
          record: 'verify.hc.example.com',
          activeSite: 'backup',
          since: OPENED.toISOString(),
          reason: 'verification failing on primary',
          actor: 'controller',
        },
      ],
      targets: [
        { site: 'primary', stage: 'collection', state: 'unknown', since: null },
        { site: 'primary', stage: 'transmission', state: 'unknown', since: null },
        { site: 'primary', stage: 'verification', state: 'failing', since: OPENED.toISOString() },
        { site: 'backup', stage: 'collection', state: 'unknown', since: null },
        { site: 'backup', stage: 'transmission', state: 'unknown', since: null },
        { site: 'backup', stage: 'verification', state: 'unknown', since: null },
      ],
      incidents: [
        {
          id: incident.id,
          severity: 'SEV1',
          site: 'primary',
          stage: 'verification',
          failureClass: 'status',
          state: 'open',
          openedAt: OPENED.toISOString(),
          acknowledgedAt: null,
        },
      ],
    });
  });

  it('status --check exits 1 naming the unresolved SEV1 incident and the failed-over record', async () => {
    const run = await runHcguard(...args, 'status', '--check', '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toHaveProperty('incidents');
    expect(run.stderr).toBe(
      `status check failed: SEV1 incident ${incident.id} is open (verification on primary); ` +
        'verify.hc.example.com sends traffic to the backup, not the primary\n',
    );
  });

  it('status prints the same for a person', async () => {
    const run = await runHcguard(...args, 'status');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('verify.hc.example.com -> backup since ');
    const localTime = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} GMT\+8 \(.* UTC\)/.source;
    expect(run.stdout).toMatch(
      new RegExp(`primary[\\s│]+verification[\\s│]+failing[\\s│]+${localTime}[\\s│]+failed \\(HTTP 503\\)`),
    );
    expect(run.stdout).toContain(`${incident.id}`);
    expect(run.stdout).toContain('verification failing on primary: HTTP 503');
    expect(run.stdout).toContain('acknowledge with: hcguard ack <id>');
  });

  it('history lists results newest first and the incidents of the window, filtered by site', async () => {
    const all = JSON.parse((await runHcguard(...args, 'history', '--since', '1h', '--json')).stdout);
    expect(all.results.map((entry: ProbeResult) => entry.site).toSorted()).toEqual(['backup', 'primary']);
    expect(all.incidents.map((entry: Incident) => entry.id)).toEqual([incident.id]);
    const backup = JSON.parse((await runHcguard(...args, 'history', '--site', 'backup', '--json')).stdout);
    expect(backup.results.map((entry: ProbeResult) => entry.site)).toEqual(['backup']);
    expect(backup.incidents).toEqual([]);
    const text = await runHcguard(...args, 'history', '--stage', 'verification');
    expect(text.stdout).toContain('HTTP 503 from /verify');
    expect(text.stdout).toContain(`${incident.id} SEV1 verification failing on primary: HTTP 503: opened`);
    const later = JSON.parse(
      (await runHcguard(...args, 'history', '--since', new Date(Date.now() + 60_000).toISOString(), '--json')).stdout,
    );
    expect(later).toMatchObject({ results: [], incidents: [] });
  });

  it('ack acknowledges once, records who in the audit log, and says so when repeated', async () => {
    const run = await runHcguard(...args, 'ack', incident.id.toLowerCase());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^acknowledged ${incident.id} \\(SEV1 verification failing on primary: HTTP 503\\) ` +
          `as operator:\\S+@\\S+: reminders and escalation stop\\n$`,
      ),
    );
    const stored = await store.getIncident(incident.id);
    expect(stored?.incident).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: expect.stringMatching(/^operator:/),
    });
    expect(stored?.timeline.map((event) => event.type)).toEqual(['opened', 'alerted', 'acknowledged']);
    const entries = await audit.list({});
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'incident.acknowledge',
        subject: incident.id,
        actor: stored?.incident.acknowledgedBy,
        detail: { severity: 'SEV1', dedupKey: incident.dedupKey },
      }),
    ]);

    const again = await runHcguard(...args, 'ack', incident.id);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^${incident.id} was already acknowledged by operator:`));
    const status = JSON.parse((await runHcguard(...args, 'status', '--json')).stdout);
    expect(status.incidents[0]).toMatchObject({
      state: 'acknowledged',
      acknowledgedAt: stored?.incident.acknowledgedAt,
    });
  });

  it.each([
    [['ack', 'INC-ZZZZZZZ'], 1, /no incident INC-ZZZZZZZ \(see `hcguard status` for open incidents\)/],
    [['ack', 'not-an-id'], 2, /"not-an-id" is not an incident id: they look like INC-7K3QZ2M/],
    [['ack'], 2, /missing required argument 'incident-id'/],
    [['history', '--since', 'last tuesday'], 2, /--since must be an ISO instant/],
    [['history', '--site', 'moon'], 2, /argument 'moon' is invalid/],
    [['history', '--limit', '0'], 2, /--limit must be a whole number from 1 to 10000/],
    [['status', '--verbose'], 2, /unknown option '--verbose'/],
  ])('hcguard %j exits %i and says why', async (argv, code, message) => {
    const run = await runHcguard(...args, ...argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});

describe('statusDocument', () => {
  it("shows a flap hold with its reason and the instant it ends (status --json's targets[].hold)", () => {
    const changes = [
      '2026-11-20T08:00:00.000Z',
      '2026-11-20T08:01:00.000Z',
      '2026-11-20T08:02:00.000Z',
      '2026-11-20T08:03:00.000Z',
    ];
    const target = { ...failing('primary'), flapping: true, recentChanges: changes };
    const document = statusDocument([], undefined, [target], [], { flap: { changes: 4, windowMinutes: 10 } });
    expect(document.targets.find((entry) => entry.site === 'primary' && entry.stage === 'verification')).toMatchObject({
      state: 'failing',
      hold: {
        kind: 'flap',
        until: '2026-11-20T08:10:00.000Z',
        reason: '4 health changes within 10 min (flap limit 4): held at failing',
      },
    });
    expect(document.targets.filter((entry) => entry.hold)).toHaveLength(1);
    const text = formatStatus(document, { targets: [target], incidents: [], timeZone: 'UTC' });
    expect(text).toContain('failing (flapping: held until 2026-11-20 08:10:00 UTC)');
    expect(text).toContain(
      '  primary/verification: 4 health changes within 10 min (flap limit 4): held at failing\n' +
        '  end a flap hold early with: hcguard hold clear <site>/<stage> --reason "..."',
    );
  });
});

describe('statusProblems: what status --check fails on', () => {
  const document = (incidents: { severity: string; state: string }[], activeSite = 'primary'): StatusDocument =>
    ({
      routing: [{ record: 'verify.hc.example.com', activeSite, since: '', reason: '', actor: 'controller' }],
      targets: [],
      incidents: incidents.map((incident, index) => ({
        id: `INC-${index}`,
        site: 'primary',
        stage: 'verification',
        failureClass: null,
        openedAt: '',
        acknowledgedAt: null,
        ...incident,
      })),
    }) as unknown as StatusDocument;

  it.each([
    ['all quiet', document([]), []],
    ['a SEV3 open', document([{ severity: 'SEV3', state: 'open' }]), []],
    ['a SEV1 resolved', document([{ severity: 'SEV1', state: 'resolved' }]), []],
    [
      'a SEV2 acknowledged (still a problem)',
      document([{ severity: 'SEV2', state: 'acknowledged' }]),
      ['SEV2 incident INC-0 is acknowledged (verification on primary)'],
    ],
    [
      'traffic on the backup',
      document([], 'backup'),
      ['verify.hc.example.com sends traffic to the backup, not the primary'],
    ],
  ])('%s', (_, input, expected) => {
    expect(statusProblems(input)).toEqual(expected);
  });
});

describe('parseSince', () => {
  const now = new Date('2026-11-26T18:00:00.000Z');
  it.each([
    ['30m', '2026-11-26T17:30:00.000Z'],
    ['2h', '2026-11-26T16:00:00.000Z'],
    ['7d', '2026-11-19T18:00:00.000Z'],
    ['2026-11-26T10:00:00+08:00', '2026-11-26T02:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseSince(text, now)).toBe(iso);
  });
});
