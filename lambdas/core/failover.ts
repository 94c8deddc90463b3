// The failover policy: given where a managed record points, the health of both sites and the
// operator's intent, decide whether to switch, refuse (and say why), repair an interrupted
// switch, or do nothing. Pure: the application service reads the inputs and carries out the
// decision (lambdas/app/failover.ts).
//
// Rules (ISSUE 5, ../shared/design/FACTS.md):
// - Switch away from the serving site when the stage the record follows is failing there, and
//   only to a site whose collection, transmission and verification are healthy with a result
//   from the current round (pre-flight). Route 53 health checks cannot refuse a broken backup;
//   this is the guarantee ARC's assertion rules sell.
// - Never leave a record with no live target: when both sites fail, traffic stays.
// - Keep `dwellMinutes` between switches (ARC's WaitPeriodMs idea), so flapping cannot flip traffic.
// - Fail back only after the primary has been healthy `failbackAfterHealthyMinutes`, and by
//   default only when an operator approves (`hcguard failback`) — Route 53 always fails back
//   on its own, a known complaint.
// - A routing lock freezes automatic switching; operators can still switch by hand.
import type { HcguardConfig } from './config.ts';
import { STAGES, otherSite, type Actor, type Site, type Stage } from './model/vocabulary.ts';
import type { ActualRouting, RoutingCondition, RoutingLock, RoutingState } from './model/routing.ts';
import type { TargetState } from './model/probing.ts';

export type FailoverPolicy = Pick<
  HcguardConfig['failover'],
  'mode' | 'dwellMinutes' | 'failback' | 'failbackAfterHealthyMinutes'
>;

export type FailoverRequest =
  /** After a probe round: the controller (or a drill) acts on its own. */
  | { readonly kind: 'automatic'; readonly actor: Actor }
  /** `hcguard failover --to <site> --reason … [--force]`. */
  | {
      readonly kind: 'failover';
      readonly to: Site;
      readonly reason: string;
      readonly force: boolean;
      readonly actor: Actor;
    }
  /** `hcguard failback`: the operator approves the return to the primary. */
  | { readonly kind: 'failback'; readonly actor: Actor };

export interface PolicyInput {
  readonly record: { readonly name: string; readonly stage: Stage };
  readonly routing: RoutingState;
  readonly lock?: RoutingLock;
  readonly targets: readonly TargetState[];
  readonly policy: FailoverPolicy;
  readonly now: Date;
  /** Results at or after this instant are fresh: pre-flight accepts only those. */
  readonly freshSince: Date;
  readonly request: FailoverRequest;
  /** Required while `routing.pending` is set: the repair compares the intent with it. */
  readonly actual?: ActualRouting;
}

export const REFUSAL_CODES = [
  'target-unhealthy',
  'no-healthy-site',
  'no-quorum',
  'dwell',
  'locked',
  'automatic-off',
  'not-stable',
  'already-active',
  'switch-in-progress',
  'record-unrecognised',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  /** One line an operator understands, naming stages, instants and people. */
  readonly detail: string;
}

export type SwitchCause = 'failover' | 'failback' | 'manual';

export type FailoverDecision =
  | { readonly kind: 'nothing'; readonly note: string }
  | {
      readonly kind: 'switch';
      readonly from: Site;
      readonly to: Site;
      readonly cause: SwitchCause;
      readonly reason: string;
      /** True when `--force` overrode the refusals in `overridden`. */
      readonly forced: boolean;
      readonly overridden: readonly Refusal[];
    }
  | {
      readonly kind: 'refuse';
      readonly from: Site;
      readonly to: Site;
      readonly refusals: readonly Refusal[];
      readonly message: string;
      /** Set for automatic refusals while the serving site fails: the incident to keep open. */
      readonly condition?: RoutingCondition;
    }
  | {
      readonly kind: 'repair';
      /** finish: Route 53 already has the intended value; rollback: it never changed. */
      readonly outcome: 'finish' | 'rollback';
      readonly from: Site;
      readonly to: Site;
      readonly note: string;
    };

