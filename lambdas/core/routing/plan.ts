// One pass of the controller over one record, as data: from the routing item as read (and
// Route 53's answer when the item is missing or has an intent pending), the policy's decision
// turned into what must happen — settle (with at most one write), write and decide again, or
// start a switch. lambdas/app/failover.ts runs passes until one settles.
import type { HcguardConfig } from '../config/schema.ts';
import type { AuditEntry } from '../model/audit.ts';
import type { Incident } from '../model/incidents.ts';
import type { TargetState } from '../model/probing.ts';
import type {
  ManagedRecord,
  RecordReading,
  RoutingCondition,
  RoutingLock,
  RoutingState,
  SwitchEvent,
} from '../model/routing.ts';
import { decideFailover, type FailoverDecision, type SwitchDecision } from './policy.ts';
import { initialRouting, refusalAudit, refusalSync } from './bookkeeping.ts';
import { intentFor, type RouteChange, type RoutingWrite, type RunContext } from './protocol.ts';
import { repairStep } from './pending.ts';

export interface PassInput {
  readonly record: ManagedRecord;
  /** The routing item; undefined for a record never seen. */
  readonly stored?: RoutingState;
  /** Route 53's answer, read when `needsReading(stored)`. */
  readonly reading?: RecordReading;
  readonly ctx: RunContext;
  readonly policy: HcguardConfig['failover'];
  readonly targets: readonly TargetState[];
  readonly lock?: RoutingLock;
  readonly now: Date;
  readonly freshSince: Date;
  readonly leaseSeconds: number;
  readonly openIncidents?: readonly Pick<Incident, 'id' | 'kind' | 'site' | 'stage' | 'status'>[];
}

export type PassPlan =
  | {
      readonly kind: 'settle';
      /** Where the record points after this pass; absent when hcguard cannot tell. */
      readonly routing?: RoutingState;
      readonly write?: RoutingWrite;
      readonly audit: readonly AuditEntry[];
      readonly condition?: RoutingCondition;
      /** For operator requests: why nothing was switched. */
      readonly refusal?: string;
      readonly decision?: FailoverDecision;
    }
  /** Write, then decide again on the written item (an initialization, a repair). */
  | {
      readonly kind: 'continue';
      readonly write: RoutingWrite;
      readonly audit: readonly AuditEntry[];
      readonly switch?: SwitchEvent;
    }
  /** Write the intent, then submit the Route 53 change. */
  | {
      readonly kind: 'switch';
      readonly write: RoutingWrite;
      readonly route: RouteChange;
      readonly decision: SwitchDecision;
    };

/** Route 53 must be read for a record never seen, and to repair an intent left pending. */
export const needsReading = (stored: RoutingState | undefined): boolean =>
  stored === undefined || stored.pending !== undefined;

const actualOf = (reading: RecordReading | undefined) =>
  reading === undefined ? undefined : (reading.site ?? (reading.exists ? 'neither' : 'missing'));

export const planPass = (input: PassInput): PassPlan => {
  const { record, stored, ctx, now } = input;
  const automatic = ctx.request.kind === 'automatic';
  if (!stored) {
    const init = initialRouting(record, input.reading as RecordReading, ctx, now);
    if (init.kind === 'initialized') return { kind: 'continue', write: init.write, audit: [init.audit] };
    return automatic
      ? { kind: 'settle', audit: [], condition: init.condition }
      : { kind: 'settle', audit: [], refusal: init.refusal };
  }
  const actual = actualOf(input.reading);
  const decision = decideFailover({
    record,
    routing: stored,
    targets: input.targets,
    policy: input.policy,
    now,
    freshSince: input.freshSince,
    request: ctx.request,
    ...(input.lock ? { lock: input.lock } : {}),
    ...(actual ? { actual } : {}),
  });
  switch (decision.kind) {
    case 'nothing':
    case 'refuse': {
      if (decision.kind === 'refuse' && !automatic) {
        return {
          kind: 'settle',
          routing: stored,
          audit: [refusalAudit(record.name, decision, ctx, now)],
          refusal: decision.message,
          decision,
        };
      }
      const sync = refusalSync(stored, decision, ctx, now);
      return {
        kind: 'settle',
        routing: sync.write?.state ?? stored,
        ...(sync.write ? { write: sync.write } : {}),
        audit: sync.audit,
        ...(decision.condition ? { condition: decision.condition } : {}),
        decision,
      };
    }
    case 'repair': {
      const repair = repairStep(stored, decision, ctx, now);
      return {
        kind: 'continue',
        write: repair.write,
        audit: [repair.audit],
        ...(repair.switch ? { switch: repair.switch } : {}),
      };
    }
    case 'switch': {
      const intent = intentFor({
        record,
        stored,
        decision,
        ctx,
        now,
        leaseSeconds: input.leaseSeconds,
        ...(input.openIncidents ? { openIncidents: input.openIncidents } : {}),
      });
      return { kind: 'switch', write: intent.write, route: intent.route, decision };
    }
  }
};
