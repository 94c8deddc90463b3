// The test alert of `hcguard drill --step notify`: one per severity topic, drill-tagged in the
// subject, the body and the attributes, so no subscriber mistakes it for a real page, and shaped
// like every other alert (the same JSON document), so the audit read-back handles it the same way.
// Pure.
import type { AlertMessage, AlertPresentation } from '../alert-message.ts';
import type { Severity } from '../model/vocabulary.ts';
import { formatLocal } from '../time.ts';

export interface TestAlertInput {
  readonly drillId: string;
  readonly alertId: string;
  readonly severity: Severity;
  readonly at: Date;
  readonly presentation: AlertPresentation;
}

export const testAlertMessage = (input: TestAlertInput): AlertMessage => {
  const { drillId, alertId, severity, presentation } = input;
  const at = input.at.toISOString();
  const subject = `[DRILL] ${severity} test alert from hcguard ${presentation.stackName}`.slice(0, 99);
  const doing = `nothing: this is a test of the ${severity} alert route (drill ${drillId}); no action is needed`;
  const body = [
    `*** DRILL ${drillId}: this alert is a test of the notify procedure, not a real outage. ***`,
    '',
    `What:     test alert on the ${severity} topic`,
    `When:     ${formatLocal(at, presentation.timeZone)}`,
    `Doing:    ${doing}`,
    '',
    `hcguard stack ${presentation.stackName} | alert ${alertId}`,
    '',
  ].join('\n');
  return {
    subject,
    body,
    sms: `[DRILL] ${severity} test alert from hcguard ${presentation.stackName}: no action needed`,
    document: {
      schema: 'hcguard.alert/1',
      stack: presentation.stackName,
      alertId,
      kind: 'update',
      severity,
      at,
      drill: true,
      drillId,
      dedupKey: `drill-test#${drillId}#${severity}`,
      doing,
      reason: 'process test of the notify procedure',
      routing: [],
    },
    attributes: {
      severity,
      kind: 'update',
      incidentId: 'none',
      dedupKey: `drill-test#${drillId}#${severity}`,
      site: 'none',
      stage: 'none',
      drill: 'true',
      incidentSeverity: severity,
      stack: presentation.stackName,
    },
  };
};
