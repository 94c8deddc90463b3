// The failover controller: carries out the core policy's decisions (lambdas/core/failover.ts)
// through the routing store and the router, exactly once.
//
// Protocol per switch: (1) a conditional write records the intent (`pending`, version + 1);
// (2) the Route 53 change; (3) a conditional write confirms it (pending cleared, change id).
// Racing runs lose step 1 and re-read: they see the pending intent and leave it to its owner.
// The owner may submit the change only within the intent's lease; after the lease (plus a
// grace) any run repairs a leftover intent by comparing it with the record's actual value:
// Route 53 has the new value → finish; it has the old one → roll back and decide again.
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../core/errors.ts';
import {
  decideFailover,
  freshSince,
  intentLeaseUntil,
  type FailoverDecision,
  type FailoverRequest,
} from '../core/failover.ts';
import type { ActualRouting } from '../core/model/routing.ts';
import type { HcguardConfig } from '../core/config.ts';
import type { Actor, Site } from '../core/model/vocabulary.ts';
import type { AuditEntry } from '../core/model/audit.ts';
import type { Incident } from '../core/model/incidents.ts';
import type { RoutingLock, RoutingState } from '../core/model/routing.ts';
import type { TargetState } from '../core/model/probing.ts';
import type { AuditLog, Clock, FailoverController, ReconcileInput, Router, RoutingStore } from '../ports.ts';
import type {
  FailoverOutcome,
  ManagedRecord,
  ReconcileFailure,
  RecordReading,
  RoutingCondition,
  SwitchEvent,
} from '../core/model/routing.ts';

