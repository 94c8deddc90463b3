// `hcguard ack`: the operator has seen the incident.
import type { AuditEntry } from '../model/audit.ts';
import type { AcknowledgeOutcome, Incident } from '../model/incidents.ts';
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

/**
 * What `hcguard ack` answers for the store's outcome (undefined: no such incident). An incident
 * already acknowledged is no failure (the page was seen); a resolved or unknown one is. A new
 * acknowledgement is audited: who, when, which incident at which severity.
 */
export const acknowledgeReply = (
  id: string,
  actor: Actor,
  at: Date,
  outcome: AcknowledgeOutcome | undefined,
): { readonly ok: boolean; readonly message: string; readonly audit?: AuditEntry } => {
  if (!outcome) return { ok: false, message: `no incident ${id} (see \`hcguard status\` for open incidents)` };
  if (!outcome.acknowledged) return { ok: outcome.incident.status !== 'resolved', message: outcome.reason };
  const { incident } = outcome;
  return {
    ok: true,
    message:
      `acknowledged ${incident.id} (${incident.severity} ${incident.title}) as ${actor}: ` +
      'reminders and escalation stop',
    audit: {
      at: at.toISOString(),
      actor,
      action: 'incident.acknowledge',
      subject: incident.id,
      detail: { severity: incident.severity, dedupKey: incident.dedupKey },
      ...(incident.drillId ? { drillId: incident.drillId } : {}),
    },
  };
};
