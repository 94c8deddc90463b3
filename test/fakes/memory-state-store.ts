// An in-memory StateStore with the same conditional semantics as the DynamoDB one (the
// storage contract suite runs against both). Each method copies values in and out, so tests
// cannot change stored state by accident. `failNext` makes the next call of a method throw,
// to play an outage.
import { alertedEvent, sentAlert } from '../../lambdas/core/incidents/outbox.ts';
import { acknowledgeIncident } from '../../lambdas/core/incidents/acknowledge.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../lambdas/core/errors.ts';
import { targetKey, type Actor } from '../../lambdas/core/model/vocabulary.ts';
import type {
  Incident,
  IncidentEvent,
  AcknowledgeOutcome,
  IncidentWrite,
  OutboxAlert,
  SentAlert,
} from '../../lambdas/core/model/incidents.ts';
import {
  inHistoryOrder,
  type ProbeResult,
  type TargetState,
  type TargetWrite,
} from '../../lambdas/core/model/probing.ts';
import type { DrillScope } from '../../lambdas/core/drill/model.ts';
import type { SwitchAnnouncement } from '../../lambdas/core/model/routing.ts';
import type { HistoryQuery, IncidentQuery, SentAlertsQuery, StateStore } from '../../lambdas/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

type Method = keyof StateStore;

export class MemoryStateStore implements StateStore {
  readonly targets = new Map<string, TargetState>();
  readonly results: ProbeResult[] = [];
  readonly incidents = new Map<string, Incident>();
  readonly events = new Map<string, IncidentEvent[]>();
  readonly dedup = new Map<string, string>();
  readonly outbox = new Map<string, OutboxAlert & { claimedBy?: string }>();
  readonly sent: SentAlert[] = [];
  /** The announced switch per record. */
  readonly announced = new Map<string, string>();
  drill: DrillScope | undefined;
  private readonly failures = new Map<Method, Error[]>();

