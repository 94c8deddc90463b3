// Carries out the incident decision: each change with its alert (and the announcement it makes)
// in one conditional write, then the notices no incident owns.
import { renderAlert, type AlertPresentation } from '../../core/alert-message.ts';
import { siteLabel } from '../../core/config.ts';
import type { HcguardConfig } from '../../core/config/schema.ts';
import { AlreadyExistsError, describeError, VersionConflictError } from '../../core/errors.ts';
import type { AlertDraft, IncidentChange, IncidentDecisions } from '../../core/incidents/types.ts';
import type { Incident, OutboxAlert } from '../../core/model/incidents.ts';
import type { StateStore } from '../../ports.ts';
import type { IncidentOutcome, RoundProblem } from './types.ts';

export const alertPresentation = (config: HcguardConfig): AlertPresentation => ({
  stackName: config.name,
  timeZone: config.timeZone,
  locale: config.locale,
  siteLabels: { primary: siteLabel(config, 'primary'), backup: siteLabel(config, 'backup') },
  links: config.links,
});

export const toOutboxAlert = (draft: AlertDraft, presentation: AlertPresentation): OutboxAlert => ({
  id: draft.id,
  ...(draft.incident ? { incidentId: draft.incident.id } : {}),
  kind: draft.kind,
  topic: draft.topic,
  message: renderAlert(draft, presentation),
  createdAt: draft.at,
  ...(draft.drillId ? { drillId: draft.drillId } : {}),
  ...(draft.announces ? { announces: draft.announces } : {}),
  attempts: 0,
});

/** A lost race is not a problem: the other run's decision stands and ours is dropped. */
const lostRace = (error: unknown): boolean =>
  error instanceof AlreadyExistsError || error instanceof VersionConflictError;

const commitChange = async (
  store: StateStore,
  change: IncidentChange,
  presentation: AlertPresentation,
  problems: RoundProblem[],
  signal?: AbortSignal,
): Promise<IncidentOutcome> => {
  const summary = {
    id: change.incident.id,
    dedupKey: change.incident.dedupKey,
    title: change.incident.title,
    severity: change.incident.severity,
    status: change.incident.status,
    change: change.type === 'open' ? 'open' : change.reason,
  };
  try {
    const alert = change.alert ? toOutboxAlert(change.alert, presentation) : undefined;
    await store.applyIncidentChange({ change, ...(alert ? { alert } : {}) }, signal);
    return { ...summary, outcome: 'applied' };
  } catch (error) {
    if (lostRace(error)) return { ...summary, outcome: 'superseded' };
    problems.push({ step: 'incident', message: describeError(error), incidentId: change.incident.id });
    return { ...summary, outcome: 'failed' };
  }
};

export const commitIncidents = async (
  store: StateStore,
  decisions: IncidentDecisions,
  presentation: AlertPresentation,
  problems: RoundProblem[],
  signal?: AbortSignal,
): Promise<IncidentOutcome[]> => {
  const outcomes: IncidentOutcome[] = [];
  // One write at a time: moto fails a transaction that overlaps another write to the table.
  for (const change of decisions.changes)
    outcomes.push(await commitChange(store, change, presentation, problems, signal));
  for (const notice of decisions.notices) {
    try {
      await store.queueAlert(toOutboxAlert(notice, presentation), signal);
    } catch (error) {
      if (!lostRace(error)) problems.push({ step: 'queue-alert', message: describeError(error), alertId: notice.id });
    }
  }
  return outcomes;
};

/** The unresolved incidents after the changes that were applied: the next round's fallback. */
export const nextOpenIncidents = (
  open: readonly Incident[],
  changes: readonly IncidentChange[],
  outcomes: readonly IncidentOutcome[],
): Incident[] => {
  const applied = new Map(
    changes
      .filter((_, index) => outcomes[index]?.outcome === 'applied')
      .map((change) => [change.incident.id, change.incident]),
  );
  const kept = open.map((incident) => applied.get(incident.id) ?? incident);
  const added = [...applied.values()].filter((incident) => !open.some((candidate) => candidate.id === incident.id));
  return [...kept, ...added].filter((incident) => incident.status !== 'resolved');
};
