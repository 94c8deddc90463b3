// The checks every switch decision is made of: pre-flight of the site traffic would go to, the
// dwell time, the primary's stability before a failback, the lock, and the lease that bounds
// the owner of an intent. The policy (./policy.ts) and drills (../drill/) both use these, so
// each rule has one home.
import type { HcguardConfig } from '../config/schema.ts';
import type { TargetState } from '../model/probing.ts';
import type { RoutingLock, RoutingState } from '../model/routing.ts';
import { STAGES, type Site, type Stage } from '../model/vocabulary.ts';
import type { Refusal } from './refusals.ts';

const MINUTE_MS = 60_000;

export const stateOf = (targets: readonly TargetState[], site: Site, stage: Stage): TargetState | undefined =>
  targets.find((target) => target.site === site && target.stage === stage);

/**
 * The oldest result instant pre-flight accepts: the round's start when known, else the last
 * two intervals plus 30 s (an operator's command between rounds reads the stored states).
 */
export const freshSince = (input: {
  readonly now: Date;
  readonly intervalSeconds: number;
  readonly roundStartedAt?: Date;
}): Date => input.roundStartedAt ?? new Date(input.now.getTime() - (2 * input.intervalSeconds + 30) * 1000);

/** The target site must be healthy on every stage, with a result from the current round. */
export const preflight = (targets: readonly TargetState[], site: Site, fresh: Date): Refusal[] => {
  const unhealthy: string[] = [];
  const noQuorum: string[] = [];
  for (const stage of STAGES) {
    const state = stateOf(targets, site, stage);
    if (!state || state.health === 'unknown') {
      noQuorum.push(`${stage} state unknown`);
    } else if (state.health !== 'healthy') {
      const why = [state.lastFailureClass, state.flapping ? 'flapping' : undefined].filter(Boolean).join(', ');
      unhealthy.push(`${stage} ${state.health}${why ? ` (${why})` : ''}`);
    } else if (!state.lastResultAt || Date.parse(state.lastResultAt) < fresh.getTime()) {
      const last = state.lastResultAt ?? 'never';
      noQuorum.push(`${stage} has no fresh result (last ${last}, needed at or after ${fresh.toISOString()})`);
    }
  }
  const refusals: Refusal[] = [];
  if (unhealthy.length > 0)
    refusals.push({ code: 'target-unhealthy', detail: `${site} unhealthy: ${unhealthy.join(', ')}` });
  if (noQuorum.length > 0) refusals.push({ code: 'no-quorum', detail: `no quorum on ${site}: ${noQuorum.join(', ')}` });
  return refusals;
};

/** When the next switch of a record is allowed; undefined when the dwell time does not hold it. */
export const dwellEndsAt = (
  routing: Pick<RoutingState, 'lastSwitchedAt'>,
  dwellMinutes: number,
  now: Date,
): Date | undefined => {
  if (!routing.lastSwitchedAt || dwellMinutes === 0) return undefined;
  const allowedAt = Date.parse(routing.lastSwitchedAt) + dwellMinutes * MINUTE_MS;
  return now.getTime() < allowedAt ? new Date(allowedAt) : undefined;
};

export const dwellRefusal = (routing: RoutingState, dwellMinutes: number, now: Date): Refusal | undefined => {
  const allowedAt = dwellEndsAt(routing, dwellMinutes, now);
  if (!allowedAt) return undefined;
  return {
    code: 'dwell',
    detail:
      `dwell: last switch at ${routing.lastSwitchedAt}, next switch allowed after ${allowedAt.toISOString()} ` +
      `(failover.dwellMinutes ${dwellMinutes})`,
  };
};

export const lockRefusal = (lock: RoutingLock): Refusal => ({
  code: 'locked',
  detail: `routing locked by ${lock.actor} since ${lock.at}: ${lock.reason} (\`hcguard unlock\` ends it)`,
});

export interface Stability {
  readonly ready: boolean;
  readonly note: string;
}

/** Has the primary been healthy on every stage, with fresh results, for long enough to return? */
export const primaryStability = (input: {
  readonly targets: readonly TargetState[];
  readonly failbackAfterHealthyMinutes: number;
  readonly now: Date;
  readonly freshSince: Date;
}): Stability => {
  const { targets, now } = input;
  if (preflight(targets, 'primary', input.freshSince).length > 0) {
    return { ready: false, note: 'the primary is not healthy on every stage' };
  }
  const healthySince = Math.max(...STAGES.map((stage) => Date.parse(stateOf(targets, 'primary', stage)?.since ?? '')));
  const readyAt = healthySince + input.failbackAfterHealthyMinutes * MINUTE_MS;
  const since = new Date(healthySince).toISOString();
  if (now.getTime() < readyAt) {
    return {
      ready: false,
      note:
        `primary healthy only since ${since}; failback allowed after ${new Date(readyAt).toISOString()} ` +
        `(failover.failbackAfterHealthyMinutes ${input.failbackAfterHealthyMinutes})`,
    };
  }
  return { ready: true, note: `primary healthy on every stage since ${since}` };
};

// ---------------------------------------------------------------- the intent's lease

/** After an intent's lease ends, a repairer waits this long more for a change still in flight. */
export const REPAIR_GRACE_MS = 30_000;
/** After its owner gave the lease back (its call failed), a request sent just before may still land. */
export const RELEASED_GRACE_MS = 5_000;
/**
 * How long the owner of an intent may spend submitting its Route 53 change, retries included.
 * Waiting for INSYNC comes after the confirmation and needs no lease, so a crash leaves an intent
 * that is repaired within this plus the grace, not after the whole INSYNC timeout.
 */
export const SUBMIT_BUDGET_SECONDS = 30;

export const switchLeaseSeconds = (policy: Pick<HcguardConfig['failover'], 'insyncTimeoutSeconds'>): number =>
  Math.min(policy.insyncTimeoutSeconds, SUBMIT_BUDGET_SECONDS);

/** The lease a new intent gets: its owner submits the Route 53 change before it ends. */
export const intentLeaseUntil = (now: Date, leaseSeconds: number): Date =>
  new Date(now.getTime() + leaseSeconds * 1000);

/** When another run may repair a pending intent: its owner can no longer submit a change. */
export const repairableAt = (pending: NonNullable<RoutingState['pending']>): Date =>
  pending.failedAt
    ? new Date(Date.parse(pending.failedAt) + RELEASED_GRACE_MS)
    : new Date(Date.parse(pending.leaseUntil ?? pending.requestedAt) + REPAIR_GRACE_MS);
