// Routing-condition incidents: open while the controller reports the condition (cannot fail over,
// no healthy site, a switch in progress), at its fixed level; resolved when no longer reported —
// but only when the controller was heard from and could read the record this round.
import { isRoutingConditionKind, normalizeRecordName, type RoutingConditionKind } from '../model/routing.ts';
import type { Severity } from '../model/vocabulary.ts';
import { conditionDedupKey } from './ids.ts';
import { minutesBetween, type IncidentLedger } from './ledger.ts';
import { drillIdFor, recordStage } from './scope.ts';
import type { IncidentInput } from './types.ts';

const SEVERITY_REASONS: Readonly<Record<RoutingConditionKind, string>> = {
  'cannot-fail-over': 'hcguard cannot move traffic off a failing site',
  'no-healthy-site': 'no site can serve citizens',
  'switch-in-progress': 'traffic may be on a failing site until the switch is confirmed',
};

const fixedLevel = (input: IncidentInput, kind: RoutingConditionKind): Severity => {
  const fixed = input.policy.severity.fixed;
  return {
    'cannot-fail-over': fixed.cannotFailOver,
    'no-healthy-site': fixed.noHealthySite,
    'switch-in-progress': fixed.switchInProgress,
  }[kind];
};

export const routingRules = (ledger: IncidentLedger, input: IncidentInput): void => {
  if (!input.conditions) return;
  const reported = new Set<string>();
  for (const condition of input.conditions) {
    const key = conditionDedupKey(condition.kind, condition.record);
    reported.add(key);
    if (ledger.holder(key)) continue;
    const stage = recordStage(input, condition.record);
    ledger.openIncident(
      {
        dedupKey: key,
        kind: condition.kind,
        ...(stage ? { stage } : {}),
        record: normalizeRecordName(condition.record),
        severity: fixedLevel(input, condition.kind),
        severityReason: SEVERITY_REASONS[condition.kind],
        title: condition.title,
        detail: condition.detail,
      },
      `${condition.title}: ${condition.detail}`,
      drillIdFor(input.drill, stage ? { stage } : {}),
    );
  }
  const unknown = new Set((input.conditionsUnknownFor ?? []).map(normalizeRecordName));
  for (const incident of input.open) {
    if (!isRoutingConditionKind(incident.kind) || reported.has(incident.dedupKey)) continue;
    if (incident.record && unknown.has(incident.record)) continue;
    ledger.resolve(
      incident,
      `the controller no longer reports it, after ${minutesBetween(incident.openedAt, input.now)} min`,
    );
  }
};
