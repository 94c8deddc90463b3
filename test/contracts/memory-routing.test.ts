import type { StoredAuditEntry } from '../../lambdas/core/model/audit.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import { FakeRouter, manualClock, MemoryAuditLog, MemoryRoutingStore } from '../fakes/routing.ts';
import { auditLogContract } from './audit-log.contract.ts';
import { routerContract } from './router.contract.ts';
import { routingStoreContract } from './routing-store.contract.ts';

routingStoreContract('in-memory fake', async () => new MemoryRoutingStore());

auditLogContract('in-memory fake', async (clock) => {
  const log = new MemoryAuditLog(clock);
  const same = (a: StoredAuditEntry, subject: string, seq: number) => a.subject === subject && a.chain?.seq === seq;
  return {
    log,
    overwrite: async (copy, entry) => {
      const { subject, chain } = entry;
      const stored = copy === 'day' ? log.days : (log.chains.get(subject) ?? []);
      const index = stored.findIndex((found) => same(found, subject, chain.seq));
      stored[index] = structuredClone(entry);
    },
    removeLink: async (subject, seq) => {
      log.chains.set(
        subject,
        (log.chains.get(subject) ?? []).filter((found) => !same(found, subject, seq)),
      );
    },
  };
});

routerContract('fake', async () => {
  const clock = manualClock('2026-11-20T08:00:00.000Z');
  const router = new FakeRouter(clock);
  const record = (name: string): ManagedRecord => ({
    name,
    type: 'A',
    ttl: 60,
    hostedZoneId: 'Z0FAKE',
    stage: 'verification',
    values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
  });
  return {
    router,
    clock,
    record: async () => {
      router.answers.set('verify.hc.example.com', 'primary');
      return record('verify.hc.example.com');
    },
    missing: async () => record('absent.hc.example.com'),
  };
});
