// The switching protocol as pure transitions: each takes the routing item as read and returns the
// conditional write to make (and the audit entries, the switch event, the Route 53 change), so
// lambdas/app/failover.ts only carries them out.
//
// Per switch: (1) a conditional write records the intent (`pending`, version + 1) with a lease;
// (2) the Route 53 change, submitted only within the lease; (3) a conditional write confirms it;
// (4) once Route 53 reports INSYNC, a last write says so. Racing runs lose step 1 and re-read:
// they see the pending intent and leave it to its owner. An intent whose owner stopped, or whose
// change has no known outcome, is repaired by comparing it with the record's actual value
// (./pending.ts): Route 53 has the new value → finish; the old one → roll back and decide again.
import type { AuditEntry } from '../model/audit.ts';
import type { Incident } from '../model/incidents.ts';
import {
  lastSwitchOf,
  type ManagedRecord,
  type ReconcileFailure,
  type RouteResult,
  type RoutingCondition,
  type RoutingState,
  type SwitchEvent,
} from '../model/routing.ts';
import type { Actor, Site } from '../model/vocabulary.ts';
import { intentLeaseUntil } from './checks.ts';
import type { FailoverRequest, SwitchDecision } from './policy.ts';

/** Store `state` only while the stored item still has `expectedVersion` (0: it must not exist). */
export interface RoutingWrite {
  readonly state: RoutingState;
  readonly expectedVersion: number;
}

/** The Route 53 change of step 2. */
export interface RouteChange {
  readonly to: Site;
  /** Why, and on whose behalf: the incident or drill id goes into the change comment. */
  readonly comment: string;
  /** The end of the intent's lease: the change must not be submitted after it. */
  readonly notAfter: string;
}

/** Who acts, and for which drill, in one controller run. */
export interface RunContext {
  readonly request: FailoverRequest;
  readonly drillId?: string;
}

type Pending = NonNullable<RoutingState['pending']>;

export const write = (state: RoutingState, from: RoutingState | undefined): RoutingWrite => ({
  state: { ...state, version: (from?.version ?? 0) + 1 },
  expectedVersion: from?.version ?? 0,
});

export const auditEntry = (
  ctx: RunContext,
  now: Date,
  action: string,
  subject: string,
  detail?: AuditEntry['detail'],
): AuditEntry => ({
  at: now.toISOString(),
  actor: ctx.request.actor,
  action,
  subject,
  ...(detail ? { detail } : {}),
  ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
});

/** The details one switch leaves on the item; the next switch replaces them. */
export const withoutSwitchDetails = (state: RoutingState): RoutingState => {
  const {
    pending: _pending,
    refusal: _refusal,
    incidentId: _incident,
    drillId: _drill,
    lastChange: _change,
    forced: _forced,
    ...rest
  } = state;
  return rest;
};

export const withoutRefusal = (state: RoutingState): RoutingState => {
  const { refusal: _refusal, ...rest } = state;
  return rest;
};

export const withoutPending = (state: RoutingState): RoutingState => {
  const { pending: _pending, ...rest } = state;
  return rest;
};

// ---------------------------------------------------------------- step 1: the intent

/** The open probe incident about the serving site's stage: the reason traffic moves. */
export const incidentExplaining = (
  incidents: readonly Pick<Incident, 'id' | 'kind' | 'site' | 'stage' | 'status'>[] | undefined,
  serving: Site,
  record: Pick<ManagedRecord, 'stage'>,
): string | undefined =>
  incidents?.find(
    (incident) =>
      incident.kind === 'probe' &&
      incident.site === serving &&
      incident.stage === record.stage &&
      incident.status !== 'resolved',
  )?.id;

export const changeComment = (
  record: Pick<ManagedRecord, 'name'>,
  decision: SwitchDecision,
  actor: Actor,
  incidentId?: string,
  drillId?: string,
): string =>
  [
    `hcguard ${decision.cause} ${record.name} ${decision.from}->${decision.to} by ${actor}`,
    incidentId ? `incident ${incidentId}` : undefined,
    drillId ? `drill ${drillId}` : undefined,
    decision.forced ? 'FORCED' : undefined,
    decision.reason,
  ]
    .filter(Boolean)
    .join('; ');

export const intentFor = (input: {
  readonly record: ManagedRecord;
  readonly stored: RoutingState;
  readonly decision: SwitchDecision;
  readonly ctx: RunContext;
  readonly now: Date;
  readonly leaseSeconds: number;
  readonly openIncidents?: readonly Pick<Incident, 'id' | 'kind' | 'site' | 'stage' | 'status'>[];
}): { readonly write: RoutingWrite; readonly route: RouteChange } => {
  const { record, stored, decision, ctx, now } = input;
  const incidentId =
    ctx.request.kind === 'automatic' ? incidentExplaining(input.openIncidents, stored.activeSite, record) : undefined;
  const leaseUntil = intentLeaseUntil(now, input.leaseSeconds).toISOString();
  const pending: Pending = {
    toSite: decision.to,
    requestedAt: now.toISOString(),
    reason: decision.reason,
    actor: ctx.request.actor,
    leaseUntil,
    ...(incidentId ? { incidentId } : {}),
    ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
    ...(decision.forced ? { forced: true } : {}),
  };
  return {
    write: write({ ...withoutRefusal(stored), pending }, stored),
    route: {
      to: decision.to,
      comment: changeComment(record, decision, ctx.request.actor, incidentId, ctx.drillId),
      notAfter: leaseUntil,
    },
  };
};

