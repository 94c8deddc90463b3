// The failover policy: given where a managed record points, the health of both sites and the
// operator's intent, decide whether to switch, refuse (and say why), repair an interrupted
// switch, or do nothing. Pure; ./protocol.ts turns a decision into the writes and the Route 53
// change, and lambdas/app/failover.ts carries those out.
//
// Rules:
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
// - An intent left pending (./pending.ts) is finished or rolled back before anything else.
import type { HcguardConfig } from '../config/schema.ts';
import type { TargetState } from '../model/probing.ts';
import type { ActualRouting, RoutingCondition, RoutingLock, RoutingState } from '../model/routing.ts';
import { otherSite, type Actor, type Site, type Stage } from '../model/vocabulary.ts';
import { dwellRefusal, lockRefusal, preflight, primaryStability, stateOf, type Stability } from './checks.ts';
import { decidePending } from './pending.ts';
import { refuse, type Refusal } from './refusals.ts';

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

export type SwitchCause = 'failover' | 'failback' | 'manual';

export type FailoverDecision =
  /** With a condition while an intent nobody owns any more waits for its repair. */
  | { readonly kind: 'nothing'; readonly note: string; readonly condition?: RoutingCondition }
  | SwitchDecision
  | {
      readonly kind: 'refuse';
      readonly from: Site;
      readonly to: Site;
      readonly refusals: readonly Refusal[];
      readonly message: string;
      /** Set for automatic refusals while the serving site fails: the incident to keep open. */
      readonly condition?: RoutingCondition;
    }
  | RepairDecision;

export interface SwitchDecision {
  readonly kind: 'switch';
  readonly from: Site;
  readonly to: Site;
  readonly cause: SwitchCause;
  readonly reason: string;
  /** True when `--force` overrode the refusals in `overridden`. */
  readonly forced: boolean;
  readonly overridden: readonly Refusal[];
}

export interface RepairDecision {
  readonly kind: 'repair';
  /** finish: Route 53 already has the intended value; rollback: it never changed. */
  readonly outcome: 'finish' | 'rollback';
  readonly from: Site;
  readonly to: Site;
  readonly note: string;
}

export const decideFailover = (input: PolicyInput): FailoverDecision => {
  const { routing, request } = input;
  if (routing.pending) return decidePending(input, routing.pending);
  if (request.kind === 'failover') return decideManualFailover(input, request);
  if (request.kind === 'failback') return decideFailback(input);
  return decideAutomatic(input);
};

const stability = (input: PolicyInput): Stability =>
  primaryStability({
    targets: input.targets,
    failbackAfterHealthyMinutes: input.policy.failbackAfterHealthyMinutes,
    now: input.now,
    freshSince: input.freshSince,
  });

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
    const dwell = dwellRefusal(routing, policy.dwellMinutes, now);
    if (dwell) refusals.push(dwell);
    const targetStageState = stateOf(targets, to, record.stage);
    if (targetStageState?.health === 'failing') {
      refusals.push({
        code: 'no-healthy-site',
        detail: `no healthy site: ${record.stage} is failing on both ${serving} and ${to}; traffic stays on ${serving}`,
      });
    }
    refusals.push(...preflight(targets, to, input.freshSince));
    const why = servingState.lastFailureClass ? ` (${servingState.lastFailureClass})` : '';
    const reason = `${serving} ${record.stage} failing${why} since ${servingState.since}`;
    if (refusals.length === 0)
      return { kind: 'switch', from: serving, to, cause: 'failover', reason, forced: false, overridden: [] };
    return refuse(input, serving, to, refusals, true);
  }
  if (serving === 'backup') {
    const stable = stability(input);
    if (!stable.ready) return { kind: 'nothing', note: `backup serves ${record.name}; ${stable.note}` };
    if (policy.failback === 'manual') {
      return {
        kind: 'nothing',
        note: `backup serves ${record.name}; ${stable.note}: run \`hcguard failback\` to return to the primary`,
      };
    }
    if (lock)
      return { kind: 'nothing', note: `automatic failback of ${record.name} is due but ${lockRefusal(lock).detail}` };
    const dwell = dwellRefusal(routing, policy.dwellMinutes, now);
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
  const dwell = dwellRefusal(routing, policy.dwellMinutes, now);
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
  const dwell = dwellRefusal(routing, policy.dwellMinutes, now);
  if (dwell) refusals.push(dwell);
  const checks = preflight(targets, 'primary', input.freshSince);
  refusals.push(...checks);
  if (checks.length === 0) {
    const stable = stability(input);
    if (!stable.ready) refusals.push({ code: 'not-stable', detail: stable.note });
  }
  if (refusals.length > 0) return refuse(input, from, 'primary', refusals);
  return {
    kind: 'switch',
    from,
    to: 'primary',
    cause: 'failback',
    reason: `failback approved by ${input.request.actor}: ${stability(input).note}`,
    forced: false,
    overridden: [],
  };
};
