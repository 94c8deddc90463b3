// Which queued alerts a run may publish now, in what order, and what a publish adds to the timeline.
import type { IncidentEvent, OutboxAlert } from '../model/incidents.ts';

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