/** After an intent's lease ends, a repairer waits this long more for a change still in flight. */
export const REPAIR_GRACE_MS = 30_000;

/** When another run may repair a pending intent: its owner can no longer submit a change. */
export const repairableAt = (pending: NonNullable<RoutingState['pending']>): Date =>
  new Date(Date.parse(pending.leaseUntil ?? pending.requestedAt) + REPAIR_GRACE_MS);

/** The lease a new intent gets: its owner submits the Route 53 change before it ends. */
export const intentLeaseUntil = (now: Date, insyncTimeoutSeconds: number): Date =>
  new Date(now.getTime() + insyncTimeoutSeconds * 1000);

/**
 * The oldest result instant pre-flight accepts: the round's start when known, else the last
 * two intervals plus 30 s (an operator's command between rounds reads the stored states).
 */
export const freshSince = (input: {
  readonly now: Date;
  readonly intervalSeconds: number;
  readonly roundStartedAt?: Date;
}): Date => input.roundStartedAt ?? new Date(input.now.getTime() - (2 * input.intervalSeconds + 30) * 1000);

const MINUTE_MS = 60_000;

export const decideFailover = (input: PolicyInput): FailoverDecision => {
  const { routing, request } = input;
  if (routing.pending) return decidePending(input, routing.pending);
  if (request.kind === 'failover') return decideManualFailover(input, request);
  if (request.kind === 'failback') return decideFailback(input);
  return decideAutomatic(input);
};

const decidePending = (input: PolicyInput, pending: NonNullable<RoutingState['pending']>): FailoverDecision => {
  const { routing, now, record, request } = input;
  const from = routing.activeSite;
  const to = pending.toSite;
  const repairAt = repairableAt(pending);
  if (now < repairAt) {
    const detail = `a switch of ${record.name} to ${to} is in progress (${pending.actor} since ${pending.requestedAt}; repaired after ${repairAt.toISOString()} if it does not finish)`;
    if (request.kind === 'automatic') return { kind: 'nothing', note: detail };
    return refuse(input, from, request.kind === 'failover' ? request.to : 'primary', [
      { code: 'switch-in-progress', detail },
    ]);
  }
  if (input.actual === to) {
    return {
      kind: 'repair',
      outcome: 'finish',
      from,
      to,
      note: `Route 53 already answers ${to} for ${record.name}: the interrupted switch by ${pending.actor} is completed`,
    };
  }
  if (input.actual === from) {
    return {
      kind: 'repair',
      outcome: 'rollback',
      from,
      to,
      note: `Route 53 still answers ${from} for ${record.name}: the interrupted switch to ${to} by ${pending.actor} never applied and is rolled back`,
    };
  }
  const found =
    input.actual === 'missing'
      ? 'the record does not exist'
      : input.actual === 'neither'
        ? "its value is neither site's"
        : 'its value could not be read';
  return refuse(
    input,
    from,
    to,
    [
      {
        code: 'record-unrecognised',
        detail: `cannot finish or roll back the switch of ${record.name} to ${to}: ${found}; fix the record in Route 53`,
      },
    ],
    true,
  );
};

