// One event, one page. Both sites failing verification opens three incidents (the serving site
// failing, the standby broken, no healthy site), and two of them are SEV1; a record set that
// cannot fail over opens one per record. Only the lead pages on the SEV1 topic: the earliest
// opened unresolved SEV1 incident of its scope (real, or one drill). The others are grouped
// with it: `groupedWith` is stored on each, their alerts go to the SEV2 topic at SEV2 and say
// whose page they belong to, and the lead's alerts list them. All of it is derived from the
// incidents as stored, every round: when the lead resolves, the next one is promoted with a
// SEV1 page of its own, and a promotion whose write failed is found again the next round.
import type { Incident } from '../model/incidents.ts';
import type { IncidentLedger } from './ledger.ts';
import type { AlertFacts } from './types.ts';

const PAGED = 'SEV1';

const scopeOf = (incident: Incident): string => incident.drillId ?? '';

// Opened in the same round, the probe incident leads: it names what fails, a routing condition
// what follows from it. The dedup key then makes the order the same in every round.
const earliestFirst = (a: Incident, b: Incident): number =>
  a.openedAt.localeCompare(b.openedAt) ||
  Number(a.kind !== 'probe') - Number(b.kind !== 'probe') ||
  a.dedupKey.localeCompare(b.dedupKey);

/** The lead of each scope and the rest, from the incidents as they stand after the other rules. */
const pagingGroups = (incidents: readonly Incident[]): Map<string, Incident[]> => {
  const groups = new Map<string, Incident[]>();
  const paged = incidents
    .filter((incident) => incident.severity === PAGED && incident.status !== 'resolved')
    .toSorted(earliestFirst);
  for (const incident of paged) groups.set(scopeOf(incident), [...(groups.get(scopeOf(incident)) ?? []), incident]);
  return groups;
};

export const pagingRules = (ledger: IncidentLedger): void => {
  for (const [lead, ...followers] of pagingGroups(ledger.current()).values()) {
    if (!lead) continue;
    if (lead.groupedWith !== undefined) {
      ledger.promote(lead, `${lead.groupedWith} is resolved and this incident is still open: it pages on its own now`);
    }
    for (const follower of followers) {
      if (follower.groupedWith !== lead.id) ledger.group(follower, lead);
    }
  }
};

/**
 * What an incident's alert says of its event: the lead it is grouped with, or (for a lead,
 * including one resolving now) the incidents still open that are grouped with it.
 */
export const pagingFacts = (
  incident: Incident,
  current: readonly Incident[],
  stored: readonly Incident[],
): Pick<AlertFacts, 'groupedWith' | 'grouped'> => {
  if (incident.groupedWith) {
    const lead = current.find((candidate) => candidate.id === incident.groupedWith);
    return { groupedWith: { id: incident.groupedWith, title: lead?.title ?? 'its lead' } };
  }
  const wasLead = new Set(stored.filter((other) => other.groupedWith === incident.id).map((other) => other.id));
  const grouped = current.filter(
    (other) =>
      other.id !== incident.id &&
      other.status !== 'resolved' &&
      (other.groupedWith === incident.id || wasLead.has(other.id)),
  );
  return grouped.length ? { grouped: grouped.map((other) => ({ id: other.id, title: other.title })) } : {};
};
