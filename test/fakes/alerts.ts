// The alert that opens "verification failing on <site>", as the round would queue it.
import { renderAlert, type AlertPresentation } from '../../lambdas/core/alert-message.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { OutboxAlert } from '../../lambdas/core/model/incidents.ts';
import type { Site } from '../../lambdas/core/model/vocabulary.ts';
import { testConfig } from './config.ts';

export const openingAlert = (options: {
  readonly site: Site;
  readonly now: Date;
  readonly presentation: AlertPresentation;
  readonly drillId?: string;
}): OutboxAlert => {
  const { site, now, drillId } = options;
  const draft = decideIncidents({
    policy: testConfig(),
    targets: [
      {
        site,
        stage: 'verification',
        health: 'failing',
        since: now.toISOString(),
        consecutiveFailures: 3,
        consecutiveSuccesses: 0,
        lastFailureClass: 'timeout',
        lastMessage: 'no answer within 2000 ms',
        recentChanges: [],
        flapping: false,
        version: 3,
      },
    ],
    open: [],
    routing: [],
    conditions: [],
    unannounced: [],
    now,
    ...(drillId ? { drill: { drillId } } : {}),
  }).changes[0]?.alert;
  if (!draft?.incident) throw new Error('expected an opening alert');
  return {
    id: draft.id,
    incidentId: draft.incident.id,
    kind: draft.kind,
    topic: draft.topic,
    message: renderAlert(draft, options.presentation),
    createdAt: draft.at,
    ...(drillId ? { drillId } : {}),
    attempts: 0,
  };
};