const decideAutomatic = (input: PolicyInput): FailoverDecision => {
  const { routing, record, targets, policy, now, lock } = input;
  const serving = routing.activeSite;
  const servingState = stateOf(targets, serving, record.stage);
  if (servingState?.health === 'failing') {
    const to = otherSite(serving);
    const refusals: Refusal[] = [];
    if (policy.mode === 'manual') {
      refusals.push({
        code: 'automatic-off',
        detail: `automatic failover is off (failover.mode: manual): run \`hcguard failover --to ${to} --reason …\``,
      });
    }
    if (lock) refusals.push(lockRefusal(lock));
    const dwell = dwellRefusal(routing, policy, now);
    if (dwell) refusals.push(dwell);
    const targetStageState = stateOf(targets, to, record.stage);
    if (targetStageState?.health === 'failing') {
      refusals.push({
        code: 'no-healthy-site',
        detail: `no healthy site: ${record.stage} is failing on both ${serving} and ${to}; traffic stays on ${serving}`,
      });
    }
    refusals.push(...preflight(targets, to, input.freshSince));
    const reason = `${serving} ${record.stage} failing${servingState.lastFailureClass ? ` (${servingState.lastFailureClass})` : ''} since ${servingState.since}`;
    if (refusals.length === 0)
      return { kind: 'switch', from: serving, to, cause: 'failover', reason, forced: false, overridden: [] };
    return refuse(input, serving, to, refusals, true);
  }
  if (serving === 'backup') {
    const stable = primaryStability(input);
    if (!stable.ready) return { kind: 'nothing', note: `backup serves ${record.name}; ${stable.note}` };
    if (policy.failback === 'manual') {
      return {
        kind: 'nothing',
        note: `backup serves ${record.name}; ${stable.note}: run \`hcguard failback\` to return to the primary`,
      };
    }
    if (lock)
      return { kind: 'nothing', note: `automatic failback of ${record.name} is due but ${lockRefusal(lock).detail}` };
    const dwell = dwellRefusal(routing, policy, now);
    if (dwell)
      return { kind: 'nothing', note: `automatic failback of ${record.name} is due but held by ${dwell.detail}` };
    return {
      kind: 'switch',
      from: 'backup',
      to: 'primary',
      cause: 'failback',
      reason: `automatic failback: ${stable.note}`,
      forced: false,
      overridden: [],
    };
  }
  return {
    kind: 'nothing',
    note: `${serving} serves ${record.name}; ${record.stage} there is ${servingState?.health ?? 'unknown'}`,
  };
};

const decideManualFailover = (
  input: PolicyInput,
  request: Extract<FailoverRequest, { kind: 'failover' }>,
): FailoverDecision => {
  const { routing, record, policy, now, targets } = input;
  const from = routing.activeSite;
  if (request.to === from)
    return refuse(input, from, request.to, [
      { code: 'already-active', detail: `${record.name} already points at ${from} (since ${routing.since})` },
    ]);
  const refusals: Refusal[] = [];
  const dwell = dwellRefusal(routing, policy, now);
  if (dwell) refusals.push(dwell);
  refusals.push(...preflight(targets, request.to, input.freshSince));
  if (refusals.length > 0 && !request.force) return refuse(input, from, request.to, refusals);
  return {
    kind: 'switch',
    from,
    to: request.to,
    cause: 'manual',
    reason: request.reason,
    forced: refusals.length > 0,
    overridden: refusals,
  };
};

const decideFailback = (input: PolicyInput): FailoverDecision => {
  const { routing, record, policy, now, targets } = input;
  const from = routing.activeSite;
  if (from === 'primary')
    return refuse(input, from, 'primary', [
      { code: 'already-active', detail: `${record.name} already points at primary (since ${routing.since})` },
    ]);
  const refusals: Refusal[] = [];
  const dwell = dwellRefusal(routing, policy, now);
  if (dwell) refusals.push(dwell);
  const checks = preflight(targets, 'primary', input.freshSince);
  refusals.push(...checks);
  if (checks.length === 0) {
    const stable = primaryStability(input);
    if (!stable.ready) refusals.push({ code: 'not-stable', detail: stable.note });
  }
  if (refusals.length > 0) return refuse(input, from, 'primary', refusals);
  return {
    kind: 'switch',
    from,
    to: 'primary',
    cause: 'failback',
    reason: `failback approved by ${input.request.actor}: ${primaryStability(input).note}`,
    forced: false,
    overridden: [],
  };
};

