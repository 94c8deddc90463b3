// `hcguard ack`: the operator has seen the incident.
import type { AuditEntry } from '../model/audit.ts';
import type { Incident } from '../model/incidents.ts';
import type { Actor } from '../model/vocabulary.ts';
import type { IncidentChange } from './types.ts';

export type AcknowledgeDecision =
  | { readonly ok: true; readonly change: Extract<IncidentChange, { type: 'update' }> }
  | { readonly ok: false; readonly reason: string };

/** `hcguard ack`: stops reminders and timed escalation. Sends no alert: the operator knows. */
export const acknowledgeIncident = (incident: Incident, actor: Actor, now: Date): AcknowledgeDecision => {
  if (incident.status === 'resolved')
    return { ok: false, reason: `${incident.id} is already resolved (at ${incident.resolvedAt ?? 'an unknown time'})` };
  if (incident.status === 'acknowledged') {
    return {
      ok: false,
      reason:
        `${incident.id} was already acknowledged by ` +
        `${incident.acknowledgedBy ?? 'someone'} at ` +
        `${incident.acknowledgedAt ?? 'an unknown time'}`,
    };
  }
  const at = now.toISOString();
  return {
    ok: true,
    change: {
      type: 'update',
      reason: 'acknowledge',
      incident: {
        ...incident,
        status: 'acknowledged',
        acknowledgedAt: at,
        acknowledgedBy: actor,
        version: incident.version + 1,
      },
      expectedVersion: incident.version,
      events: [{ incidentId: incident.id, at, type: 'acknowledged', detail: `acknowledged by ${actor}` }],
      releaseDedupKey: false,
    },
  };
};

/** The audit entry of an acknowledgement: who, when, and which incident at which severity. */
export const acknowledgementAudit = (incident: Incident, actor: Actor, at: Date): AuditEntry => ({
  at: at.toISOString(),
  actor,
  action: 'incident.acknowledge',
  subject: incident.id,
  detail: { severity: incident.severity, dedupKey: incident.dedupKey },
  ...(incident.drillId ? { drillId: incident.drillId } : {}),
});

/** What the operator reads after `hcguard ack`. */
export const acknowledgedMessage = (incident: Incident, actor: Actor): string =>
  `acknowledged ${incident.id} (${incident.severity} ${incident.title}) as ${actor}: reminders and escalation stop`;
