// The alert a ledger entry sends: its deterministic id, who hears it (the topic), how urgent it
// is (the severity subscribers filter on), and the facts the message is rendered from.
import { normalizeRecordName } from '../model/routing.ts';
import type { Site, Stage } from '../model/vocabulary.ts';
import type { LedgerEntry } from './ledger.ts';
import { announcementOf } from './rules-switches.ts';
import type { AlertDraft, AlertFacts, IncidentInput } from './types.ts';

export const draftAlert = (
  entry: LedgerEntry,
  input: IncidentInput,
  serving: (site: Site, stage: Stage) => boolean,
  at: string,
  grouping: Pick<AlertFacts, 'groupedWith' | 'grouped'> = {},
): AlertDraft => {
  const { incident } = entry;
  const alert = entry.alert as NonNullable<LedgerEntry['alert']>;
  const { policy } = input;
  const stage = incident.stage;
  const followingRecords = policy.records
    .filter((record) => !stage || record.stage === stage)
    .map((record) => normalizeRecordName(record.name));
  const records = incident.record ? [incident.record] : followingRecords;
  const routing = records.map(
    (record) => input.routing.find((state) => state.record === record) ?? { record, activeSite: 'primary' as const },
  );
  const target = input.targets.find(
    (candidate) => candidate.site === incident.site && candidate.stage === incident.stage,
  );
  const refusal = input.conditions?.find(
    (condition) => condition.kind === 'cannot-fail-over' && records.includes(normalizeRecordName(condition.record)),
  );
  const suffix =
    alert.kind === 'remind'
      ? `/${incident.reminders}`
      : alert.kind === 'update' && alert.switched
        ? `/${alert.switched.at}`
        : alert.promoted
          ? `/lead/${at}`
          : '';
  const observed = target?.lastMessage ?? incident.detail;
  const windowMinutes = policy.detection.flap.windowMinutes;
  const facts: AlertFacts = {
    ...(alert.reason ? { reason: alert.reason } : {}),
    ...(observed ? { observed } : {}),
    ...(target?.flapping
      ? {
          flapping:
            `${target.recentChanges.length} state changes within ${windowMinutes} min; held ` +
            `at failing until it settles`,
        }
      : {}),
    routing,
    serving: incident.site && stage ? serving(incident.site, stage) : false,
    failoverMode: policy.failover.mode,
    failback: policy.failover.failback,
    ...(alert.switched ? { switched: alert.switched } : {}),
    ...(refusal && incident.status !== 'resolved' ? { cannotFailOver: refusal.detail } : {}),
    ...(policy.severity.escalate.includes(incident.severity) && !incident.escalatedAt
      ? { escalateAfterMinutes: policy.severity.escalateAfterMinutes }
      : {}),
    ...grouping,
  };
  // A grouped SEV1 incident is heard on the SEV2 topic: its lead pages for the event.
  const grouped = grouping.groupedWith !== undefined && incident.severity === 'SEV1';
  const topic = grouped ? 'SEV2' : incident.severity;
  return {
    id: `${incident.id}/${alert.kind}${suffix}`,
    kind: alert.kind,
    at,
    incident,
    topic,
    severity: alert.kind === 'resolve' ? policy.severity.fixed.recovered : topic,
    ...(alert.previousSeverity ? { previousSeverity: alert.previousSeverity } : {}),
    dedupKey: incident.dedupKey,
    ...(incident.drillId ? { drillId: incident.drillId } : {}),
    facts,
    ...(alert.switched ? { announces: announcementOf(alert.switched) } : {}),
  };
};
