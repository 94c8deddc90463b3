// Which queued alerts a run may publish now, in what order, and what a publish adds to the timeline
// and to the sent log.
import type { IncidentEvent, OutboxAlert, SentAlert } from '../model/incidents.ts';

/** Oldest first (an opening before the reminder behind it), skipping those another run holds. */
export const dueAlerts = (pending: readonly OutboxAlert[], now: Date): OutboxAlert[] =>
  pending
    .filter((alert) => !alert.claimedUntil || alert.claimedUntil < now.toISOString())
    .toSorted((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

/** The incident's timeline entry for an alert SNS accepted. */
export const alertedEvent = (
  alert: OutboxAlert & { readonly incidentId: string },
  sent: { readonly messageId: string; readonly at: Date },
): IncidentEvent => ({
  incidentId: alert.incidentId,
  at: sent.at.toISOString(),
  type: 'alerted',
  detail: `alert ${alert.id} published to ${alert.topic} (message ${sent.messageId})`,
});

/** What the sent log keeps of an alert SNS accepted: the words its receivers read, no more. */
export const sentAlert = (alert: OutboxAlert, sent: { readonly messageId: string; readonly at: Date }): SentAlert => ({
  alertId: alert.id,
  ...(alert.incidentId ? { incidentId: alert.incidentId } : {}),
  kind: alert.kind,
  topic: alert.topic,
  severity: alert.message.document.severity,
  subject: alert.message.subject,
  body: alert.message.body,
  sentAt: sent.at.toISOString(),
  messageId: sent.messageId,
  ...(alert.drillId ? { drillId: alert.drillId } : {}),
});