export interface FailoverDeps {
  readonly config: Pick<HcguardConfig, 'failover' | 'schedule'>;
  readonly records: readonly ManagedRecord[];
  readonly routingStore: RoutingStore;
  readonly router: Router;
  readonly auditLog: AuditLog;
  readonly clock: Clock;
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

export interface ManualSwitchInput {
  /** Target states as last evaluated (StateStore.loadTargets): pre-flight reads them. */
  readonly targets: readonly TargetState[];
  readonly actor: Actor;
  /** Only this record; every managed record when absent. */
  readonly record?: string;
  readonly signal?: AbortSignal;
}

export type LockResult =
  | { readonly ok: true; readonly message: string; readonly lock: RoutingLock }
  | { readonly ok: false; readonly message: string; readonly lock?: RoutingLock };

export interface FailoverService extends FailoverController {
  /** `hcguard failover --to <site> --reason … [--force]`. */
  failover(
    input: ManualSwitchInput & { readonly to: Site; readonly reason: string; readonly force: boolean },
  ): Promise<OperatorRecordResult[]>;
  /** `hcguard failback`: the operator's approval to return to the primary. */
  failback(input: ManualSwitchInput): Promise<OperatorRecordResult[]>;
  lock(input: { readonly reason: string; readonly actor: Actor; readonly signal?: AbortSignal }): Promise<LockResult>;
  unlock(input: { readonly actor: Actor; readonly signal?: AbortSignal }): Promise<LockResult>;
}

/** How often one record is re-read after losing a conditional write before giving up this run. */
const MAX_PASSES = 5;

interface RunContext {
  readonly request: FailoverRequest;
  readonly now: Date;
  readonly freshSince: Date;
  readonly targets: readonly TargetState[];
  readonly lock?: RoutingLock;
  readonly signal?: AbortSignal;
  readonly drillId?: string;
  readonly openIncidents?: ReconcileInput['openIncidents'];
}

interface Settled {
  readonly routing?: RoutingState;
  readonly decision?: FailoverDecision;
  readonly switches: SwitchEvent[];
  readonly condition?: RoutingCondition;
  /** For operator requests: why nothing was switched. */
  readonly refusal?: string;
  readonly failures: ReconcileFailure[];
}

export const createFailoverController = (deps: FailoverDeps): FailoverService => {
  const { config, routingStore, router, auditLog, clock } = deps;
  const insyncTimeoutMs = config.failover.insyncTimeoutSeconds * 1000;

  const audit = async (entry: AuditEntry, failures: ReconcileFailure[], signal?: AbortSignal): Promise<void> => {
    try {
      await auditLog.append(entry, signal);
    } catch (error) {
      failures.push({
        record: entry.subject,
        step: 'audit',
        message: `audit entry ${entry.action} not written: ${errorMessage(error)}`,
      });
    }
  };

  const auditEntry = (ctx: RunContext, action: string, subject: string, detail: AuditEntry['detail']): AuditEntry => ({
    at: clock.now().toISOString(),
    actor: ctx.request.actor,
    action,
    subject,
    ...(detail ? { detail } : {}),
    ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
  });

  /** Creates the routing item of a record seen for the first time, from Route 53's answer. */
  const initialize = async (
    record: ManagedRecord,
    ctx: RunContext,
    settled: Settled,
  ): Promise<RoutingState | RecordReading> => {
    const reading = await router.read(record, ctx.signal);
    if (!reading.site) return reading;
    const now = clock.now().toISOString();
    const state: RoutingState = {
      record: record.name,
      activeSite: reading.site,
      since: now,
      reason: `initialized from Route 53 (${reading.description})`,
      actor: ctx.request.actor,
      version: 1,
    };
    await routingStore.put(state, 0, ctx.signal);
    await audit(
      auditEntry(ctx, 'routing.initialized', record.name, { activeSite: reading.site, value: reading.description }),
      settled.failures,
      ctx.signal,
    );
    return state;
  };

  /** Keeps the routing item's `refusal` in step with the decision; audits each new refusal once. */
  const syncRefusal = async (
    routing: RoutingState,
    decision: FailoverDecision,
    ctx: RunContext,
    settled: Settled,
  ): Promise<RoutingState> => {
    // Never touch an item whose intent is in flight: its owner confirms against that version.
    if (routing.pending) return routing;
    const wanted =
      decision.kind === 'refuse'
        ? { toSite: decision.to, codes: decision.refusals.map((refusal) => refusal.code) }
        : undefined;
    const current = routing.refusal;
    const same =
      wanted && current
        ? wanted.toSite === current.toSite && wanted.codes.join() === current.codes.join()
        : wanted === current;
    if (same) return routing;
    const { refusal: _previous, ...rest } = routing;
    const next: RoutingState = {
      ...rest,
      ...(wanted && decision.kind === 'refuse'
        ? { refusal: { ...wanted, message: decision.message, since: clock.now().toISOString() } }
        : {}),
      version: routing.version + 1,
    };
    await routingStore.put(next, routing.version, ctx.signal);
    if (decision.kind === 'refuse') {
      await audit(
        auditEntry(ctx, 'routing.switch-refused', routing.record, {
          from: decision.from,
          to: decision.to,
          codes: wanted?.codes.join(',') ?? '',
          message: decision.message,
        }),
        settled.failures,
        ctx.signal,
      );
    }
    return next;
  };

  const repair = async (
    routing: RoutingState,
    decision: Extract<FailoverDecision, { kind: 'repair' }>,
    ctx: RunContext,
    settled: Settled,
  ): Promise<RoutingState> => {
    const pending = routing.pending!;
    const { pending: _pending, refusal: _refusal, ...rest } = routing;
    const next: RoutingState =
      decision.outcome === 'rollback'
        ? { ...rest, version: routing.version + 1 }
        : {
            ...withoutSwitchDetails(rest),
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
            version: routing.version + 1,
          };
    await routingStore.put(next, routing.version, ctx.signal);
    await audit(
      auditEntry(ctx, 'routing.repaired', routing.record, {
        outcome: decision.outcome === 'finish' ? 'finished' : 'rolled-back',
        from: decision.from,
        to: decision.to,
        intentBy: pending.actor,
        intentAt: pending.requestedAt,
        note: decision.note,
      }),
      settled.failures,
      ctx.signal,
    );
    if (decision.outcome === 'finish') {
      settled.switches.push({
        record: routing.record,
        from: decision.from,
        to: decision.to,
        at: pending.requestedAt,
        actor: pending.actor,
        reason: pending.reason,
        repaired: true,
        ...(pending.changeId ? { changeId: pending.changeId } : {}),
        ...(pending.drillId ? { drillId: pending.drillId } : {}),
        ...(pending.incidentId ? { incidentId: pending.incidentId } : {}),
      });
    }
    return next;
  };

  const switchRecord = async (
    record: ManagedRecord,
    routing: RoutingState,
    decision: Extract<FailoverDecision, { kind: 'switch' }>,
    ctx: RunContext,
    settled: Settled,
  ): Promise<Settled> => {
    const { request, signal } = ctx;
    const requestedAt = clock.now();
    const incidentId =
      request.kind === 'automatic' ? incidentFor(ctx.openIncidents, routing.activeSite, record) : undefined;
    const pending: NonNullable<RoutingState['pending']> = {
      toSite: decision.to,
      requestedAt: requestedAt.toISOString(),
      reason: decision.reason,
      actor: request.actor,
      leaseUntil: intentLeaseUntil(requestedAt, config.failover.insyncTimeoutSeconds).toISOString(),
      ...(incidentId ? { incidentId } : {}),
      ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
      ...(decision.forced ? { forced: true } : {}),
    };
    const { refusal: _refusal, ...rest } = routing;
    const intent: RoutingState = { ...rest, pending, version: routing.version + 1 };
    // Step 1: only one run can move version N to N + 1; the others re-read and see the intent.
    await routingStore.put(intent, routing.version, signal);

    // Step 2, bounded by the lease: after it, another run may repair the intent, so this run
    // must not submit a change any more.
    const leaseMs = Math.max(0, Date.parse(pending.leaseUntil!) - clock.now().getTime());
    const leaseSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(leaseMs)]) : AbortSignal.timeout(leaseMs);
    const comment = changeComment(record, decision, request.actor, incidentId, ctx.drillId);
    let result;
    try {
      result = await router.route(record, decision.to, { comment, signal: leaseSignal, insyncTimeoutMs });
    } catch (error) {
      return switchFailed(record, intent, decision, error, ctx, settled);
    }

