// The audit log's contract: every AuditLog (the in-memory fake, DynamoDB on moto) must behave
// exactly like this, hash chain and tamper evidence included. Run it with
// `auditLogContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../lambdas/app/audit-verify.ts';
import { auditHash, GENESIS_HASH } from '../../lambdas/core/audit-chain.ts';
import type { AuditEntry, StoredAuditEntry } from '../../lambdas/core/model/audit.ts';
import type { AuditLog, Clock } from '../../lambdas/ports.ts';

export interface AuditLogUnderTest {
  readonly log: AuditLog;
  /** Rewrites a stored entry behind the log's back: its day-log copy or its chain link. */
  readonly overwrite: (
    copy: 'day' | 'chain',
    entry: StoredAuditEntry & { readonly chain: NonNullable<StoredAuditEntry['chain']> },
  ) => Promise<void>;
  /** Deletes a chain link behind the log's back. */
  readonly removeLink: (subject: string, seq: number) => Promise<void>;
}

const NOW = new Date('2026-11-22T12:00:00.000Z');
const clock: Clock = { now: () => NOW };

export const entry = (at: string, action: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at,
  actor: 'controller',
  action,
  subject: 'verify.hc.example.com',
  detail: { from: 'primary', to: 'backup', dwellMinutes: 5, forced: false },
  ...extra,
});

