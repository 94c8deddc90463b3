// An intent left pending: its owner wrote it and then stopped (a crash, the deadline) or could
// not tell whether Route 53 applied the change (a timeout, a 5xx). Decided by comparing the
// intent with what Route 53 answers, once the owner can no longer submit the change.
import type { AuditEntry } from '../model/audit.ts';
import { lastSwitchOf, type RoutingState, type SwitchEvent } from '../model/routing.ts';
import { repairableAt } from './checks.ts';
import type { FailoverDecision, PolicyInput, RepairDecision } from './policy.ts';
import {
  auditEntry,
  withoutPending,
  withoutRefusal,
  withoutSwitchDetails,
  write,
  type RoutingWrite,
  type RunContext,
} from './protocol.ts';
import { refuse } from './refusals.ts';

export const decidePending = (input: PolicyInput, pending: NonNullable<RoutingState['pending']>): FailoverDecision => {
  const { routing, now, record, request } = input;
  const from = routing.activeSite;
  const to = pending.toSite;
  const repairAt = repairableAt(pending);
  // The owner holds the intent until its lease ends, unless it gave it back when its call failed.
  const owned = pending.failedAt === undefined && now.getTime() < Date.parse(pending.leaseUntil ?? pending.requestedAt);
  // Finishing is safe whenever nobody owns the intent: Route 53 already answers the new site.
  if (!owned && input.actual === to) {
    return {
      kind: 'repair',
      outcome: 'finish',
      from,
      to,
      note:
        `Route 53 already answers ${to} for ${record.name}: the interrupted switch by ` +
        `${pending.actor} is completed`,
    };
  }
  if (now < repairAt) {
    const detail =
      `a switch of ${record.name} to ${to} is in progress (${pending.actor} since ${pending.requestedAt}; ` +
      `repaired after ${repairAt.toISOString()} if it does not finish)`;
    if (request.kind !== 'automatic') {
      return refuse(input, from, request.kind === 'failover' ? request.to : 'primary', [
        { code: 'switch-in-progress', detail },
      ]);
    }
    return owned
      ? { kind: 'nothing', note: detail }
      : { kind: 'nothing', note: detail, condition: inProgress(input, pending, repairAt) };
  }
  if (input.actual === from) {
    return {
      kind: 'repair',
      outcome: 'rollback',
      from,
      to,
      note:
        `Route 53 still answers ${from} for ${record.name}: ` +
        `the interrupted switch to ${to} by ${pending.actor} never applied and is rolled back`,
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
        detail:
          `cannot finish or roll back the switch of ${record.name} to ${to}: ${found}; fix ` + `the record in Route 53`,
      },
    ],
    true,
  );
};

/** "Switch in progress, unconfirmed since …": open, and paging, until the record is confirmed either way. */
const inProgress = (input: PolicyInput, pending: NonNullable<RoutingState['pending']>, repairAt: Date) => ({
  kind: 'switch-in-progress' as const,
  record: input.record.name,
  title:
    `switch in progress: ${input.record.name} ${input.routing.activeSite} → ` +
    `${pending.toSite} unconfirmed since ${pending.requestedAt}`,
  detail:
    (pending.error
      ? `the Route 53 call failed without a known outcome (${pending.error}); `
      : 'the run that started it stopped before confirming it; ') +
    `traffic is on whichever site Route 53 answers; hcguard finishes the switch as ` +
    `soon as Route 53 answers ${pending.toSite}, ` +
    `or rolls it back after ${repairAt.toISOString()}`,
});

/** The write that finishes or rolls back a leftover intent, as `decidePending` decided. */
export const repairStep = (
  stored: RoutingState,
  decision: RepairDecision,
  ctx: RunContext,
  now: Date,
): { readonly write: RoutingWrite; readonly audit: AuditEntry; readonly switch?: SwitchEvent } => {
  const pending = stored.pending as NonNullable<RoutingState['pending']>;
  const next: RoutingState =
    decision.outcome === 'rollback'
      ? withoutRefusal(withoutPending(stored))
      : {
          ...withoutSwitchDetails(stored),
          activeSite: pending.toSite,
          // The change went out shortly after the intent; that is the best instant known.
          since: pending.requestedAt,
          lastSwitchedAt: pending.requestedAt,
          reason: pending.reason,
          actor: pending.actor,
          ...(pending.incidentId ? { incidentId: pending.incidentId } : {}),
          ...(pending.drillId ? { drillId: pending.drillId } : {}),
          ...(pending.changeId
            ? { lastChange: { id: pending.changeId, status: 'PENDING' as const, at: pending.requestedAt } }
            : {}),
          ...(pending.forced ? { forced: true } : {}),
        };
  const repaired = write(next, stored);
  return {
    write: repaired,
    audit: auditEntry(ctx, now, 'routing.repaired', stored.record, {
      outcome: decision.outcome === 'finish' ? 'finished' : 'rolled-back',
      from: decision.from,
      to: decision.to,
      intentBy: pending.actor,
      intentAt: pending.requestedAt,
      note: decision.note,
    }),
    ...(decision.outcome === 'finish'
      ? { switch: { ...(lastSwitchOf(repaired.state) as SwitchEvent), repaired: true } }
      : {}),
  };
};
