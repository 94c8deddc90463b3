// The test alert of `hcguard drill --step notify`: one per severity topic, drill-tagged in the
// subject, the body and the attributes, so no subscriber mistakes it for a real page, and shaped
// like every other alert (the same JSON document), so the audit read-back handles it the same way.
// Pure.
import type { AlertMessage, AlertPresentation } from '../alert-message.ts';
import type { Severity } from '../model/vocabulary.ts';
import { wordsFor } from '../i18n/index.ts';
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
  const dedupKey = `drill-test#${drillId}#${severity}`;
  const subject = `[DRILL] ${severity} test alert from hcguard ${presentation.stackName}`.slice(0, 99);
  const words = wordsFor(presentation.locale);
  const doing = wordsFor('en').t('testAlert.doing', { severity, drillId });
  const localDoing = words.t('testAlert.doing', { severity, drillId });
  const what = words.t('testAlert.what', { severity });
  const body = [
    words.t('testAlert.banner', { drillId }),
    '',
    words.labelled(words.t('alert.label.what'), what),
    words.labelled(words.t('alert.label.when'), formatLocal(at, presentation.timeZone)),
    words.labelled(words.t('alert.label.doing'), localDoing),
    '',
    words.t('alert.footer', { stack: presentation.stackName, alert: alertId, dedupKey }),
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
      dedupKey,
      doing,
      reason: 'process test of the notify procedure',
      routing: [],
      text: { locale: presentation.locale, headline: subject, title: what, doing: localDoing },
    },
    attributes: {
      severity,
      kind: 'update',
      incidentId: 'none',
      dedupKey,
      site: 'none',
      stage: 'none',
      drill: 'true',
      incidentSeverity: severity,
      stack: presentation.stackName,
    },
  };
};