// ---------------------------------------------------------------- steps 3 and 4: confirmation

export interface Confirmation {
  readonly write: RoutingWrite;
  readonly audit: AuditEntry;
  readonly switch: SwitchEvent;
  /** Wait for this change to be INSYNC, then record it (`insyncWrite`). */
  readonly awaitChange?: string;
}

export const confirmation = (
  intent: RoutingState,
  decision: SwitchDecision,
  result: RouteResult,
  ctx: RunContext,
  now: Date,
): Confirmation => {
  const pending = intent.pending as Pending;
  const doneAt = now.toISOString();
  const confirmed: RoutingState = {
    ...withoutSwitchDetails(intent),
    activeSite: decision.to,
    since: doneAt,
    lastSwitchedAt: doneAt,
    reason: decision.reason,
    actor: ctx.request.actor,
    ...(pending.incidentId ? { incidentId: pending.incidentId } : {}),
    ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
    ...(result.changeId ? { lastChange: { id: result.changeId, status: result.status, at: doneAt } } : {}),
    ...(decision.forced ? { forced: true } : {}),
    version: intent.version + 1,
  };
  return {
    write: { state: confirmed, expectedVersion: intent.version },
    audit: auditEntry(ctx, now, 'routing.switched', intent.record, {
      from: decision.from,
      to: decision.to,
      cause: decision.cause,
      reason: decision.reason,
      changeId: result.changeId ?? 'none (Route 53 already answered the new site)',
      status: result.status,
      forced: decision.forced,
      ...(decision.forced ? { overridden: decision.overridden.map((refusal) => refusal.detail).join('; ') } : {}),
      ...(pending.incidentId ? { incidentId: pending.incidentId } : {}),
    }),
    switch: lastSwitchOf(confirmed) as SwitchEvent,
    ...(result.changeId && result.status === 'PENDING' ? { awaitChange: result.changeId } : {}),
  };
};

export type Reconfirmation =
  /** A repairer finished this switch already and reported it: once is enough. */
  | { readonly kind: 'done-by-other'; readonly routing: RoutingState }
  /** The item moved on but still holds this run's intent (e.g. a lease release): confirm on top. */
  | { readonly kind: 'retry'; readonly write: RoutingWrite }
  | { readonly kind: 'lost' };

/** The confirmation lost its conditional write: what the item holds now decides what follows. */
export const reconfirm = (
  current: RoutingState | undefined,
  confirmed: RoutingWrite,
  intent: RoutingState,
): Reconfirmation => {
  if (current && !current.pending && current.activeSite === confirmed.state.activeSite) {
    return { kind: 'done-by-other', routing: current };
  }
  const mine =
    current?.pending &&
    current.pending.requestedAt === intent.pending?.requestedAt &&
    current.pending.actor === intent.pending.actor;
  if (current && mine) return { kind: 'retry', write: write(confirmed.state, current) };
  return { kind: 'lost' };
};

/** Route 53 reports the change INSYNC: every authoritative server answers the new value. */
export const insyncWrite = (state: RoutingState, changeId: string, now: Date): RoutingWrite | undefined =>
  state.lastChange?.id === changeId && state.lastChange.status !== 'INSYNC'
    ? write({ ...state, lastChange: { id: changeId, status: 'INSYNC', at: now.toISOString() } }, state)
    : undefined;

// ---------------------------------------------------------------- step 2 failed

export interface RouteFailure {
  readonly write: RoutingWrite;
  readonly audit: AuditEntry;
  readonly failure: ReconcileFailure;
  /** Present when the change is known not applied: the record stays, the incident says why. */
  readonly settled?: { readonly condition: RoutingCondition; readonly refusal: string };
}

/**
 * A change known not applied rolls the intent back at once (and is decided again next round);
 * one with no known outcome gives the lease back, so it is repaired as soon as Route 53 answers
 * either way instead of after the lease.
 */
export const routeFailure = (
  intent: RoutingState,
  decision: SwitchDecision,
  error: { readonly notApplied: boolean; readonly message: string },
  ctx: RunContext,
  now: Date,
): RouteFailure => {
  const pending = intent.pending as Pending;
  const record = intent.record;
  const next = error.notApplied
    ? 'the intent was rolled back'
    : `the intent stays pending until Route 53 answers either site (repaired from ${now.toISOString()})`;
  const message = `the switch of ${record} from ${decision.from} to ${decision.to} failed: ${error.message}; ${next}`;
  const state = error.notApplied
    ? withoutPending(intent)
    : { ...intent, pending: { ...pending, failedAt: now.toISOString(), error: error.message } };
  return {
    write: write(state, intent),
    audit: auditEntry(ctx, now, 'routing.switch-failed', record, {
      from: decision.from,
      to: decision.to,
      reason: decision.reason,
      error: error.message,
      rolledBack: error.notApplied,
    }),
    failure: { record, step: 'switch', message },
    ...(error.notApplied
      ? {
          settled: {
            refusal: message,
            condition: {
              kind: 'cannot-fail-over',
              record,
              title: `cannot fail over: ${record} stays on ${decision.from} — Route 53 did not apply the change`,
              detail: message,
            },
          },
        }
      : {}),
  };
};