const refuse = (
  input: PolicyInput,
  from: Site,
  to: Site,
  refusals: readonly Refusal[],
  withCondition = false,
): FailoverDecision => {
  const name = input.record.name;
  const why = refusals.map((refusal) => refusal.detail).join('; ');
  const message = `cannot switch ${name} from ${from} to ${to}: ${why}`;
  if (!withCondition) return { kind: 'refuse', from, to, refusals, message };
  const kind = refusals.some((refusal) => refusal.code === 'no-healthy-site') ? 'no-healthy-site' : 'cannot-fail-over';
  const title =
    kind === 'no-healthy-site'
      ? `no healthy site: ${name} stays on ${from}, ${input.record.stage} fails on both sites`
      : `cannot fail over: ${name} stays on ${from} — ${refusals.map((refusal) => REFUSAL_HEADLINES[refusal.code](to)).join(', ')}`;
  return { kind: 'refuse', from, to, refusals, message, condition: { kind, record: name, title, detail: why } };
};

const REFUSAL_HEADLINES: Readonly<Record<RefusalCode, (to: Site) => string>> = {
  'target-unhealthy': (to) => `${to} unhealthy`,
  'no-healthy-site': () => 'both sites failing',
  'no-quorum': (to) => `no quorum on ${to}`,
  dwell: () => 'dwell time',
  locked: () => 'routing locked',
  'automatic-off': () => 'automatic failover off',
  'not-stable': () => 'primary not stable yet',
  'already-active': (to) => `${to} already active`,
  'switch-in-progress': () => 'switch in progress',
  'record-unrecognised': () => 'record value unrecognised',
};

const stateOf = (targets: readonly TargetState[], site: Site, stage: Stage): TargetState | undefined =>
  targets.find((target) => target.site === site && target.stage === stage);

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
      noQuorum.push(
        `${stage} has no fresh result (last ${state.lastResultAt ?? 'never'}, needed at or after ${fresh.toISOString()})`,
      );
    }
  }
  const refusals: Refusal[] = [];
  if (unhealthy.length > 0)
    refusals.push({ code: 'target-unhealthy', detail: `${site} unhealthy: ${unhealthy.join(', ')}` });
  if (noQuorum.length > 0) refusals.push({ code: 'no-quorum', detail: `no quorum on ${site}: ${noQuorum.join(', ')}` });
  return refusals;
};

const dwellRefusal = (routing: RoutingState, policy: FailoverPolicy, now: Date): Refusal | undefined => {
  if (!routing.lastSwitchedAt || policy.dwellMinutes === 0) return undefined;
  const allowedAt = Date.parse(routing.lastSwitchedAt) + policy.dwellMinutes * MINUTE_MS;
  if (now.getTime() >= allowedAt) return undefined;
  return {
    code: 'dwell',
    detail: `dwell: last switch at ${routing.lastSwitchedAt}, next switch allowed after ${new Date(allowedAt).toISOString()} (failover.dwellMinutes ${policy.dwellMinutes})`,
  };
};

const lockRefusal = (lock: RoutingLock): Refusal => ({
  code: 'locked',
  detail: `routing locked by ${lock.actor} since ${lock.at}: ${lock.reason} (\`hcguard unlock\` ends it)`,
});

/** Has the primary been healthy on every stage, with fresh results, for long enough to return? */
const primaryStability = (input: PolicyInput): { readonly ready: boolean; readonly note: string } => {
  const { targets, policy, now } = input;
  if (preflight(targets, 'primary', input.freshSince).length > 0)
    return { ready: false, note: 'the primary is not healthy on every stage' };
  const healthySince = Math.max(...STAGES.map((stage) => Date.parse(stateOf(targets, 'primary', stage)?.since ?? '')));
  const readyAt = healthySince + policy.failbackAfterHealthyMinutes * MINUTE_MS;
  const since = new Date(healthySince).toISOString();
  if (now.getTime() < readyAt) {
    return {
      ready: false,
      note: `primary healthy only since ${since}; failback allowed after ${new Date(readyAt).toISOString()} (failover.failbackAfterHealthyMinutes ${policy.failbackAfterHealthyMinutes})`,
    };
  }
  return { ready: true, note: `primary healthy on every stage since ${since}` };
};
