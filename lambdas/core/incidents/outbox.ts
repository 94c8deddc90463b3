// Which queued alerts a run may publish now, and in what order.
import type { OutboxAlert } from '../model/incidents.ts';

/** Oldest first (an opening before the reminder behind it), skipping those another run holds. */
export const dueAlerts = (pending: readonly OutboxAlert[], now: Date): OutboxAlert[] =>
  pending
    .filter((alert) => !alert.claimedUntil || alert.claimedUntil < now.toISOString())
    .toSorted((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
