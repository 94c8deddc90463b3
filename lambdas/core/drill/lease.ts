// One process advances a drill at a time: it holds a lease on the drill item, renewed as it
// saves; another process that finds a live lease watches instead. An operator's abort is only a
// request on the item, which the lease holder merges and acts on. These rules decide what the
// runner (lambdas/app/drill/service.ts) stores.
import type { HcguardConfig } from '../config/schema.ts';
import type { DrillAction, DrillRecord } from './model.ts';

/** Actions that break the platform or move traffic: the drill is stored before they run. */
const WRITE_AHEAD: ReadonlySet<DrillAction['kind']> = new Set(['inject', 'switch', 'failback']);

/** Store the drill before carrying these actions out, so an interruption leaves a drill that knows to undo them. */
export const writesAhead = (actions: readonly DrillAction[]): boolean =>
  actions.some((action) => WRITE_AHEAD.has(action.kind));

/** A tick may wait for a switch (INSYNC) and a few SDK calls; the lease outlives it. */
export const drillLeaseMs = (config: Pick<HcguardConfig, 'failover'>, pollMs: number): number =>
  Math.max(60_000, 2 * pollMs + config.failover.insyncTimeoutSeconds * 1000 + 30_000);

/** Another process holds the drill and may still act on it. */
export const heldByOther = (drill: DrillRecord, runnerId: string, now: Date): boolean =>
  drill.runner !== undefined && drill.runner.id !== runnerId && Date.parse(drill.runner.leaseUntil) > now.getTime();

export const withoutRunner = (drill: DrillRecord): DrillRecord => {
  const { runner: _runner, ...rest } = drill;
  return rest;
};

/** Whether a tick changed anything worth storing (the lease aside). */
export const drillChanged = (a: DrillRecord, b: DrillRecord): boolean =>
  JSON.stringify(withoutRunner(a)) !== JSON.stringify(withoutRunner(b));

/** The lease is ours and has more than half its time left: no need to store only to renew it. */
export const leaseRenewDue = (drill: DrillRecord, runnerId: string, leaseMs: number, now: Date): boolean =>
  !drill.runner || drill.runner.id !== runnerId || Date.parse(drill.runner.leaseUntil) - now.getTime() < leaseMs / 2;

/**
 * The item to store on top of `base`: the next version, with this runner's lease while the drill
 * runs and it holds one.
 */
export const stampForSave = (
  drill: DrillRecord,
  base: DrillRecord,
  lease: { readonly runnerId: string; readonly until: Date } | undefined,
): DrillRecord => {
  const plain = withoutRunner(drill);
  const held =
    lease && drill.status === 'running'
      ? { ...plain, runner: { id: lease.runnerId, leaseUntil: lease.until.toISOString() } }
      : plain;
  return { ...held, version: base.version + 1 };
};

/**
 * After losing the save to a write made meanwhile (the only one others make: an abort request),
 * keep this tick's drill and the request, so the abort is never lost.
 */
export const mergeAfterConflict = (next: DrillRecord, stored: DrillRecord): DrillRecord =>
  stored.abortRequested && !next.abort ? { ...next, abortRequested: stored.abortRequested } : next;

/** A finished drill whose release was lost leaves the running-drill item behind: it may be cleared. */
export const staleClaim = (holder: DrillRecord | undefined): boolean => !holder || holder.status === 'finished';

/** The simulated citizens' view is kept once, when a live drill has finished. */
export const impactDue = (drill: DrillRecord): boolean => drill.status === 'finished' && !drill.impact && !drill.dryRun;