export const auditLogContract = (name: string, setup: (clock: Clock) => Promise<AuditLogUnderTest>): void => {
  describe(`AuditLog contract: ${name}`, () => {
    let log: AuditLog;
    let store: AuditLogUnderTest;
    beforeEach(async () => {
      store = await setup(clock);
      log = store.log;
    });

    it('appends entries and lists them in time order across days, from since or the last 7 days', async () => {
      const entries = [
        entry('2026-11-14T12:00:00.000Z', 'switch', { subject: 'old.hc.example.com' }),
        entry('2026-11-20T23:59:59.000Z', 'switch'),
        entry('2026-11-21T00:00:01.000Z', 'routing.locked', { actor: 'operator:li', subject: 'routing' }),
        entry('2026-11-22T08:00:00.000Z', 'routing.unlocked', { actor: 'operator:li', subject: 'routing' }),
      ];
      for (const item of [entries[3], entries[1], entries[0], entries[2]]) await log.append(item as AuditEntry);
      const listed = (query: Parameters<AuditLog['list']>[0]) =>
        log.list(query).then((found) => found.map(({ chain: _chain, ...rest }) => rest));
      expect(await listed({ since: '2026-11-14T00:00:00.000Z' })).toEqual(entries);
      expect(await listed({ since: '2026-11-21T00:00:00.000Z' })).toEqual(entries.slice(2));
      expect(await listed({ since: '2026-11-20T00:00:00.000Z', limit: 2 })).toEqual(entries.slice(1, 3));
      expect(await listed({})).toEqual(entries.slice(1));
    });

    it('finds a drill’s entries by its id', async () => {
      const drillEntry = entry('2026-11-22T09:00:00.000Z', 'drill.phase', {
        actor: 'drill:DRILL-9',
        drillId: 'DRILL-9',
        subject: 'DRILL-9',
      });
      await log.append(drillEntry);
      await log.append(
        entry('2026-11-22T09:00:01.000Z', 'drill.phase', { actor: 'drill:DRILL-10', drillId: 'DRILL-10' }),
      );
      expect(await log.list({ drillId: 'DRILL-9' })).toEqual([expect.objectContaining(drillEntry)]);
    });

    it('refuses an entry without a valid instant, writing nothing', async () => {
      await expect(log.append(entry('yesterday', 'switch'))).rejects.toThrow(/no valid instant/);
      expect(await log.subjects()).toEqual([]);
    });

    it('chains each subject’s entries: numbered from 1, each carrying the hash of the one before', async () => {
      const first = await log.append(entry('2026-11-22T08:00:00.000Z', 'routing.switched'));
      await log.append(entry('2026-11-22T08:00:30.000Z', 'routing.locked', { subject: 'routing' }));
      const second = await log.append(
        entry('2026-11-22T08:01:00.000Z', 'routing.confirmed', { detail: { changeId: 'C1', insync: true } }),
      );
      expect(first.chain).toEqual({
        seq: 1,
        prev: GENESIS_HASH,
        hash: auditHash(entry('2026-11-22T08:00:00.000Z', 'routing.switched'), 1, GENESIS_HASH),
      });
      expect(second.chain).toMatchObject({ seq: 2, prev: first.chain.hash });
      expect((await log.subjects()).sort()).toEqual(['routing', 'verify.hc.example.com']);
      expect(await log.chain('verify.hc.example.com')).toEqual([first, second]);
      expect((await log.list({ since: '2026-11-22T00:00:00.000Z' })).map((found) => found.chain?.seq)).toEqual([
        1, 1, 2,
      ]);
      expect(await log.chain('nobody')).toEqual([]);
    });

    it('links appends that race for one subject one after the other: none lost, none sharing a place', async () => {
      const racing = Array.from({ length: 8 }, (_, index) =>
        log.append(entry(`2026-11-22T09:00:0${index}.000Z`, `race.${index}`)),
      );
      await Promise.all(racing);
      const chain = await log.chain('verify.hc.example.com');
      expect(chain.map((link) => link.chain?.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(new Set(chain.map((link) => link.action)).size).toBe(8);
      expect((await verifyAuditLog(log)).breaks).toEqual([]);
    });

    describe('verification', () => {
      const write = async () => {
        const written = [];
        for (let minute = 0; minute < 4; minute++)
          written.push(await log.append(entry(`2026-11-22T10:0${minute}:00.000Z`, `step.${minute}`)));
        await log.append(entry('2026-11-22T10:05:00.000Z', 'routing.locked', { subject: 'routing' }));
        return written;
      };

      it('passes an untouched log, counting chains, entries and day-log copies', async () => {
        await write();
        expect(await verifyAuditLog(log)).toEqual({
          subjects: 2,
          entries: 5,
          copies: 5,
          unchained: 0,
          breaks: [],
          copiesSince: '2026-11-22T10:00:00.000Z',
          copiesTruncated: false,
        });
      });

      it('finds a chain link changed after it was written', async () => {
        const [, second] = await write();
        await store.overwrite('chain', { ...second!, detail: { from: 'backup', to: 'primary' } });
        const { breaks } = await verifyAuditLog(log);
        expect(breaks[0]).toEqual({
          subject: 'verify.hc.example.com',
          seq: 2,
          at: second!.at,
          reason: 'entry 2 was changed after it was written',
        });
      });

      it('finds a link rewritten with a fresh hash: the next one no longer follows it', async () => {
        const [, second] = await write();
        const forged = { ...second!, actor: 'operator:mallory' as const };
        await store.overwrite('chain', {
          ...forged,
          chain: { ...second!.chain, hash: auditHash(forged, 2, second!.chain.prev) },
        });
        expect((await verifyAuditLog(log)).breaks[0]).toMatchObject({
          seq: 3,
          reason: 'entry 3 does not follow entry 2',
        });
      });

      it('finds a deleted link', async () => {
        await write();
        await store.removeLink('verify.hc.example.com', 2);
        expect((await verifyAuditLog(log)).breaks[0]).toMatchObject({
          subject: 'verify.hc.example.com',
          seq: 2,
          reason: 'entry 2 is missing (the chain jumps from 1 to 3)',
        });
      });

      it('finds a day-log copy that was changed, or that differs from its chain', async () => {
        const [first, second] = await write();
        await store.overwrite('day', { ...first!, action: 'nothing.to.see' });
        const forged = { ...second!, detail: { forced: true } };
        await store.overwrite('day', {
          ...forged,
          chain: { ...second!.chain, hash: auditHash(forged, 2, second!.chain.prev) },
        });
        expect((await verifyAuditLog(log)).breaks).toEqual([
          {
            subject: 'verify.hc.example.com',
            seq: 1,
            at: first!.at,
            reason: "the day log's copy of entry 1 was changed after it was written",
          },
          {
            subject: 'verify.hc.example.com',
            seq: 2,
            at: second!.at,
            reason: "the day log's copy of entry 2 differs from the chain",
          },
        ]);
      });
    });
  });
};
