import { describe, expect, it } from 'vitest';
import { acknowledgeReply } from '../../../lambdas/core/incidents/acknowledge.ts';
import type { AcknowledgeOutcome, Incident } from '../../../lambdas/core/model/incidents.ts';

const AT = new Date('2026-12-02T03:46:43.000Z');
const ACTOR = 'operator:li@ops-1';
const incident: Incident = {
  id: 'INC-7K3QZ2M',
  dedupKey: 'probe/primary/verification/status',
  kind: 'probe',
  severity: 'SEV1',
  status: 'acknowledged',
  title: 'verification failing on primary: HTTP 503',
  openedAt: '2026-12-02T03:46:15.000Z',
  reminders: 0,
  version: 2,
};

describe('acknowledgeReply: what hcguard ack answers', () => {
  it.each<[string, AcknowledgeOutcome | undefined, boolean, string | RegExp, boolean]>([
    [
      'a new acknowledgement: done, audited',
      { acknowledged: true, incident },
      true,
      `acknowledged INC-7K3QZ2M (SEV1 verification failing on primary: HTTP 503) as ${ACTOR}: ` +
        'reminders and escalation stop',
      true,
    ],
    [
      'already acknowledged: no failure, nothing audited',
      { acknowledged: false, incident, reason: 'INC-7K3QZ2M was already acknowledged by operator:wang' },
      true,
      'INC-7K3QZ2M was already acknowledged by operator:wang',
      false,
    ],
    [
      'resolved: a failure',
      { acknowledged: false, incident: { ...incident, status: 'resolved' }, reason: 'INC-7K3QZ2M is already resolved' },
      false,
      'INC-7K3QZ2M is already resolved',
      false,
    ],
    [
      'unknown: a failure that says where to look',
      undefined,
      false,
      'no incident INC-7K3QZ2M (see `hcguard status` for open incidents)',
      false,
    ],
  ])('%s', (_, outcome, ok, message, audited) => {
    const reply = acknowledgeReply('INC-7K3QZ2M', ACTOR, AT, outcome);
    expect(reply).toMatchObject({ ok, message });
    expect(reply.audit !== undefined).toBe(audited);
  });

  it('audits who acknowledged what, when, and the drill it belongs to', () => {
    expect(
      acknowledgeReply('INC-7K3QZ2M', ACTOR, AT, { acknowledged: true, incident: { ...incident, drillId: 'd-1' } })
        .audit,
    ).toEqual({
      at: '2026-12-02T03:46:43.000Z',
      actor: ACTOR,
      action: 'incident.acknowledge',
      subject: 'INC-7K3QZ2M',
      detail: { severity: 'SEV1', dedupKey: 'probe/primary/verification/status' },
      drillId: 'd-1',
    });
  });
});
