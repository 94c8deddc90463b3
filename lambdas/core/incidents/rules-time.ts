// Time: an unacknowledged incident at a level in `severity.escalate` escalates once, one level
// up, after `escalateAfterMinutes`; otherwise it is re-announced every `reminderIntervalMinutes`.
// Only incidents no other rule alerted about this round: at most one alert per incident per round.
import { raiseSeverity } from '../severity.ts';
import { minutesBetween, type IncidentLedger } from './ledger.ts';
import type { IncidentInput } from './types.ts';

export const timeRules = (ledger: IncidentLedger, input: IncidentInput): void => {
  const { now } = input;
  const { escalate: escalating, escalateAfterMinutes, reminderIntervalMinutes } = input.policy.severity;
  for (const incident of input.open) {
    if (incident.status !== 'open' || ledger.alerted(incident)) continue;
    const openMinutes = minutesBetween(incident.openedAt, now);
    const escalationDue = now.getTime() - Date.parse(incident.openedAt) >= escalateAfterMinutes * 60_000;
    if (!incident.escalatedAt && escalating.includes(incident.severity) && escalationDue) {
      const raised = raiseSeverity(incident.severity);
      const step = raised !== incident.severity ? `: ${incident.severity} → ${raised}` : '';
      ledger.escalate(incident, {
        severity: raised,
        severityReason: incident.severityReason ?? `unacknowledged ${incident.severity}`,
        detail: `unacknowledged for ${openMinutes} min (escalates after ${escalateAfterMinutes} min)${step}`,
        timed: true,
      });
      continue;
    }
    const lastNotified = incident.lastNotifiedAt ?? incident.openedAt;
    if (now.getTime() - Date.parse(lastNotified) >= reminderIntervalMinutes * 60_000) {
      const count = incident.reminders + 1;
      ledger.remind(
        incident,
        `reminder ${count}: unacknowledged for ${openMinutes} min`,
        `still unacknowledged after ${openMinutes} min (reminder ${count})`,
      );
    }
  }
};
