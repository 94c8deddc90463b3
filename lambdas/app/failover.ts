// The failover controller: carries out the routing core's plans (lambdas/core/routing/) through
// the routing store, the router and the audit log. Every rule — what to decide, what to write,
// what a failure means — is the core's; this file reads, writes conditionally, calls Route 53,
// and re-reads when a conditional write loses a race.
import { ChangeNotAppliedError, describeError, VersionConflictError } from '../core/errors.ts';
import type { HcguardConfig } from '../core/config/schema.ts';
import type { AuditEntry } from '../core/model/audit.ts';
import type { ManagedRecord, ReconcileFailure, RoutingLock, RoutingState } from '../core/model/routing.ts';
import type { Actor, Site } from '../core/model/vocabulary.ts';
import type { TargetState } from '../core/model/probing.ts';
import { freshSince, switchLeaseSeconds } from '../core/routing/checks.ts';
import { operatorVerdict, selectRecords, type OperatorRecordResult, type Settled } from '../core/routing/operator.ts';
import { needsReading, planPass, type PassPlan } from '../core/routing/plan.ts';
import type { FailoverRequest, SwitchDecision } from '../core/routing/policy.ts';
import {
  confirmation,
  insyncWrite,
  reconfirm,
  routeFailure,
  type RoutingWrite,
  type RunContext,
} from '../core/routing/protocol.ts';
import type { AuditLog, Clock, FailoverController, ReconcileInput, Router, RoutingStore } from '../ports.ts';
import { createRoutingLock, type RoutingLockCommands } from './routing-lock.ts';

export interface FailoverDeps {
  readonly config: Pick<HcguardConfig, 'failover' | 'schedule'>;
  readonly records: readonly ManagedRecord[];
  readonly routingStore: RoutingStore;
  readonly router: Router;
  readonly auditLog: AuditLog;
  readonly clock: Clock;
}

export interface ManualSwitchInput {
  /** Target states as last evaluated (StateStore.loadTargets): pre-flight reads them. */
  readonly targets: readonly TargetState[];
  readonly actor: Actor;
  /** Only this record; every managed record when absent. */
  readonly record?: string;
  readonly signal?: AbortSignal;
}

export interface FailoverService extends FailoverController, RoutingLockCommands {
  /** `hcguard failover --to <site> --reason … [--force]`. */
  failover(
    input: ManualSwitchInput & { readonly to: Site; readonly reason: string; readonly force: boolean },
  ): Promise<OperatorRecordResult[]>;
  /** `hcguard failback`: the operator's approval to return to the primary. */
  failback(input: ManualSwitchInput): Promise<OperatorRecordResult[]>;
}

/** How often one record is decided again after a write in a run (a race lost, a repair) before giving up. */
const MAX_PASSES = 5;
/** Writes made on the way out after a failed call: the caller's deadline may already have passed. */
const FINAL_WRITE_MS = 2_000;

interface Run extends RunContext {
  readonly targets: readonly TargetState[];
  readonly freshSince: Date;
  readonly lock?: RoutingLock;
  readonly signal?: AbortSignal;
  readonly openIncidents?: ReconcileInput['openIncidents'];
}

interface Progress {
  switches: Settled['switches'][number][];
  failures: ReconcileFailure[];
}

