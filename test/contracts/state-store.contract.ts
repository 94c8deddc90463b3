// The storage contract: every StateStore (the in-memory fake, DynamoDB on moto) must behave
// exactly like this. Run it with `stateStoreContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { renderAlert } from '../../lambdas/core/alert-message.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../lambdas/core/errors.ts';
import { decideIncidents } from '../../lambdas/core/incidents/decide.ts';
import type { IncidentChange } from '../../lambdas/core/incidents/types.ts';
import type { Incident, OutboxAlert, SentAlert } from '../../lambdas/core/model/incidents.ts';
import type { ProbeResult, TargetState } from '../../lambdas/core/model/probing.ts';
import type { Site, Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { StateStore } from '../../lambdas/ports.ts';
import { testConfig } from '../fakes/config.ts';

export interface StoreUnderTest {
  readonly store: StateStore;
  /** Writes the running-drill marker the drill runner owns (pk DRILL, sk ACTIVE). */
  readonly startDrill: (drillId: string, targets: readonly string[]) => Promise<void>;
}

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const iso = (minutes: number): string => at(minutes).toISOString();
const config = testConfig();
const presentation = {
  stackName: config.name,
  timeZone: 'UTC',
  locale: 'en' as const,
  siteLabels: { primary: 'primary', backup: 'backup' },
};

const target = (site: Site, stage: Stage, version: number, health: TargetState['health'] = 'healthy'): TargetState => ({
  site,
  stage,
  health,
  since: iso(0),
  consecutiveFailures: health === 'failing' ? 3 : 0,
  consecutiveSuccesses: health === 'healthy' ? 2 : 0,
  ...(health === 'failing' ? { lastFailureClass: 'timeout' as const, lastMessage: 'no answer within 2000 ms' } : {}),
  lastResultAt: iso(0),
  recentChanges: [],
  flapping: false,
  version,
});

const result = (site: Site, stage: Stage, minute: number, probeId = `${stage}-check`): ProbeResult => ({
  probeId,
  site,
  stage,
  startedAt: iso(minute),
  durationMs: 42,
  outcome: 'ok',
  steps: [{ name: 'check', durationMs: 42, status: 200, outcome: 'ok' }],
});

const outboxAlert = (change: IncidentChange): OutboxAlert => {
  const draft = change.alert;
  if (!draft) throw new Error('change without alert');
  return {
    id: draft.id,
    ...(draft.incident ? { incidentId: draft.incident.id } : {}),
    kind: draft.kind,
    topic: draft.topic,
    message: renderAlert(draft, presentation),
    createdAt: draft.at,
    attempts: 0,
  };
};

/** The change that opens "verification failing on <site>" at `minute`, with its alert. */
const opening = (site: Site, minute: number, open: Incident[] = []) => {
  const decisions = decideIncidents({
    policy: config,
    targets: [target(site, 'verification', 4, 'failing')],
    open,
    routing: [],
    conditions: [],
    unannounced: [],
    now: at(minute),
  });
  const change = decisions.changes[0];
  if (change?.type !== 'open') throw new Error('expected an opening');
  return { change, alert: outboxAlert(change) };
};

const resolving = (incident: Incident, minute: number) => {
  const decisions = decideIncidents({
    policy: config,
    targets: [target(incident.site ?? 'primary', incident.stage ?? 'verification', 9, 'healthy')],
    open: [incident],
    routing: [],
    conditions: [],
    unannounced: [],
    now: at(minute),
  });
  const change = decisions.changes[0];
  if (change?.type !== 'update') throw new Error('expected a resolution');
  return { change, alert: outboxAlert(change) };
};

export const stateStoreContract = (name: string, setup: () => Promise<StoreUnderTest>): void => {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore;
    let startDrill: StoreUnderTest['startDrill'];

    beforeEach(async () => {
      ({ store, startDrill } = await setup());
    });

    describe('targets', () => {
      it('saves new targets once, then only from the version read', async () => {
        expect(await store.loadTargets()).toEqual([]);
        const first = target('primary', 'verification', 1);
        await store.saveTargets([{ target: first, expectedVersion: 0 }]);
        expect(await store.loadTargets()).toEqual([first]);
        await expect(
          store.saveTargets([{ target: { ...first, health: 'failing' }, expectedVersion: 0 }]),
        ).rejects.toBeInstanceOf(VersionConflictError);
        const second = { ...first, health: 'failing' as const, version: 2 };
        await store.saveTargets([{ target: second, expectedVersion: 1 }]);
        expect(await store.loadTargets()).toEqual([second]);
      });

      it('saves a round of targets all or nothing', async () => {
        await store.saveTargets([{ target: target('primary', 'verification', 1), expectedVersion: 0 }]);
        await expect(
          store.saveTargets([
            { target: target('backup', 'verification', 1), expectedVersion: 0 },
            { target: target('primary', 'verification', 2), expectedVersion: 5 },
          ]),
        ).rejects.toMatchObject({ name: 'VersionConflictError', expectedVersion: 5 });
        expect((await store.loadTargets()).map((state) => `${state.site}#${state.stage}@${state.version}`)).toEqual([
          'primary#verification@1',
        ]);
      });
    });

    describe('results', () => {
      it('records results in batches and answers history by site, stage and time, newest first', async () => {
        const results = Array.from({ length: 30 }, (_, minute) =>
          result(minute % 2 === 0 ? 'primary' : 'backup', 'verification', minute),
        );
        results.push(result('primary', 'collection', 3), result('primary', 'collection', 3, 'second-probe'));
        await store.recordResults(results);

        const primaryVerification = await store.history({ site: 'primary', stage: 'verification' });
        expect(primaryVerification.map((entry) => entry.startedAt)).toEqual(
          Array.from({ length: 15 }, (_, index) => iso(28 - index * 2)),
        );
        expect(primaryVerification[0]).toEqual(results[28]);

        const since = await store.history({ stage: 'verification', since: iso(25) });
        expect(since.map((entry) => `${entry.site}@${entry.startedAt}`)).toEqual([
          `backup@${iso(29)}`,
          `primary@${iso(28)}`,
          `backup@${iso(27)}`,
          `primary@${iso(26)}`,
          `backup@${iso(25)}`,
        ]);
        expect(await store.history({ limit: 3 })).toHaveLength(3);
        expect((await store.history({ site: 'primary', stage: 'collection' })).map((entry) => entry.probeId)).toEqual([
          'collection-check',
          'second-probe',
        ]);
        // The first result in a window (where a status page's uptime starts counting).
        const oldest = await store.history({
          site: 'primary',
          stage: 'verification',
          since: iso(5),
          oldestFirst: true,
          limit: 2,
        });
        expect(oldest.map((entry) => entry.startedAt)).toEqual([iso(6), iso(8)]);
      });
    });

    describe('incidents', () => {
      it('opens an incident with its timeline and queues its alert in the same write', async () => {
        const { change, alert } = opening('primary', 0);
        await store.applyIncidentChange({ change, alert });
        expect(await store.listOpenIncidents()).toEqual([change.incident]);
        expect(await store.getIncident(change.incident.id)).toEqual({
          incident: change.incident,
          timeline: change.events,
        });
        expect(await store.pendingAlerts()).toEqual([alert]);
        expect(await store.getIncident('INC-0000000')).toBeUndefined();
      });

      it('never opens a second incident for an open dedup key, and writes nothing of the loser', async () => {
        const first = opening('primary', 0);
        await store.applyIncidentChange(first);
        const rival = opening('primary', 1);
        expect(rival.change.incident.dedupKey).toBe(first.change.incident.dedupKey);
        await expect(store.applyIncidentChange(rival)).rejects.toBeInstanceOf(AlreadyExistsError);
        expect((await store.listOpenIncidents()).map((incident) => incident.id)).toEqual([first.change.incident.id]);
        expect(await store.getIncident(rival.change.incident.id)).toBeUndefined();
        expect((await store.pendingAlerts()).map((alert) => alert.id)).toEqual([first.alert.id]);
      });

      it('applies an update only at the version read, and a resolution frees the dedup key', async () => {
        const first = opening('primary', 0);
        await store.applyIncidentChange(first);
        const resolution = resolving(first.change.incident, 10);
        await expect(
          store.applyIncidentChange({ change: { ...resolution.change, expectedVersion: 7 } }),
        ).rejects.toBeInstanceOf(VersionConflictError);
        expect((await store.getIncident(first.change.incident.id))?.incident.status).toBe('open');

        await store.applyIncidentChange(resolution);
        expect(await store.listOpenIncidents()).toEqual([]);
        const stored = await store.getIncident(first.change.incident.id);
        expect(stored?.incident).toEqual(resolution.change.incident);
        expect(stored?.timeline.map((event) => event.type)).toEqual(['opened', 'resolved']);
        // Doing the same resolution again (a second round that read the same version) is refused.
        await expect(store.applyIncidentChange(resolution)).rejects.toBeInstanceOf(VersionConflictError);

        const again = opening('primary', 20);
        await store.applyIncidentChange(again);
        expect((await store.listOpenIncidents()).map((incident) => incident.id)).toEqual([again.change.incident.id]);
        expect((await store.listIncidents({})).map((incident) => incident.id)).toEqual([
          again.change.incident.id,
          first.change.incident.id,
        ]);
        expect((await store.listIncidents({ since: iso(5) })).map((incident) => incident.id)).toEqual([
          again.change.incident.id,
        ]);
      });

      it('acknowledges once, says why not twice, and knows no unknown id', async () => {
        const { change } = opening('backup', 0);
        await store.applyIncidentChange({ change });
        const outcome = await store.acknowledge(change.incident.id, 'operator:li', at(2));
        expect(outcome).toEqual({
          acknowledged: true,
          incident: {
            ...change.incident,
            status: 'acknowledged',
            acknowledgedAt: iso(2),
            acknowledgedBy: 'operator:li',
            version: 2,
          },
        });
        expect(await store.listOpenIncidents()).toEqual([outcome.incident]);
        const twice = await store.acknowledge(change.incident.id, 'operator:wang', at(3));
        expect(twice).toMatchObject({
          acknowledged: false,
          reason: `${change.incident.id} was already acknowledged by operator:li at ${iso(2)}`,
        });
        expect((await store.getIncident(change.incident.id))?.timeline.map((event) => event.type)).toEqual([
          'opened',
          'acknowledged',
        ]);
        await expect(store.acknowledge('INC-ZZZZZZZ', 'operator:li', at(3))).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('alert outbox', () => {
      it('lets one owner at a time hold an alert, and hands it over when the lease runs out', async () => {
        const { change, alert } = opening('primary', 0);
        await store.applyIncidentChange({ change, alert });
        expect(await store.claimAlert(alert.id, 'run-a', at(1), at(3))).toBe(true);
        expect(await store.claimAlert(alert.id, 'run-b', at(2), at(4))).toBe(false);
        expect((await store.pendingAlerts())[0]).toMatchObject({ id: alert.id, attempts: 1, claimedUntil: iso(3) });
        // run-a crashed: after its lease, run-b may take over, and run-a can no longer complete it.
        expect(await store.claimAlert(alert.id, 'run-b', at(4), at(6))).toBe(true);
        await expect(store.markAlertSent(alert, 'run-a', { messageId: 'm-a', at: at(4) })).rejects.toBeInstanceOf(
          VersionConflictError,
        );
        await store.markAlertSent(alert, 'run-b', { messageId: 'm-b', at: at(5) });
        expect(await store.pendingAlerts()).toEqual([]);
        expect(await store.claimAlert(alert.id, 'run-c', at(9), at(10))).toBe(false);
        const timeline = (await store.getIncident(change.incident.id))?.timeline ?? [];
        expect(timeline.at(-1)).toEqual({
          incidentId: change.incident.id,
          at: iso(5),
          type: 'alerted',
          detail: `alert ${alert.id} published to SEV1 (message m-b)`,
        });
      });

      it('keeps a released alert queued with its error, for the next round', async () => {
        const { change, alert } = opening('primary', 0);
        await store.applyIncidentChange({ change, alert });
        expect(await store.claimAlert(alert.id, 'run-a', at(1), at(3))).toBe(true);
        await store.releaseAlert(alert.id, 'run-b', 'not mine');
        await store.releaseAlert(alert.id, 'run-a', 'SNS throttled the publish');
        const [pending] = await store.pendingAlerts();
        expect(pending).toMatchObject({ id: alert.id, attempts: 1, lastError: 'SNS throttled the publish' });
        expect(pending?.claimedUntil).toBeUndefined();
        expect(await store.claimAlert(alert.id, 'run-b', at(1), at(3))).toBe(true);
      });

      it('queues an alert of no incident once', async () => {
        const notice: OutboxAlert = {
          ...opening('primary', 0).alert,
          id: `switch/verify.hc.example.com/${iso(0)}`,
          kind: 'update',
        };
        delete (notice as { incidentId?: string }).incidentId;
        await store.queueAlert(notice);
        await expect(store.queueAlert(notice)).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(await store.pendingAlerts()).toEqual([notice]);
        expect(await store.claimAlert(notice.id, 'run-a', at(1), at(2))).toBe(true);
        await store.markAlertSent(notice, 'run-a', { messageId: 'm-1', at: at(1) });
        expect(await store.pendingAlerts()).toEqual([]);
      });

      it('keeps what was sent, as its receivers read it, newest first, from a given instant', async () => {
        const first = opening('primary', 0);
        const second = opening('backup', 0);
        for (const [{ change, alert }, minute] of [
          [first, 1],
          [second, 3],
        ] as const) {
          await store.applyIncidentChange({ change, alert });
          // Queued and claimed is not sent.
          await store.claimAlert(alert.id, 'run-a', at(minute), at(minute + 1));
          expect((await store.sentAlerts({ since: iso(0) })).map((sent) => sent.alertId)).not.toContain(alert.id);
          await store.markAlertSent(alert, 'run-a', { messageId: `m-${minute}`, at: at(minute) });
        }
        expect(await store.sentAlerts({ since: iso(0) })).toEqual([
          {
            alertId: second.alert.id,
            incidentId: second.change.incident.id,
            kind: 'open',
            topic: second.alert.topic,
            severity: second.alert.message.document.severity,
            subject: second.alert.message.subject,
            body: second.alert.message.body,
            sentAt: iso(3),
            messageId: 'm-3',
          },
          expect.objectContaining({ alertId: first.alert.id, sentAt: iso(1), messageId: 'm-1' }),
        ]);
        expect((await store.sentAlerts({ since: iso(2) })).map((sent) => sent.messageId)).toEqual(['m-3']);
        expect((await store.sentAlerts({ since: iso(0), limit: 1 })).map((sent) => sent.messageId)).toEqual(['m-3']);
        expect(await store.sentAlerts({ since: iso(0), topic: 'SEV4' })).toEqual([]);
        // A drill's test page, published without the outbox, is logged the same way.
        const [newest] = await store.sentAlerts({ since: iso(0) });
        if (!newest) throw new Error('expected a sent alert');
        const test: SentAlert = { ...newest, alertId: 'test-d1-sev4', topic: 'SEV4', sentAt: iso(4) };
        await store.recordSent(test);
        expect(await store.sentAlerts({ since: iso(0), topic: 'SEV4' })).toEqual([test]);
        expect(
          (await store.sentAlerts({ since: iso(0), topic: first.alert.topic })).map((sent) => sent.alertId),
        ).toEqual([first.alert.id]);
      });
    });

    describe('switch announcements', () => {
      const RECORD = 'verify.hc.example.com';
      const notice = (switchedAt: string, id = `switch/${RECORD}/${switchedAt}`): OutboxAlert => {
        const { incidentId: _, ...alert } = opening('primary', 0).alert;
        return { ...alert, id, kind: 'update', announces: { record: RECORD, switchedAt } };
      };

      it('marks a switch announced with the alert that tells it, and refuses to announce it twice', async () => {
        expect(await store.loadAnnouncements()).toEqual([]);
        await store.queueAlert(notice(iso(0)));
        expect(await store.loadAnnouncements()).toEqual([{ record: RECORD, switchedAt: iso(0) }]);
        // Another alert about the same switch (a racing round's): refused, and not queued.
        await expect(store.queueAlert(notice(iso(0), 'other-id'))).rejects.toBeInstanceOf(AlreadyExistsError);
        expect((await store.pendingAlerts()).map((alert) => alert.id)).toEqual([notice(iso(0)).id]);
        // A later switch of the record moves the marker.
        await store.queueAlert(notice(iso(5)));
        expect(await store.loadAnnouncements()).toEqual([{ record: RECORD, switchedAt: iso(5) }]);
      });

      it('writes an incident change and the announcement its alert makes together, or neither', async () => {
        const { change, alert } = opening('primary', 0);
        await store.queueAlert(notice(iso(0)));
        const announcing = { ...alert, announces: { record: RECORD, switchedAt: iso(0) } };
        await expect(store.applyIncidentChange({ change, alert: announcing })).rejects.toBeInstanceOf(
          AlreadyExistsError,
        );
        expect(await store.listOpenIncidents()).toEqual([]);
        await store.applyIncidentChange({
          change,
          alert: { ...alert, announces: { record: RECORD, switchedAt: iso(1) } },
        });
        expect((await store.listOpenIncidents()).map((incident) => incident.id)).toEqual([change.incident.id]);
        expect(await store.loadAnnouncements()).toEqual([{ record: RECORD, switchedAt: iso(1) }]);
      });
    });

    describe('drills', () => {
      it('reads the running drill and the targets it breaks', async () => {
        expect(await store.activeDrill()).toBeUndefined();
        await startDrill('DRILL-20261120-01', ['primary#verification']);
        expect(await store.activeDrill()).toEqual({ drillId: 'DRILL-20261120-01', targets: ['primary#verification'] });
      });
    });

    it('honours an aborted signal', async () => {
      await expect(store.loadTargets(AbortSignal.abort())).rejects.toThrow();
    });
  });
};