    // Step 3: confirm.
    const doneAt = clock.now().toISOString();
    const confirmed: RoutingState = {
      ...withoutSwitchDetails(rest),
      activeSite: decision.to,
      since: doneAt,
      lastSwitchedAt: doneAt,
      reason: decision.reason,
      actor: request.actor,
      ...(incidentId ? { incidentId } : {}),
      ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
      ...(result.changeId ? { lastChange: { id: result.changeId, status: result.status, at: doneAt } } : {}),
      version: intent.version + 1,
    };
    const { state: stored, byThisRun } = await confirm(confirmed, intent, ctx);
    // A repairer that finished this switch already reported it (routing.repaired): once is enough.
    if (!byThisRun) return { ...settled, routing: stored, decision };
    await audit(
      auditEntry(ctx, 'routing.switched', record.name, {
        from: decision.from,
        to: decision.to,
        cause: decision.cause,
        reason: decision.reason,
        changeId: result.changeId ?? 'none (Route 53 already answered the new site)',
        status: result.status,
        forced: decision.forced,
        ...(decision.forced ? { overridden: decision.overridden.map((refusal) => refusal.detail).join('; ') } : {}),
        ...(incidentId ? { incidentId } : {}),
      }),
      settled.failures,
      signal,
    );
    settled.switches.push({
      record: record.name,
      from: decision.from,
      to: decision.to,
      at: doneAt,
      actor: request.actor,
      reason: decision.reason,
      ...(result.changeId ? { changeId: result.changeId } : {}),
      ...(ctx.drillId ? { drillId: ctx.drillId } : {}),
      ...(incidentId ? { incidentId } : {}),
      ...(decision.forced ? { forced: true } : {}),
    });
    return { ...settled, routing: stored, decision };
  };

  /** Confirms the switch; tolerates a repairer that already finished it or an item rewritten meanwhile. */
  const confirm = async (
    confirmed: RoutingState,
    intent: RoutingState,
    ctx: RunContext,
  ): Promise<{ state: RoutingState; byThisRun: boolean }> => {
    try {
      await routingStore.put(confirmed, intent.version, ctx.signal);
      return { state: confirmed, byThisRun: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const current = await routingStore.get(intent.record, ctx.signal);
      if (current && !current.pending && current.activeSite === confirmed.activeSite)
        return { state: current, byThisRun: false };
      if (
        current?.pending &&
        current.pending.requestedAt === intent.pending?.requestedAt &&
        current.pending.actor === intent.pending.actor
      ) {
        const again = { ...confirmed, version: current.version + 1 };
        await routingStore.put(again, current.version, ctx.signal);
        return { state: again, byThisRun: true };
      }
      throw error;
    }
  };

  const switchFailed = async (
    record: ManagedRecord,
    intent: RoutingState,
    decision: Extract<FailoverDecision, { kind: 'switch' }>,
    error: unknown,
    ctx: RunContext,
    settled: Settled,
  ): Promise<Settled> => {
    const why = errorMessage(error);
    // Route 53 answered every attempt with a refusal, so no change was applied: undo the intent
    // now. Otherwise (timeout, abort, network) the change may still apply: leave the intent for
    // the repair after its lease.
    const rejected = isRejectedByRoute53(error);
    let routing = intent;
    if (rejected) {
      const { pending: _pending, ...rest } = intent;
      routing = { ...rest, version: intent.version + 1 };
      await routingStore.put(routing, intent.version, ctx.signal);
    }
    const next = rejected
      ? 'the intent was rolled back'
      : `the intent stays pending and is repaired after ${intent.pending?.leaseUntil}`;
    await audit(
      auditEntry(ctx, 'routing.switch-failed', record.name, {
        from: decision.from,
        to: decision.to,
        reason: decision.reason,
        error: why,
        rolledBack: rejected,
      }),
      settled.failures,
      ctx.signal,
    );
    const message = `the switch of ${record.name} from ${decision.from} to ${decision.to} failed: ${why}; ${next}`;
    settled.failures.push({ record: record.name, step: 'switch', message });
    return {
      ...settled,
      routing,
      decision,
      refusal: message,
      condition: {
        kind: 'cannot-fail-over',
        record: record.name,
        title: `cannot fail over: ${record.name} stays on ${decision.from} — the Route 53 change failed`,
        detail: message,
      },
    };
  };

  /** Decides and acts for one record until its state settles (or a conflict repeats too often). */
  const settle = async (record: ManagedRecord, ctx: RunContext): Promise<Settled> => {
    const settled: Settled = { switches: [], failures: [] };
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      let step: ReconcileFailure['step'] = 'read';
      try {
        const stored = (await routingStore.get(record.name, ctx.signal)) ?? (await initialize(record, ctx, settled));
        if (!('activeSite' in stored)) return unrecognised(record, stored, ctx, settled);
        const actual: ActualRouting | undefined = stored.pending
          ? actualOf(await router.read(record, ctx.signal))
          : undefined;
        const decision = decideFailover({
          record,
          routing: stored,
          targets: ctx.targets,
          policy: config.failover,
          now: ctx.now,
          freshSince: ctx.freshSince,
          request: ctx.request,
          ...(ctx.lock ? { lock: ctx.lock } : {}),
          ...(actual ? { actual } : {}),
        });
        step = 'switch';
        switch (decision.kind) {
          case 'nothing':
            return { ...settled, routing: await syncRefusal(stored, decision, ctx, settled), decision };
          case 'refuse':
            if (ctx.request.kind === 'automatic') {
              return {
                ...settled,
                routing: await syncRefusal(stored, decision, ctx, settled),
                decision,
                ...(decision.condition ? { condition: decision.condition } : {}),
              };
            }
            await audit(
              auditEntry(ctx, 'routing.switch-refused', record.name, {
                from: decision.from,
                to: decision.to,
                codes: decision.refusals.map((refusal) => refusal.code).join(','),
                message: decision.message,
              }),
              settled.failures,
              ctx.signal,
            );
            return { ...settled, routing: stored, decision, refusal: decision.message };
          case 'repair':
            await repair(stored, decision, ctx, settled);
            continue;
          case 'switch':
            return await switchRecord(record, stored, decision, ctx, settled);
        }
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        settled.failures.push({ record: record.name, step, message: errorMessage(error) });
        return settled;
      }
    }
    settled.failures.push({
      record: record.name,
      step: 'read',
      message: `routing state of ${record.name} kept changing during ${MAX_PASSES} attempts; the next run decides again`,
    });
    return settled;
  };

  const unrecognised = async (
    record: ManagedRecord,
    reading: RecordReading,
    ctx: RunContext,
    settled: Settled,
  ): Promise<Settled> => {
    const what = reading.exists
      ? `holds neither site's value (${reading.description})`
      : 'does not exist in its hosted zone';
    const message = `${record.name} ${what}: hcguard cannot tell which site serves it; set it to the primary or backup value from the config`;
    if (ctx.request.kind !== 'automatic') return { ...settled, refusal: message };
    return {
      ...settled,
      condition: {
        kind: 'cannot-fail-over',
        record: record.name,
        title: `cannot fail over: ${record.name} ${what}`,
        detail: message,
      },
    };
  };

  const selectRecords = (name: string | undefined): ManagedRecord[] | string => {
    if (name === undefined) return [...deps.records];
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const found = deps.records.filter((record) => record.name === wanted);
    return found.length > 0
      ? found
      : `${name} is not a managed record (managed: ${deps.records.map((record) => record.name).join(', ')})`;
  };

  const operate = async (
    request: Exclude<FailoverRequest, { kind: 'automatic' }>,
    input: ManualSwitchInput,
  ): Promise<OperatorRecordResult[]> => {
    const records = selectRecords(input.record);
    if (typeof records === 'string')
      return [{ record: input.record ?? '', result: 'refused', message: records, switches: [] }];
    const now = clock.now();
    const lock = await routingStore.getLock(input.signal);
    const ctx: RunContext = {
      request,
      now,
      freshSince: freshSince({ now, intervalSeconds: config.schedule.intervalSeconds }),
      targets: input.targets,
      ...(lock ? { lock } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    };
    const results: OperatorRecordResult[] = [];
    for (const record of records) {
      const settled = await settle(record, ctx);
      const mine = settled.switches.find((event) => !event.repaired);
      const activeSite = settled.routing?.activeSite;
      const base = { record: record.name, switches: settled.switches, ...(activeSite ? { activeSite } : {}) };
      const hardFailure = settled.failures.find((failure) => failure.step !== 'audit');
      if (mine) {
        const forced =
          mine.forced && settled.decision?.kind === 'switch'
            ? `; FORCED over: ${settled.decision.overridden.map((refusal) => refusal.detail).join('; ')}`
            : '';
        results.push({
          ...base,
          result: 'switched',
          message: `${record.name} from ${mine.from} to ${mine.to}${mine.changeId ? ` (Route 53 change ${mine.changeId}, ${settled.routing?.lastChange?.status ?? 'PENDING'})` : ' (Route 53 already answered it)'}${forced}`,
        });
      } else if (hardFailure) {
        results.push({ ...base, result: 'failed', message: hardFailure.message });
      } else {
        results.push({ ...base, result: 'refused', message: settled.refusal ?? `${record.name}: nothing to do` });
      }
    }
    return results;
  };

  return {
    async reconcile(input: ReconcileInput): Promise<FailoverOutcome> {
      let lock: RoutingLock | undefined;
      try {
        lock = await routingStore.getLock(input.signal);
      } catch (error) {
        const message = `routing lock unreadable, nothing decided: ${errorMessage(error)}`;
        return {
          routing: [],
          conditions: [],
          switches: [],
          failures: deps.records.map((record) => ({ record: record.name, step: 'read' as const, message })),
        };
      }
      const ctx: RunContext = {
        request: { kind: 'automatic', actor: 'controller' },
        now: input.now,
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
      const routing: RoutingState[] = [];
      const conditions: RoutingCondition[] = [];
      const switches: SwitchEvent[] = [];
      const failures: ReconcileFailure[] = [];
      // One record at a time: Route 53 takes one change per zone at a time anyway.
      for (const record of deps.records) {
        const settled = await settle(record, ctx);
        if (settled.routing) routing.push(settled.routing);
        if (settled.condition) conditions.push(settled.condition);
        switches.push(...settled.switches);
        failures.push(...settled.failures);
      }
      return { routing, conditions, switches, failures };
    },

    failover: (input) =>
      operate({ kind: 'failover', to: input.to, reason: input.reason, force: input.force, actor: input.actor }, input),

    failback: (input) => operate({ kind: 'failback', actor: input.actor }, input),

    async lock(input) {
      const lock: RoutingLock = { reason: input.reason, actor: input.actor, at: clock.now().toISOString() };
      try {
        await routingStore.setLock(lock, input.signal);
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        const existing = await routingStore.getLock(input.signal);
        return {
          ok: false,
          message: existing
            ? `routing is already locked by ${existing.actor} since ${existing.at}: ${existing.reason}`
            : 'routing was locked and unlocked meanwhile: try again',
          ...(existing ? { lock: existing } : {}),
        };
      }
      const failures: ReconcileFailure[] = [];
      await audit(
        {
          at: lock.at,
          actor: input.actor,
          action: 'routing.locked',
          subject: 'routing',
          detail: { reason: input.reason },
        },
        failures,
        input.signal,
      );
      return {
        ok: true,
        message: withAuditWarning(
          `routing locked by ${input.actor}: automatic switching is frozen until \`hcguard unlock\``,
          failures,
        ),
        lock,
      };
    },

    async unlock(input) {
      let lock: RoutingLock;
      try {
        lock = await routingStore.clearLock(input.signal);
      } catch (error) {
        if (error instanceof NotFoundError) return { ok: false, message: 'routing is not locked' };
        throw error;
      }
      const failures: ReconcileFailure[] = [];
      await audit(
        {
          at: clock.now().toISOString(),
          actor: input.actor,
          action: 'routing.unlocked',
          subject: 'routing',
          detail: { lockedBy: lock.actor, lockedAt: lock.at, reason: lock.reason },
        },
        failures,
        input.signal,
      );
      return {
        ok: true,
        message: withAuditWarning(
          `routing unlocked (it was locked by ${lock.actor} since ${lock.at}: ${lock.reason}); automatic switching resumes`,
          failures,
        ),
        lock,
      };
    },
  };
};

const withAuditWarning = (message: string, failures: readonly ReconcileFailure[]): string =>
  failures.length === 0 ? message : `${message} (warning: ${failures.map((failure) => failure.message).join('; ')})`;

const withoutSwitchDetails = (
  state: Omit<RoutingState, 'pending' | 'refusal'>,
): Omit<RoutingState, 'pending' | 'refusal' | 'incidentId' | 'drillId' | 'lastChange'> => {
  const { incidentId: _incident, drillId: _drill, lastChange: _change, ...rest } = state;
  return rest;
};

const actualOf = (reading: RecordReading): ActualRouting => reading.site ?? (reading.exists ? 'neither' : 'missing');

/** The open probe incident about the serving site's stage: the reason traffic moves. */
const incidentFor = (
  incidents: ReconcileInput['openIncidents'],
  serving: Site,
  record: ManagedRecord,
): string | undefined =>
  incidents?.find(
    (incident: Pick<Incident, 'id' | 'kind' | 'site' | 'stage' | 'status'>) =>
      incident.kind === 'probe' &&
      incident.site === serving &&
      incident.stage === record.stage &&
      incident.status !== 'resolved',
  )?.id;

const changeComment = (
  record: ManagedRecord,
  decision: Extract<FailoverDecision, { kind: 'switch' }>,
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

/** A 4xx answer from Route 53: the request was refused, not applied (unlike a timeout or abort). */
const isRejectedByRoute53 = (error: unknown): boolean => {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
};

const errorMessage = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