  /** The next `count` calls of `method` throw `error`. */
  failNext(method: Method, error: Error, count = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array.from({ length: count }, () => error)]);
  }

  private check(method: Method, signal?: AbortSignal): void {
    signal?.throwIfAborted();
    const queued = this.failures.get(method);
    const error = queued?.shift();
    if (error) throw error;
  }

  async loadTargets(signal?: AbortSignal): Promise<TargetState[]> {
    this.check('loadTargets', signal);
    return copy([...this.targets.values()]);
  }

  async saveTargets(writes: readonly TargetWrite[], signal?: AbortSignal): Promise<void> {
    this.check('saveTargets', signal);
    for (const { target, expectedVersion } of writes) {
      const stored = this.targets.get(targetKey(target.site, target.stage));
      if ((stored?.version ?? 0) !== expectedVersion)
        throw new VersionConflictError(`target ${target.site}#${target.stage}`, expectedVersion);
    }
    for (const { target } of writes) this.targets.set(targetKey(target.site, target.stage), copy(target));
  }

  async recordResults(results: readonly ProbeResult[], signal?: AbortSignal): Promise<void> {
    this.check('recordResults', signal);
    this.results.push(...copy(results));
  }

  async history(query: HistoryQuery, signal?: AbortSignal): Promise<ProbeResult[]> {
    this.check('history', signal);
    return copy(
      inHistoryOrder(
        this.results.filter(
          (result) =>
            (!query.site || result.site === query.site) &&
            (!query.stage || result.stage === query.stage) &&
            (!query.since || result.startedAt >= query.since),
        ),
        query.oldestFirst,
      ).slice(0, query.limit ?? 100),
    );
  }

  async listOpenIncidents(signal?: AbortSignal): Promise<Incident[]> {
    this.check('listOpenIncidents', signal);
    return copy(
      [...this.incidents.values()]
        .filter((incident) => incident.status !== 'resolved')
        .toSorted((a, b) => a.openedAt.localeCompare(b.openedAt)),
    );
  }

  async listIncidents(query: IncidentQuery, signal?: AbortSignal): Promise<Incident[]> {
    this.check('listIncidents', signal);
    return copy(
      [...this.incidents.values()]
        .filter((incident) => !query.since || incident.openedAt >= query.since)
        .toSorted((a, b) => b.openedAt.localeCompare(a.openedAt))
        .slice(0, query.limit ?? 100),
    );
  }

  async getIncident(
    id: string,
    signal?: AbortSignal,
  ): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined> {
    this.check('getIncident', signal);
    const incident = this.incidents.get(id);
    if (!incident) return undefined;
    return copy({ incident, timeline: (this.events.get(id) ?? []).toSorted((a, b) => a.at.localeCompare(b.at)) });
  }

  async applyIncidentChange(write: IncidentWrite, signal?: AbortSignal): Promise<void> {
    this.check('applyIncidentChange', signal);
    const { change, alert } = write;
    const stored = this.incidents.get(change.incident.id);
    if (change.type === 'open') {
      if (this.dedup.has(change.incident.dedupKey))
        throw new AlreadyExistsError(`open incident for ${change.incident.dedupKey}`);
      if (stored) throw new AlreadyExistsError(`incident ${change.incident.id}`);
    } else if ((stored?.version ?? 0) !== change.expectedVersion) {
      throw new VersionConflictError(`incident ${change.incident.id}`, change.expectedVersion);
    }
    if (alert) this.checkAlert(alert);
    if (change.type === 'open') this.dedup.set(change.incident.dedupKey, change.incident.id);
    if (
      change.type === 'update' &&
      change.releaseDedupKey &&
      this.dedup.get(change.incident.dedupKey) === change.incident.id
    ) {
      this.dedup.delete(change.incident.dedupKey);
    }
    this.incidents.set(change.incident.id, copy(change.incident));
    this.events.set(change.incident.id, [...(this.events.get(change.incident.id) ?? []), ...copy(change.events)]);
    if (alert) this.storeAlert(alert);
  }

  private checkAlert(alert: OutboxAlert): void {
    if (this.outbox.has(alert.id)) throw new AlreadyExistsError(`alert ${alert.id}`);
    const marked = alert.announces && this.announced.get(alert.announces.record);
    if (alert.announces && marked !== undefined && marked >= alert.announces.switchedAt) {
      throw new AlreadyExistsError(
        `announcement of the switch of ${alert.announces.record} at ${alert.announces.switchedAt}`,
      );
    }
  }

  private storeAlert(alert: OutboxAlert): void {
    this.outbox.set(alert.id, copy(alert));
    if (alert.announces) this.announced.set(alert.announces.record, alert.announces.switchedAt);
  }

  async acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome> {
    this.check('acknowledge', signal);
    const incident = this.incidents.get(id);
    if (!incident) throw new NotFoundError(`incident ${id}`);
    const decision = acknowledgeIncident(copy(incident), actor, at);
    if (!decision.ok) return { acknowledged: false, incident: copy(incident), reason: decision.reason };
    await this.applyIncidentChange({ change: decision.change });
    return { acknowledged: true, incident: copy(decision.change.incident) };
  }

  async queueAlert(alert: OutboxAlert, signal?: AbortSignal): Promise<void> {
    this.check('queueAlert', signal);
    this.checkAlert(alert);
    this.storeAlert(alert);
  }

  async loadAnnouncements(signal?: AbortSignal): Promise<SwitchAnnouncement[]> {
    this.check('loadAnnouncements', signal);
    return [...this.announced].map(([record, switchedAt]) => ({ record, switchedAt }));
  }

  async pendingAlerts(signal?: AbortSignal): Promise<OutboxAlert[]> {
    this.check('pendingAlerts', signal);
    return [...this.outbox.values()].map(({ claimedBy: _, ...alert }) => copy(alert));
  }

  async claimAlert(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean> {
    this.check('claimAlert', signal);
    const alert = this.outbox.get(id);
    if (!alert || (alert.claimedUntil && alert.claimedUntil >= now.toISOString())) return false;
    this.outbox.set(id, {
      ...alert,
      claimedBy: owner,
      claimedUntil: leaseUntil.toISOString(),
      attempts: alert.attempts + 1,
    });
    return true;
  }

  async markAlertSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void> {
    this.check('markAlertSent', signal);
    const stored = this.outbox.get(alert.id);
    if (stored?.claimedBy !== owner) throw new VersionConflictError(`alert ${alert.id} claim`, alert.attempts);
    this.outbox.delete(alert.id);
    if (alert.incidentId) {
      const event = alertedEvent({ ...alert, incidentId: alert.incidentId }, sent);
      this.events.set(alert.incidentId, [...(this.events.get(alert.incidentId) ?? []), event]);
    }
    this.sent.push(sentAlert(alert, sent));
  }

  async recordSent(sent: SentAlert, signal?: AbortSignal): Promise<void> {
    this.check('recordSent', signal);
    this.sent.push(sent);
  }

  async sentAlerts(query: SentAlertsQuery, signal?: AbortSignal): Promise<SentAlert[]> {
    this.check('sentAlerts', signal);
    return this.sent
      .filter((alert) => alert.sentAt >= query.since && (!query.topic || alert.topic === query.topic))
      .toSorted((a, b) => b.sentAt.localeCompare(a.sentAt) || b.alertId.localeCompare(a.alertId))
      .slice(0, query.limit ?? 100);
  }

  async releaseAlert(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void> {
    this.check('releaseAlert', signal);
    const stored = this.outbox.get(id);
    if (stored?.claimedBy !== owner) return;
    const { claimedBy: _, claimedUntil: __, ...rest } = stored;
    this.outbox.set(id, { ...rest, lastError: error.slice(0, 500) });
  }

  async activeDrill(signal?: AbortSignal): Promise<DrillScope | undefined> {
    this.check('activeDrill', signal);
    return this.drill;
  }
}
