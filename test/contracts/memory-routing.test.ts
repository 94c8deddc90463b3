import type { StoredAuditEntry } from '../../lambdas/core/model/audit.ts';
import { MemoryAuditLog, MemoryRoutingStore } from '../fakes/routing.ts';
import { auditLogContract } from './audit-log.contract.ts';
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
