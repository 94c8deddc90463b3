// Publishes what the outbox holds: each alert claimed conditionally first (so two overlapping
// runs never publish it both), removed after its publish, given back when the publish fails.
// At least once: published but not marked sent, it goes out again after its lease.
import { describeError } from '../../core/errors.ts';
import { dueAlerts } from '../../core/incidents/outbox.ts';
import type { Clock, Notifier, StateStore } from '../../ports.ts';
import type { AlertDelivery, RoundProblem } from './types.ts';

const DEFAULT_ALERT_LEASE_MS = 120_000;

export const deliverAlerts = async (
  deps: {
    readonly store: StateStore;
    readonly notifier: Notifier;
    readonly clock: Clock;
    readonly runId?: () => string;
    readonly alertLeaseMs?: number;
  },
  problems: RoundProblem[],
  signal?: AbortSignal,
): Promise<AlertDelivery> => {
  const sent: { id: string; topic: string; messageId: string }[] = [];
  const failed: { id: string; error: string }[] = [];
  let queued;
  try {
    queued = await deps.store.pendingAlerts(signal);
  } catch (error) {
    problems.push({ step: 'pending-alerts', message: describeError(error) });
    return { sent, failed, pending: 0 };
  }
  const owner = deps.runId?.() ?? `round-${crypto.randomUUID()}`;
  const leaseMs = deps.alertLeaseMs ?? DEFAULT_ALERT_LEASE_MS;
  for (const alert of dueAlerts(queued, deps.clock.now())) {
    const ids = { alertId: alert.id, ...(alert.incidentId ? { incidentId: alert.incidentId } : {}) };
    const now = deps.clock.now();
    let claimed: boolean;
    try {
      claimed = await deps.store.claimAlert(alert.id, owner, now, new Date(now.getTime() + leaseMs), signal);
    } catch (error) {
      problems.push({ step: 'publish', message: `could not claim: ${describeError(error)}`, ...ids });
      continue;
    }
    if (!claimed) continue;
    let messageId: string;
    try {
      ({ messageId } = await deps.notifier.publish(alert, signal));
    } catch (error) {
      const message = describeError(error);
      failed.push({ id: alert.id, error: message });
      problems.push({ step: 'publish', message, ...ids });
      try {
        await deps.store.releaseAlert(alert.id, owner, message, signal);
      } catch (releaseError) {
        // The lease runs out on its own; the next round after it publishes.
        problems.push({
          step: 'publish',
          message: `could not release the claim: ${describeError(releaseError)}`,
          ...ids,
        });
      }
      continue;
    }
    sent.push({ id: alert.id, topic: alert.topic, messageId });
    try {
      await deps.store.markAlertSent(alert, owner, { messageId, at: deps.clock.now() }, signal);
    } catch (error) {
      // Published but still queued: after the lease another run may publish it again (at least once).
      problems.push({ step: 'mark-sent', message: describeError(error), ...ids });
    }
  }
  return { sent, failed, pending: queued.length - sent.length };
};
