// `hcguard lock` / `hcguard unlock`: the routing lock that freezes automatic switching, set and
// cleared conditionally (one lock at a time), each audited.
import { AlreadyExistsError, describeError, NotFoundError } from '../core/errors.ts';
import type { RoutingLock } from '../core/model/routing.ts';
import type { Actor } from '../core/model/vocabulary.ts';
import {
  lockAudit,
  lockSet,
  lockTaken,
  NOT_LOCKED,
  unlockAudit,
  unlocked,
  type LockResult,
} from '../core/routing/operator.ts';
import type { AuditLog, Clock, RoutingStore } from '../ports.ts';

export interface RoutingLockCommands {
  lock(input: { readonly reason: string; readonly actor: Actor; readonly signal?: AbortSignal }): Promise<LockResult>;
  unlock(input: { readonly actor: Actor; readonly signal?: AbortSignal }): Promise<LockResult>;
}

export const createRoutingLock = (deps: {
  readonly routingStore: RoutingStore;
  readonly auditLog: AuditLog;
  readonly clock: Clock;
}): RoutingLockCommands => {
  const { routingStore, auditLog, clock } = deps;
  /** The lock stands even when its audit entry cannot be written: the answer says so. */
  const audited = async (entry: Parameters<AuditLog['append']>[0], signal?: AbortSignal) => {
    try {
      await auditLog.append(entry, signal);
      return [];
    } catch (error) {
      return [
        {
          record: 'routing',
          step: 'audit' as const,
          message: `audit entry ${entry.action} not written: ${describeError(error)}`,
        },
      ];
    }
  };
  return {
    async lock(input) {
      const lock: RoutingLock = { reason: input.reason, actor: input.actor, at: clock.now().toISOString() };
      try {
        await routingStore.setLock(lock, input.signal);
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        return lockTaken(await routingStore.getLock(input.signal));
      }
      return lockSet(lock, await audited(lockAudit(lock), input.signal));
    },

    async unlock(input) {
      let lock: RoutingLock;
      try {
        lock = await routingStore.clearLock(input.signal);
      } catch (error) {
        if (error instanceof NotFoundError) return NOT_LOCKED;
        throw error;
      }
      return unlocked(lock, await audited(unlockAudit(lock, input.actor, clock.now()), input.signal));
    },
  };
};
