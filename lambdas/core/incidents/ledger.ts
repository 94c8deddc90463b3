// The explicit accumulator the incident rules write into: each rule group opens, updates and
// resolves incidents through it, and it turns what they did into the changes to write. One entry
// per incident, so at most one write (and one alert) per incident per round.
import type { AlertKind, Incident, IncidentEvent } from '../model/incidents.ts';
import type { SwitchEvent } from '../model/routing.ts';
import type { Severity } from '../model/vocabulary.ts';
import { incidentId } from './ids.ts';
import type { IncidentUpdateReason } from './types.ts';

export interface LedgerAlert {
  kind: AlertKind;
  previousSeverity?: Severity;
  reason?: string;
  /** The switch this alert tells of: its announcement is committed with the alert. */
  switched?: SwitchEvent;
  /** An update that makes a grouped incident page on its own again. */
  promoted?: boolean;
}

export interface LedgerEntry {
  incident: Incident;
  readonly expectedVersion: number;
  readonly opened: boolean;
  readonly events: IncidentEvent[];
  reason?: IncidentUpdateReason;
  alert?: LedgerAlert;
  releaseDedupKey: boolean;
}

export type NewIncident = Omit<Incident, 'id' | 'status' | 'openedAt' | 'reminders' | 'version' | 'lastNotifiedAt'>;

export class IncidentLedger {
  readonly entries = new Map<string, LedgerEntry>();
  /** Unresolved incidents by dedup key, including the ones opened this round. */
  private readonly byKey: Map<string, Incident>;
  readonly at: string;

  constructor(
    readonly open: readonly Incident[],
    readonly now: Date,
  ) {
    this.at = now.toISOString();
    this.byKey = new Map(open.map((incident) => [incident.dedupKey, incident]));
  }

  holder(dedupKey: string): Incident | undefined {
    return this.byKey.get(dedupKey);
  }

  alerted(incident: Incident): boolean {
    return this.entries.get(incident.id)?.alert !== undefined;
  }

  /** Every incident as it stands after the changes so far, then the untouched open ones. */
  current(): Incident[] {
    const touched = [...this.entries.values()].map((entry) => entry.incident);
    return touched.concat(this.open.filter((incident) => !this.entries.has(incident.id)));
  }

  event(incident: Incident, type: IncidentEvent['type'], detail: string): IncidentEvent {
    return { incidentId: incident.id, at: this.at, type, detail };
  }

  touch(incident: Incident): LedgerEntry {
    const existing = this.entries.get(incident.id);
    if (existing) return existing;
    const created: LedgerEntry = {
      incident,
      expectedVersion: incident.version,
      opened: false,
      events: [],
      releaseDedupKey: false,
    };
    this.entries.set(incident.id, created);
    return created;
  }

  openIncident(fields: NewIncident, detail: string, drillId: string | undefined): LedgerEntry {
    const id = incidentId(fields.dedupKey, this.at);
    const incident: Incident = {
      ...fields,
      id,
      status: 'open',
      openedAt: this.at,
      lastNotifiedAt: this.at,
      reminders: 0,
      ...(drillId ? { drillId } : {}),
      version: 1,
    };
    const created: LedgerEntry = {
      incident,
      expectedVersion: 0,
      opened: true,
      events: [{ incidentId: id, at: this.at, type: 'opened', detail }],
      alert: { kind: 'open' },
      releaseDedupKey: false,
    };
    this.entries.set(id, created);
    this.byKey.set(fields.dedupKey, incident);
    return created;
  }

  resolve(incident: Incident, detail: string): void {
    const entry = this.touch(incident);
    entry.incident = { ...entry.incident, status: 'resolved', resolvedAt: this.at, lastNotifiedAt: this.at };
    entry.events.push(this.event(incident, 'resolved', detail));
    entry.reason = 'resolve';
    entry.alert = { kind: 'resolve', reason: detail };
    entry.releaseDedupKey = true;
  }

  escalate(
    incident: Incident,
    change: {
      readonly severity: Severity;
      readonly severityReason: string;
      readonly detail: string;
      readonly timed: boolean;
    },
  ): void {
    const entry = this.touch(incident);
    entry.incident = {
      ...entry.incident,
      severity: change.severity,
      severityReason: change.severityReason,
      lastNotifiedAt: this.at,
      ...(change.timed ? { escalatedAt: this.at } : {}),
    };
    entry.events.push(this.event(incident, 'escalated', change.detail));
    entry.reason = 'escalate';
    entry.alert = { kind: 'escalate', previousSeverity: incident.severity, reason: change.detail };
  }

  remind(incident: Incident, detail: string, reason: string): void {
    const entry = this.touch(incident);
    entry.incident = { ...entry.incident, reminders: incident.reminders + 1, lastNotifiedAt: this.at };
    entry.events.push(this.event(incident, 'reminded', detail));
    entry.reason = 'remind';
    entry.alert = { kind: 'remind', reason };
  }

  /**
   * Groups an incident with the lead of its event. An alert it sends this round follows the
   * grouping; otherwise the write only records it (no alert: the lead's next one lists it).
   */
  group(incident: Incident, lead: Incident): void {
    const entry = this.touch(incident);
    entry.incident = { ...entry.incident, groupedWith: lead.id };
    entry.events.push(this.event(incident, 'note', `grouped with ${lead.id}, which pages for this event`));
    entry.reason ??= 'group';
  }

  /** Makes a grouped incident the lead again, with a page that says so. */
  promote(incident: Incident, detail: string): void {
    const entry = this.touch(incident);
    const { groupedWith: _lead, ...rest } = entry.incident;
    entry.incident = { ...rest, lastNotifiedAt: this.at };
    entry.events.push(this.event(incident, 'note', detail));
    entry.reason ??= 'group';
    entry.alert ??= { kind: 'update', reason: detail, promoted: true };
  }

  /** Tells of a switch in this round's alert of the incident, or in an update alert of its own. */
  noteSwitch(incident: Incident, change: SwitchEvent, detail: string): void {
    const entry = this.touch(incident);
    entry.events.push(this.event(incident, 'switched', detail));
    if (entry.alert) {
      entry.alert.switched = change;
      return;
    }
    entry.incident = { ...entry.incident, lastNotifiedAt: this.at };
    entry.reason = 'switched';
    entry.alert = { kind: 'update', reason: detail, switched: change };
  }
}

export const minutesBetween = (from: string, to: Date): number =>
  Math.max(0, Math.round((to.getTime() - Date.parse(from)) / 60_000));
