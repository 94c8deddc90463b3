// Incident decisions: which incidents open, escalate, get a reminder, resolve or tell of a switch
// this round, and which alert each change sends. Pure: targets, open incidents, routing, the
// switches not yet announced and `now` in; changes (each a conditional write with at most one
// alert) and notices out.
//
// Rules, one group per file, run in this order over one ledger (./ledger.ts):
// - probe incidents (./rules-probe.ts), routing conditions (./rules-routing.ts), time
//   (./rules-time.ts: escalation and reminders), switches (./rules-switches.ts).
// - Alerts go out on open, escalate, reminder and resolve (and when a switch moves traffic away
//   from the incident's site) — never one per failed probe, and at most one per incident per round.
// - Resolve alerts travel on the incident's own topic (the people paged hear the all-clear) but
//   carry the `severity.fixed.recovered` level, so pager subscriptions filtering on severity stay quiet.
// - One event pages once (./rules-paging.ts): SEV1 incidents of one scope are grouped with the
//   earliest, and only that one's alerts go to the SEV1 topic.
import { draftAlert } from './alert-draft.ts';
import { IncidentLedger } from './ledger.ts';
import { pagingFacts, pagingRules } from './rules-paging.ts';
import { probeRules } from './rules-probe.ts';
import { routingRules } from './rules-routing.ts';
import { switchRules } from './rules-switches.ts';
import { timeRules } from './rules-time.ts';
import { servingJudge } from './scope.ts';
import type { IncidentChange, IncidentDecisions, IncidentInput } from './types.ts';

export const decideIncidents = (input: IncidentInput): IncidentDecisions => {
  const ledger = new IncidentLedger(input.open, input.now);
  const serving = servingJudge(input);
  probeRules(ledger, input, serving);
  routingRules(ledger, input);
  timeRules(ledger, input);
  const notices = switchRules(ledger, input);
  pagingRules(ledger);
  const incidents = ledger.current();
  const changes = [...ledger.entries.values()].map((entry): IncidentChange => {
    entry.incident = { ...entry.incident, version: entry.expectedVersion + 1 };
    const alert = entry.alert
      ? draftAlert(entry, input, serving, ledger.at, pagingFacts(entry.incident, incidents, input.open))
      : undefined;
    if (entry.opened && alert) return { type: 'open', incident: entry.incident, events: entry.events, alert };
    return {
      type: 'update',
      reason: entry.reason ?? 'switched',
      incident: entry.incident,
      expectedVersion: entry.expectedVersion,
      events: entry.events,
      ...(alert ? { alert } : {}),
      releaseDedupKey: entry.releaseDedupKey,
    };
  });
  return { changes, notices };
};