export const createFailoverController = (deps: FailoverDeps): FailoverService => {
  const { config, routingStore, router, auditLog, clock } = deps;
  const leaseSeconds = switchLeaseSeconds(config.failover);

  const audit = async (entries: readonly AuditEntry[], progress: Progress, signal?: AbortSignal) => {
    for (const entry of entries) {
      try {
        await auditLog.append(entry, signal);
      } catch (error) {
        const message = `audit entry ${entry.action} not written: ${describeError(error)}`;
        progress.failures.push({ record: entry.subject, step: 'audit', message });
      }
    }
  };

  const put = (change: RoutingWrite, signal?: AbortSignal) =>
    routingStore.put(change.state, change.expectedVersion, signal);

  /** Confirms the switch; a lost race is the core's to judge (finished by a repairer, or still ours). */
  const confirm = async (change: RoutingWrite, intent: RoutingState, signal?: AbortSignal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await put(change, signal);
        return { routing: change.state, byThisRun: true };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt > 1) throw error;
        const next = reconfirm(await routingStore.get(intent.record, signal), change, intent);
        if (next.kind === 'lost') throw error;
        if (next.kind === 'done-by-other') return { routing: next.routing, byThisRun: false };
        change = next.write;
      }
    }
  };

  /** Steps 2 to 4 after the intent is stored; `undefined` when the core asks to decide again. */
  const carryOutSwitch = async (
    record: ManagedRecord,
    plan: Extract<PassPlan, { kind: 'switch' }>,
    run: Run,
    progress: Progress,
  ): Promise<Settled | undefined> => {
    const intent = plan.write.state;
    const decision: SwitchDecision = plan.decision;
    let result;
    try {
      const options = { comment: plan.route.comment, notAfter: new Date(plan.route.notAfter) };
      result = await router.route(record, plan.route.to, { ...options, ...(run.signal ? { signal: run.signal } : {}) });
    } catch (error) {
      const failed = routeFailure(
        intent,
        decision,
        { notApplied: error instanceof ChangeNotAppliedError, message: describeError(error) },
        run,
        clock.now(),
      );
      const signal = AbortSignal.timeout(FINAL_WRITE_MS);
      await put(failed.write, signal);
      await audit([failed.audit], progress, signal);
      progress.failures.push(failed.failure);
      if (!failed.settled) return undefined;
      return { ...progress, routing: failed.write.state, decision, ...failed.settled };
    }
    const confirmed = confirmation(intent, decision, result, run, clock.now());
    const stored = await confirm(confirmed.write, intent, run.signal);
    if (!stored.byThisRun) return { ...progress, routing: stored.routing, decision };
    await audit([confirmed.audit], progress, run.signal);
    progress.switches.push(confirmed.switch);
    let routing = stored.routing;
    if (confirmed.awaitChange) {
      const timeoutMs = config.failover.insyncTimeoutSeconds * 1000;
      const status = await router.awaitChange(confirmed.awaitChange, {
        timeoutMs,
        ...(run.signal ? { signal: run.signal } : {}),
      });
      const insync = status === 'INSYNC' ? insyncWrite(routing, confirmed.awaitChange, clock.now()) : undefined;
      routing = insync
        ? await put(insync, run.signal).then(
            () => insync.state,
            () => routing,
          )
        : routing;
    }
    return { ...progress, routing, decision };
  };

  /** Decides and acts for one record until its plan settles (or conflicts repeat too often). */
  const settle = async (record: ManagedRecord, run: Run): Promise<Settled> => {
    const progress: Progress = { switches: [], failures: [] };
    let known: RoutingState | undefined;
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      let step: ReconcileFailure['step'] = 'read';
      try {
        const stored = known ?? (await routingStore.get(record.name, run.signal));
        known = undefined;
        const reading = needsReading(stored) ? await router.read(record, run.signal) : undefined;
        const plan = planPass({
          record,
          ...(stored ? { stored } : {}),
          ...(reading ? { reading } : {}),
          ctx: run,
          policy: config.failover,
          targets: run.targets,
          ...(run.lock ? { lock: run.lock } : {}),
          now: clock.now(),
          freshSince: run.freshSince,
          leaseSeconds,
          ...(run.openIncidents ? { openIncidents: run.openIncidents } : {}),
        });
        step = 'switch';
        if (plan.kind === 'switch') {
          await put(plan.write, run.signal);
          const settled = await carryOutSwitch(record, plan, run, progress);
          if (settled) return settled;
          continue;
        }
        if (plan.write) await put(plan.write, run.signal);
        await audit(plan.audit, progress, run.signal);
        if (plan.kind === 'settle') return { ...progress, ...plan };
        if (plan.switch) progress.switches.push(plan.switch);
        known = plan.write.state;
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        progress.failures.push({ record: record.name, step, message: describeError(error) });
        return progress;
      }
    }
    const message =
      `routing state of ${record.name} kept changing during ${MAX_PASSES} attempts; ` + `the next run decides again`;
    progress.failures.push({ record: record.name, step: 'read', message });
    return progress;
  };

  const operate = async (
    request: Exclude<FailoverRequest, { kind: 'automatic' }>,
    input: ManualSwitchInput,
  ): Promise<OperatorRecordResult[]> => {
    const records = selectRecords(deps.records, input.record);
    if (typeof records === 'string')
      return [{ record: input.record ?? '', result: 'refused', message: records, switches: [] }];
    const now = clock.now();
    const lock = await routingStore.getLock(input.signal);
    const run: Run = {
      request,
      freshSince: freshSince({ now, intervalSeconds: config.schedule.intervalSeconds }),
      targets: input.targets,
      ...(lock ? { lock } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    };
    const results: OperatorRecordResult[] = [];
    for (const record of records) results.push(operatorVerdict(record.name, await settle(record, run)));
    return results;
  };

  return {
    async reconcile(input) {
      let lock: RoutingLock | undefined;
      try {
        lock = await routingStore.getLock(input.signal);
      } catch (error) {
        const message = `routing lock unreadable, nothing decided: ${describeError(error)}`;
        const failures = deps.records.map((record) => ({ record: record.name, step: 'read' as const, message }));
        return { routing: [], conditions: [], switches: [], failures };
      }
      const run: Run = {
        request: { kind: 'automatic', actor: 'controller' },
        freshSince: freshSince({
          now: input.now,
          intervalSeconds: config.schedule.intervalSeconds,
          ...(input.roundStartedAt ? { roundStartedAt: input.roundStartedAt } : {}),
        }),
        targets: input.targets,
        ...(lock ? { lock } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.drillId ? { drillId: input.drillId } : {}),
        ...(input.openIncidents ? { openIncidents: input.openIncidents } : {}),
      };
      // One record at a time: Route 53 takes one change per zone at a time anyway.
      const settled: Settled[] = [];
      for (const record of deps.records) settled.push(await settle(record, run));
      return {
        routing: settled.flatMap((entry) => (entry.routing ? [entry.routing] : [])),
        conditions: settled.flatMap((entry) => (entry.condition ? [entry.condition] : [])),
        switches: settled.flatMap((entry) => entry.switches),
        failures: settled.flatMap((entry) => entry.failures),
      };
    },

    failover: (input) =>
      operate({ kind: 'failover', to: input.to, reason: input.reason, force: input.force, actor: input.actor }, input),

    failback: (input) => operate({ kind: 'failback', actor: input.actor }, input),
    ...createRoutingLock({ routingStore, auditLog, clock }),
  };
};
