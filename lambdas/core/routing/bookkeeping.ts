// What the controller writes besides a switch: the item of a record seen the first time, and the
// refusal it keeps on the item so operators see why traffic stays.
import type { AuditEntry } from '../model/audit.ts';
import type { ManagedRecord, RecordReading, RoutingCondition, RoutingState } from '../model/routing.ts';
import type { FailoverDecision } from './policy.ts';
import { auditEntry, withoutRefusal, write, type RoutingWrite, type RunContext } from './protocol.ts';

export type Initialization =
  | { readonly kind: 'initialized'; readonly write: RoutingWrite; readonly audit: AuditEntry }
  /** The record holds neither site's value or does not exist: nothing can be decided. */
  | { readonly kind: 'unrecognised'; readonly condition: RoutingCondition; readonly refusal: string };

/** The routing item of a record seen for the first time, from what Route 53 answers. */
export const initialRouting = (
  record: ManagedRecord,
  reading: RecordReading,
  ctx: RunContext,
  now: Date,
): Initialization => {
  if (!reading.site) {
    const what = reading.exists
      ? `holds neither site's value (${reading.description})`
      : 'does not exist in its hosted zone';
    const refusal =
      `${record.name} ${what}: hcguard cannot tell which site serves it; set it to the ` +
      `primary or backup value from the config`;
    return {
      kind: 'unrecognised',
      refusal,
      condition: {
        kind: 'cannot-fail-over',
        record: record.name,
        title: `cannot fail over: ${record.name} ${what}`,
        detail: refusal,
      },
    };
  }
  const state: RoutingState = {
    record: record.name,
    activeSite: reading.site,
    since: now.toISOString(),
    reason: `initialized from Route 53 (${reading.description})`,
    actor: ctx.request.actor,
    version: 1,
  };
  return {
    kind: 'initialized',
    write: { state, expectedVersion: 0 },
    audit: auditEntry(ctx, now, 'routing.initialized', record.name, {
      activeSite: reading.site,
      value: reading.description,
    }),
  };
};

// ---------------------------------------------------------------- refusals kept on the item

const refusalCodes = (decision: Extract<FailoverDecision, { kind: 'refuse' }>): string =>
  decision.refusals.map((refusal) => refusal.code).join(',');

export const refusalAudit = (
  record: string,
  decision: Extract<FailoverDecision, { kind: 'refuse' }>,
  ctx: RunContext,
  now: Date,
): AuditEntry =>
  auditEntry(ctx, now, 'routing.switch-refused', record, {
    from: decision.from,
    to: decision.to,
    codes: refusalCodes(decision),
    message: decision.message,
  });

/**
 * Keeps the item's `refusal` in step with an automatic decision, so operators see why traffic
 * stays; a new refusal is audited once. An item whose intent is in flight is never touched: its
 * owner confirms against that version.
 */
export const refusalSync = (
  stored: RoutingState,
  decision: FailoverDecision,
  ctx: RunContext,
  now: Date,
): { readonly write?: RoutingWrite; readonly audit: readonly AuditEntry[] } => {
  if (stored.pending) return { audit: [] };
  const wanted =
    decision.kind === 'refuse' ? { toSite: decision.to, codes: decision.refusals.map((r) => r.code) } : undefined;
  const current = stored.refusal;
  const same =
    wanted && current
      ? wanted.toSite === current.toSite && wanted.codes.join() === current.codes.join()
      : wanted === current;
  if (same) return { audit: [] };
  const next: RoutingState =
    wanted && decision.kind === 'refuse'
      ? { ...withoutRefusal(stored), refusal: { ...wanted, message: decision.message, since: now.toISOString() } }
      : withoutRefusal(stored);
  return {
    write: write(next, stored),
    audit: decision.kind === 'refuse' ? [refusalAudit(stored.record, decision, ctx, now)] : [],
  };
};
