// Switches, level-triggered: every switch not yet announced is told — in the incident of the site
// traffic left (in its alert of this round, or an update alert), or as a notice of its own when no
// open incident explains it (a failback). Each alert carries the announcement it makes, written
// with it, so a lost write is told again next round and a committed one never twice.
import type { Incident } from '../model/incidents.ts';
import {
  lastSwitchOf,
  normalizeRecordName,
  type RoutingState,
  type SwitchAnnouncement,
  type SwitchEvent,
} from '../model/routing.ts';
import { severityFor, severityRank } from '../severity.ts';
import type { IncidentLedger } from './ledger.ts';
import { drillIdFor, recordStage } from './scope.ts';
import type { AlertDraft, IncidentInput } from './types.ts';

/** A switch older than this is not announced any more (e.g. one made before announcements were recorded). */
export const ANNOUNCE_WITHIN_MS = 60 * 60_000;

/** The switches of these routing items that no committed alert has told of yet. */
export const unannouncedSwitches = (
  routing: readonly RoutingState[],
  announced: readonly SwitchAnnouncement[],
  now: Date,
): SwitchEvent[] =>
  routing.flatMap((state) => {
    const last = lastSwitchOf(state);
    if (!last || now.getTime() - Date.parse(last.at) > ANNOUNCE_WITHIN_MS) return [];
    const mark = announced.find((entry) => entry.record === state.record);
    return mark && mark.switchedAt >= last.at ? [] : [last];
  });

export const announcementOf = (change: SwitchEvent): SwitchAnnouncement => ({
  record: normalizeRecordName(change.record),
  switchedAt: change.at,
});

/** The incident that explains the switch: the one it names, else the worst open one about the site left. */
const explaining = (ledger: IncidentLedger, input: IncidentInput, change: SwitchEvent): Incident | undefined => {
  const stage = recordStage(input, change.record);
  const candidates = ledger.current().filter((incident) => incident.status !== 'resolved');
  const named = change.incidentId ? candidates.find((incident) => incident.id === change.incidentId) : undefined;
  return (
    named ??
    candidates
      .filter(
        (incident) =>
          incident.kind === 'probe' && incident.site === change.from && (!stage || incident.stage === stage),
      )
      .toSorted(
        (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.openedAt.localeCompare(b.openedAt),
      )[0]
  );
};

export const switchRules = (ledger: IncidentLedger, input: IncidentInput): AlertDraft[] => {
  const notices: AlertDraft[] = [];
  const { policy } = input;
  for (const change of input.unannounced) {
    const detail = `hcguard switched ${change.record} from ${change.from} to ${change.to}: ${change.reason}`;
    const incident = explaining(ledger, input, change);
    if (incident) {
      ledger.noteSwitch(incident, change, detail);
      continue;
    }
    const stage = recordStage(input, change.record);
    const severity =
      change.to === 'primary'
        ? policy.severity.fixed.recovered
        : severityFor({ stage: stage ?? 'verification', outcome: 'failed', serving: true }, policy.severity.rules)
            .severity;
    const record = normalizeRecordName(change.record);
    const drillId = input.drill
      ? drillIdFor(input.drill, { site: change.from, ...(stage ? { stage } : {}) })
      : change.drillId;
    notices.push({
      id: `switch/${record}/${change.at}`,
      kind: 'update',
      at: ledger.at,
      topic: severity,
      severity,
      dedupKey: `switch/${record}`,
      ...(drillId ? { drillId } : {}),
      facts: {
        reason: detail,
        routing: input.routing.filter((state) => state.record === record),
        serving: false,
        failoverMode: policy.failover.mode,
        failback: policy.failover.failback,
        switched: change,
      },
      announces: announcementOf(change),
    });
  }
  return notices;
};
