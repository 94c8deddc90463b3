// The alert path's contract: what a Notifier publishes reaches its AlertAudit exactly once, as
// the drill's read-back needs it. Every pair (the in-memory one, SNS and SQS on moto) must behave
// like this. Run it with `alertDeliveryContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { testAlertMessage } from '../../lambdas/core/drill/test-alert.ts';
import type { OutboxAlert } from '../../lambdas/core/model/incidents.ts';
import { SEVERITIES, type Severity } from '../../lambdas/core/model/vocabulary.ts';
import type { AlertAudit, Notifier } from '../../lambdas/ports.ts';
import { openingAlert } from '../fakes/alerts.ts';

export interface AlertDeliveryUnderTest {
  readonly notifier: Notifier;
  readonly audit: AlertAudit;
}

const presentation = {
  stackName: 'hcguard-test',
  timeZone: 'Asia/Shanghai',
  locale: 'en' as const,
  siteLabels: { primary: 'DC-1', backup: 'DC-2' },
};

const testAlert = (drillId: string, severity: Severity): OutboxAlert => {
  const at = new Date();
  const id = `test-${drillId}-${severity.toLowerCase()}`;
  return {
    id,
    kind: 'update',
    topic: severity,
    message: testAlertMessage({ drillId, alertId: id, severity, at, presentation }),
    createdAt: at.toISOString(),
    drillId,
    attempts: 0,
  };
};

/** The alert that opens "verification failing on primary" now. */
const incidentAlert = (): OutboxAlert => openingAlert({ site: 'primary', now: new Date(), presentation });

export const alertDeliveryContract = (name: string, setup: () => Promise<AlertDeliveryUnderTest>): void => {
  describe(`alert delivery contract: ${name}`, () => {
    let under: AlertDeliveryUnderTest;
    beforeEach(async () => {
      under = await setup();
    });

    it('delivers every published alert once, with its topic, ids, drill tag and subject', async () => {
      const before = Date.now();
      const alerts = [...SEVERITIES.map((severity) => testAlert('drill-x', severity)), incidentAlert()];
      for (const alert of alerts) expect((await under.notifier.publish(alert)).messageId).toMatch(/\S/);
      const received = await under.audit.receive();
      const row = (alert: (typeof received)[number]) =>
        [alert.alertId, alert.topic, alert.severity, alert.kind, alert.drillId, alert.drill, alert.incidentId].join();
      expect(received.map(row).sort()).toEqual(
        [
          ...SEVERITIES.map((severity) =>
            [`test-drill-x-${severity.toLowerCase()}`, severity, severity, 'update', 'drill-x', true, undefined].join(),
          ),
          [alerts[4]!.id, 'SEV1', 'SEV1', 'open', undefined, false, alerts[4]!.incidentId].join(),
        ].sort(),
      );
      for (const alert of received) {
        expect(Date.parse(alert.deliveredAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(alert.subject).toBe(alerts.find((sent) => sent.id === alert.alertId)?.message.subject);
      }
      expect(await under.audit.receive()).toEqual([]);
    });

    it('says the subscription is readable without consuming anything', async () => {
      await under.notifier.publish(testAlert('drill-y', 'SEV3'));
      await expect(under.audit.check()).resolves.toMatch(/^audit queue \S+ is readable \(\d+ message\(s\) waiting\)$/);
      expect((await under.audit.receive()).map((alert) => alert.alertId)).toEqual(['test-drill-y-sev3']);
    });
  });
};
