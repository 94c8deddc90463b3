// What an operator's routing command did, in the words they read: which records it concerns,
// the verdict per record, and the lock's messages.
import {
  type ManagedRecord,
  type ReconcileFailure,
  type RoutingCondition,
  type RoutingLock,
  type RoutingState,
  type SwitchEvent,
  normalizeRecordName,
} from '../model/routing.ts';
import type { Actor, Site } from '../model/vocabulary.ts';
import type { FailoverDecision } from './policy.ts';

/** How one record settled in a controller run. */
export interface Settled {
  readonly routing?: RoutingState;
  readonly decision?: FailoverDecision;
  readonly switches: readonly SwitchEvent[];
  readonly condition?: RoutingCondition;
  /** For operator requests: why nothing was switched. */
  readonly refusal?: string;
  readonly failures: readonly ReconcileFailure[];
}

/** What an operator command did to one record. */
export interface OperatorRecordResult {
  readonly record: string;
  readonly result: 'switched' | 'refused' | 'failed';
  /** One line for the operator: what happened, or why not. */
  readonly message: string;
  /** Where the record points after the command, when known. */
  readonly activeSite?: Site;
  readonly switches: readonly SwitchEvent[];
}

/** The records a command names: one (any case, trailing dot forgiven), or all; a message when unknown. */
export const selectRecords = (
  records: readonly ManagedRecord[],
  name: string | undefined,
): readonly ManagedRecord[] | string => {
  if (name === undefined) return records;
  const found = records.filter((record) => record.name === normalizeRecordName(name));
  return found.length > 0
    ? found
    : `${name} is not a managed record (managed: ${records.map((record) => record.name).join(', ')})`;
};

export const operatorVerdict = (record: string, settled: Settled): OperatorRecordResult => {
  const mine = settled.switches.find((event) => !event.repaired);
  const activeSite = settled.routing?.activeSite;
  const base = { record, switches: settled.switches, ...(activeSite ? { activeSite } : {}) };
  const hardFailure = settled.failures.find((failure) => failure.step !== 'audit');
  if (mine) {
    const decision = settled.decision;
    const forced =
      mine.forced && decision?.kind === 'switch'
        ? `; FORCED over: ${decision.overridden.map((refusal) => refusal.detail).join('; ')}`
        : '';
    const change = mine.changeId
      ? ` (Route 53 change ${mine.changeId}, ${settled.routing?.lastChange?.status ?? 'PENDING'})`
      : ' (Route 53 already answered it)';
    return { ...base, result: 'switched', message: `${record} from ${mine.from} to ${mine.to}${change}${forced}` };
  }
  if (hardFailure) return { ...base, result: 'failed', message: hardFailure.message };
  return { ...base, result: 'refused', message: settled.refusal ?? `${record}: nothing to do` };
};

export type LockResult =
  | { readonly ok: true; readonly message: string; readonly lock: RoutingLock }
  | { readonly ok: false; readonly message: string; readonly lock?: RoutingLock };

const withWarnings = (message: string, failures: readonly ReconcileFailure[]): string =>
  failures.length === 0 ? message : `${message} (warning: ${failures.map((failure) => failure.message).join('; ')})`;

export const lockSet = (lock: RoutingLock, failures: readonly ReconcileFailure[]): LockResult => ({
  ok: true,
  message: withWarnings(
    `routing locked by ${lock.actor}: automatic switching is frozen until \`hcguard unlock\``,
    failures,
  ),
  lock,
});

/** Someone else's lock was there first (or came and went while we looked). */
export const lockTaken = (existing: RoutingLock | undefined): LockResult =>
  existing
    ? {
        ok: false,
        message: `routing is already locked by ${existing.actor} since ${existing.at}: ${existing.reason}`,
        lock: existing,
      }
    : { ok: false, message: 'routing was locked and unlocked meanwhile: try again' };

export const unlocked = (lock: RoutingLock, failures: readonly ReconcileFailure[]): LockResult => ({
  ok: true,
  message: withWarnings(
    `routing unlocked (it was locked by ${lock.actor} since ${lock.at}: ${lock.reason}); automatic switching resumes`,
    failures,
  ),
  lock,
});

export const NOT_LOCKED: LockResult = { ok: false, message: 'routing is not locked' };

export const lockAudit = (lock: RoutingLock) => ({
  at: lock.at,
  actor: lock.actor,
  action: 'routing.locked',
  subject: 'routing',
  detail: { reason: lock.reason },
});

export const unlockAudit = (lock: RoutingLock, actor: Actor, now: Date) => ({
  at: now.toISOString(),
  actor,
  action: 'routing.unlocked',
  subject: 'routing',
  detail: { lockedBy: lock.actor, lockedAt: lock.at, reason: lock.reason },
});
