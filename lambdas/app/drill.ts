// The drill runner: observes the world, lets the core's phase machine decide
// (lambdas/core/drill/machine.ts), carries out its actions through the ports, and stores the drill
// after every tick. Everything it knows is in the stored drill, so any process can continue it:
// the CLI after Ctrl-C or a crash, the next Lambda invocation after a deadline.
//
// - One process advances a drill at a time: it holds a lease on the drill item, renewed as it
//   saves; another process that finds a live lease watches instead (`busy`). An operator's abort
//   is only a request on the item, which the lease holder merges and acts on.
// - `advance` runs until the drill finishes or the deadline comes; a paused drill keeps its
//   state (and the fault, and traffic where it is) recorded, to be resumed or aborted.
// - Faults go in with an expiry just past the drill's time limit (the sandbox and fault hooks
//   drop them on their own), so a drill nobody resumes cannot break the platform forever.
import { randomBytes } from 'node:crypto';
import { scenarioNames, findScenario } from '../core/drill/scenarios.ts';
import { advanceDrill } from '../core/drill/machine.ts';
import { applyActionResult } from '../core/drill/outcomes.ts';
import { drillPollMs } from '../core/drill/timing.ts';
import { newDrill } from '../core/drill/new-drill.ts';
import { observationNeeds, type DrillObservation } from '../core/drill/observation.ts';
import { renderDrillHtml } from '../core/drill/report-html.ts';
import { renderDrillMarkdown } from '../core/drill/report-markdown.ts';
import { testAlertMessage } from '../core/drill/test-alert.ts';
import type {
  ActionResult,
  DeliveredAlert,
  DrillAction,
  DrillCheck,
  DrillPhaseName,
  DrillRecord,
  DrillStepName,
  ImpactSample,
  DrillListing,
} from '../core/drill/model.ts';
import type { HcguardConfig } from '../core/config.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../core/errors.ts';
import { SEVERITIES, type Actor, type Severity } from '../core/model/vocabulary.ts';
import type { ProbeResult } from '../core/model/probing.ts';
import type {
  AlertAudit,
  Clock,
  DrillRecordWriter,
  DrillStore,
  FaultInjector,
  Notifier,
  Router,
  RoutingStore,
  StateStore,
} from '../ports.ts';
import type { ManagedRecord } from '../core/model/routing.ts';
import type { FailoverService } from './failover.ts';
import { executeOperatorCommand } from './operator-commands.ts';
import { alertPresentation } from './round/incident-commits.ts';
import { sleep as abortableSleep } from '../sleep.ts';

export interface DrillServiceDeps {
  readonly config: HcguardConfig;
  readonly clock: Clock;
  readonly drills: DrillStore;
  readonly store: StateStore;
  readonly routing: RoutingStore;
  readonly failover: FailoverService;
  readonly notifier: Notifier;
  /** The audit subscription; without it the notify phase cannot confirm delivery. */
  readonly audit?: AlertAudit;
  /** Breaks the platform (sandbox fault API or fault hook); absent when none is reachable. */
  readonly faults?: { readonly injector: FaultInjector; readonly description: string };
  /** Writes and counts records for the RPO; absent: data loss is not measured. */
  readonly records?: DrillRecordWriter;
  /** The alert topic of each severity (deployed resources), for the dry run's check. */
  readonly topicArns?: Readonly<Partial<Record<Severity, string>>>;
  /** For the dry run's Route 53 check. */
  readonly router?: Router;
  readonly managedRecords?: readonly ManagedRecord[];
  /** What simulated citizens saw, captured when a drill ends (local runtime). */
  readonly impact?: (from: Date, to: Date, signal?: AbortSignal) => Promise<readonly ImpactSample[]>;
  /** Waits between ticks; a timer by default. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Names this process in the drill's lease; random by default. */
  readonly runnerId?: string;
  /** Drill ids; time-ordered and random by default. */
  readonly newId?: (now: Date) => string;
  /** Between ticks; a few times per probe round by default. */
  readonly pollMs?: number;
}

export interface StartInput {
  readonly scenario?: string;
  readonly step?: DrillStepName;
  readonly dryRun: boolean;
  readonly actor: Actor;
}

export interface AdvanceOptions {
  /** Stop ticking (and keep the drill resumable) at this instant: the Lambda deadline. */
  readonly deadline?: Date;
  readonly signal?: AbortSignal;
  /** After every stored tick, with the drill as it was before; `problem` when the tick could not observe. */
  readonly onProgress?: (drill: DrillRecord, previous: DrillRecord, problem?: string) => void;
}

export interface AdvanceResult {
  readonly drill: DrillRecord;
  /** finished; paused (deadline or signal: resume later); busy (another process holds the drill). */
  readonly state: 'finished' | 'paused' | 'busy';
}

export interface DrillReport {
  readonly drill: DrillRecord;
  readonly markdown: string;
  readonly html: string;
}

export interface DrillService {
  readonly pollMs: number;
  /** Records a new drill (claiming the running-drill item unless it is a dry run). */
  create(input: StartInput, signal?: AbortSignal): Promise<DrillRecord>;
  start(input: StartInput, options?: AdvanceOptions): Promise<AdvanceResult>;
  advance(id: string, options?: AdvanceOptions): Promise<AdvanceResult>;
  /** Records the abort request, then advances the drill (or watches its lease holder) through restore. */
  abort(id: string, actor: Actor, reason: string, options?: AdvanceOptions): Promise<AdvanceResult>;
  get(id: string, signal?: AbortSignal): Promise<DrillRecord | undefined>;
  list(limit?: number, signal?: AbortSignal): Promise<DrillListing[]>;
  report(id: string, options?: { readonly htmlFile?: string; readonly signal?: AbortSignal }): Promise<DrillReport>;
}

/** A drill request that cannot run as asked (unknown scenario, both a scenario and a step). */
export class DrillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillInputError';
  }
}

/** `drill-20261120-020000-3fa9`: sorts by start, readable, safe in file names and URLs. */
export const newDrillId = (now: Date): string =>
  `drill-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Actions that break the platform or move traffic: the drill is stored before they run. */
const WRITE_AHEAD: ReadonlySet<DrillAction['kind']> = new Set(['inject', 'switch', 'failback']);

/** Saves that only a live lease holder may make; a release is a short call of its own. */
const RELEASE_TIMEOUT_MS = 10_000;
const MAX_REPORT_RESULTS = 20_000;

export const createDrillService = (deps: DrillServiceDeps): DrillService => {
  const { config, clock, drills } = deps;
  const pollMs = deps.pollMs ?? drillPollMs(config);
  const sleep = deps.sleep ?? abortableSleep;
  const runnerId = deps.runnerId ?? `runner-${randomBytes(6).toString('hex')}`;
  const newId = deps.newId ?? newDrillId;
  // A tick may wait for a switch (insyncTimeout) and a few SDK calls; the lease outlives it.
  const leaseMs = Math.max(60_000, 2 * pollMs + config.failover.insyncTimeoutSeconds * 1000 + 30_000);
  const actorOf = (drill: DrillRecord): Actor => `drill:${drill.id}`;

  // ------------------------------------------------------------ observing

  const check = (name: string, ok: boolean, detail: string, required = true): DrillCheck => ({
    name,
    ok,
    detail,
    required,
  });

  const injectorCheck = async (drill: DrillRecord, signal?: AbortSignal): Promise<DrillCheck> => {
    if (drill.injection === 'simulated')
      return check(
        'fault injection',
        true,
        'simulated: synthetic failures are fed into evaluation, the platform is not touched',
      );
    if (!deps.faults) {
      return check(
        'fault injection',
        false,
        'no fault injector: run the local runtime (`npm start`) for the sandbox, set drills.faultHookUrl for a real platform, or drills.injection: simulated',
      );
    }
    try {
      const active = await deps.faults.injector.list(signal);
      if (active.length > 0) {
        return check(
          'fault injection',
          false,
          `faults are already active on ${deps.faults.description}: ${active.map((fault) => `${fault.mode} on ${fault.site} ${fault.stage}`).join(', ')} — clear them first (\`hcguard fault clear\`)`,
        );
      }
      return check('fault injection', true, `${deps.faults.description} answers; no fault active`);
    } catch (error) {
      // A hook that cannot list is still usable: inject and clear are what the drill needs.
      if (/does not list faults/.test(errorText(error)))
        return check('fault injection', true, `${deps.faults.description} (it cannot list active faults)`);
      return check('fault injection', false, `${deps.faults.description}: ${errorText(error)}`);
    }
  };

  const auditCheck = async (signal?: AbortSignal): Promise<DrillCheck> => {
    if (!deps.audit)
      return check(
        'alert audit queue',
        false,
        'no audit queue in the deployed resources (auditQueueUrl): delivery cannot be confirmed',
      );
    try {
      return check('alert audit queue', true, await deps.audit.check(signal));
    } catch (error) {
      return check('alert audit queue', false, `cannot read the audit queue: ${errorText(error)}`);
    }
  };

  const recordsCheck = async (signal?: AbortSignal): Promise<DrillCheck> => {
    if (!deps.records)
      return check(
        'record writer',
        false,
        'no record writer for this platform: data loss (RPO) will not be measured',
        false,
      );
    try {
      await deps.records.count('primary', [], signal);
      return check(
        'record writer',
        true,
        `records are written to the serving site and ${deps.records.description}`,
        false,
      );
    } catch (error) {
      return check(
        'record writer',
        false,
        `records cannot be counted (${errorText(error)}): data loss will not be measured`,
        false,
      );
    }
  };

  const environmentChecks = async (
    drill: DrillRecord,
    phases: readonly DrillPhaseName[],
    signal?: AbortSignal,
  ): Promise<Partial<Record<DrillPhaseName, DrillCheck[]>>> => {
    const checks: Partial<Record<DrillPhaseName, DrillCheck[]>> = {};
    const needsInjector = drill.step === undefined;
    const needsAudit = drill.step === undefined || drill.step === 'notify';
    const needsRecords = drill.data.unmeasured === undefined;
    for (const phase of phases) {
      switch (phase) {
        case 'preflight':
          checks.preflight = [
            ...(needsInjector && !drill.dryRun ? [await injectorCheck(drill, signal)] : []),
            ...(needsAudit && !drill.dryRun ? [await auditCheck(signal)] : []),
            ...(needsRecords && !drill.dryRun ? [await recordsCheck(signal)] : []),
          ];
          break;
        case 'inject':
          checks.inject = [await injectorCheck(drill, signal)];
          break;
        case 'identify': {
          try {
            const [targets, incidents] = await Promise.all([
              deps.store.loadTargets(signal),
              deps.store.listOpenIncidents(signal),
            ]);
            checks.identify = [
              check(
                'state store readable',
                true,
                `${targets.length} target state(s), ${incidents.length} open incident(s)`,
              ),
            ];
          } catch (error) {
            checks.identify = [check('state store readable', false, errorText(error))];
          }
          break;
        }
        case 'notify': {
          const missingTopics = SEVERITIES.filter((severity) => !deps.topicArns?.[severity]);
          const silent = SEVERITIES.filter((severity) => config.alerts[severity].subscriptions.length === 0);
          checks.notify = [
            await auditCheck(signal),
            check(
              'alert topics',
              missingTopics.length === 0,
              missingTopics.length === 0 ? 'a topic for every severity' : `no topic for ${missingTopics.join(', ')}`,
            ),
            check(
              'subscribers',
              silent.length === 0,
              silent.length === 0
                ? 'every severity has subscribers'
                : `no subscriber in config for ${silent.join(', ')}`,
              false,
            ),
          ];
          break;
        }
        case 'decide':
          checks.decide = [
            check(
              'decision test',
              true,
              drill.awaitAck
                ? 'the drill waits for `hcguard ack` on its incident'
                : 'drills.awaitAck is off: no decision test',
              false,
            ),
          ];
          break;
        case 'activate': {
          const activate: DrillCheck[] = [
            check(
              'failover mode',
              true,
              config.failover.mode === 'automatic'
                ? 'automatic: the controller switches on its own'
                : 'manual: an operator must run `hcguard failover --to backup`',
              false,
            ),
          ];
          try {
            const [routing, lock] = await Promise.all([deps.routing.list(signal), deps.routing.getLock(signal)]);
            activate.push(
              check(
                'routing state readable',
                true,
                `${routing.length} record(s) with routing state${lock ? `; LOCKED by ${lock.actor}` : ''}`,
              ),
            );
          } catch (error) {
            activate.push(check('routing state readable', false, errorText(error)));
          }
          for (const record of deps.managedRecords ?? []) {
            try {
              const reading = await deps.router?.read(record, signal);
              if (reading)
                activate.push(
                  check(
                    `Route 53 ${record.name}`,
                    reading.site === 'primary',
                    `${reading.description} (${reading.site ?? 'neither site'})`,
                  ),
                );
            } catch (error) {
              activate.push(check(`Route 53 ${record.name}`, false, `cannot read the record: ${errorText(error)}`));
            }
          }
          checks.activate = activate;
          break;
        }
        case 'restore':
          checks.restore = [
            ...(needsRecords ? [await recordsCheck(signal)] : []),
            check(
              'failback',
              true,
              config.failover.failback === 'automatic'
                ? `automatic after ${config.failover.failbackAfterHealthyMinutes} healthy min`
                : 'the drill approves `hcguard failback` once the primary is healthy',
              false,
            ),
          ];
          break;
        case 'summary':
          break;
      }
    }
    return checks;
  };

  const observe = async (
    drill: DrillRecord,
    now: Date,
    signal?: AbortSignal,
  ): Promise<{ observation: DrillObservation; problems: string[] }> => {
    const needs = observationNeeds(drill, now, config);
    const problems: string[] = [];
    const optional = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        if (signal?.aborted) throw error;
        problems.push(`${what}: ${errorText(error)}`);
        return fallback;
      }
    };
    const backupResults = async (since: NonNullable<typeof needs.backupResultsSince>): Promise<ProbeResult[]> =>
      (
        await Promise.all(
          since.stages.map((stage) =>
            deps.store.history({ site: 'backup', stage, since: since.since, limit: 1_000 }, signal),
          ),
        )
      ).flat();
    const [targets, incidents, routing, lock, active, drillIncident, alerts, counts, environment, serving] =
      await Promise.all([
        deps.store.loadTargets(signal),
        deps.store.listOpenIncidents(signal),
        deps.routing.list(signal),
        deps.routing.getLock(signal),
        drills.active(signal),
        needs.incidentId
          ? optional(
              'reading the drill incident',
              async () => (await deps.store.getIncident(needs.incidentId as string, signal))?.incident,
              undefined,
            )
          : undefined,
        needs.alerts && deps.audit
          ? optional(
              'reading the audit queue',
              () => (deps.audit as AlertAudit).receive(signal),
              [] as DeliveredAlert[],
            )
          : ([] as DeliveredAlert[]),
        needs.recordCounts && deps.records ? countRecords(drill, needs.recordCounts, signal) : undefined,
        needs.environment.length ? environmentChecks(drill, needs.environment, signal) : undefined,
        needs.backupResultsSince
          ? optional(
              "reading the backup's results",
              () => backupResults(needs.backupResultsSince as NonNullable<typeof needs.backupResultsSince>),
              undefined,
            )
          : undefined,
      ]);
    return {
      observation: {
        now: clock.now(),
        targets,
        incidents,
        routing,
        ...(lock ? { lock } : {}),
        ...(active ? { activeDrillId: active.drillId } : {}),
        ...(drillIncident ? { drillIncident } : {}),
        alerts,
        ...(counts && 'counts' in counts ? { recordCounts: counts.counts } : {}),
        ...(counts && 'error' in counts ? { recordCountError: counts.error } : {}),
        ...(environment ? { environment } : {}),
        ...(serving ? { backupResults: serving } : {}),
      },
      problems,
    };
  };

  const countRecords = async (
    drill: DrillRecord,
    ids: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ counts: Record<string, number> } | { error: string }> => {
    const platformIds = drill.data.platformIds ?? {};
    const records = ids.map((recordId) => {
      const seq = recordId.slice(drill.id.length + 1);
      const platformId = platformIds[seq];
      return { recordId, ...(platformId ? { platformId } : {}) };
    });
    try {
      return { counts: await (deps.records as DrillRecordWriter).count('primary', records, signal) };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { error: errorText(error) };
    }
  };

  // ------------------------------------------------------------ acting

  const operator = { failover: deps.failover, loadTargets: (signal?: AbortSignal) => deps.store.loadTargets(signal) };

  const execute = async (drill: DrillRecord, action: DrillAction, signal?: AbortSignal): Promise<ActionResult> => {
    const startedAt = clock.now().toISOString();
    const done = (extra: Partial<Extract<ActionResult, { ok: true }>> = {}): ActionResult => ({
      ok: true,
      at: clock.now().toISOString(),
      startedAt,
      ...extra,
    });
    const failed = (error: unknown, refusal = false): ActionResult => ({
      ok: false,
      at: clock.now().toISOString(),
      startedAt,
      error: errorText(error),
      ...(refusal ? { refusal } : {}),
    });
    try {
      switch (action.kind) {
        case 'inject': {
          if (drill.injection === 'simulated') {
            await drills.setSimulatedFaults(drill.id, action.faults, signal);
            return done();
          }
          if (!deps.faults) return failed('no fault injector is available');
          // Expires on its own shortly after the time limit, should nobody clear it.
          const forMs = (drill.timeLimitMinutes + 5) * 60_000;
          for (const fault of action.faults) await deps.faults.injector.inject({ ...fault, forMs }, signal);
          return done();
        }
        case 'clear-faults': {
          if (drill.injection === 'simulated') {
            try {
              await drills.setSimulatedFaults(drill.id, [], signal);
            } catch (error) {
              // Released already: nothing is simulated any more.
              if (!(error instanceof NotFoundError)) throw error;
            }
            return done();
          }
          if (!deps.faults) return done({ detail: 'no fault injector: nothing was injected' });
          for (const fault of action.faults)
            await deps.faults.injector.clear({ site: fault.site, stage: fault.stage }, signal);
          return done();
        }
        case 'write-record': {
          if (!deps.records) return failed('no record writer');
          const written = await deps.records.write(action.site, action.recordId, signal);
          return done(written.platformId ? { platformId: written.platformId } : {});
        }
        case 'switch': {
          const result = await executeOperatorCommand(
            { command: 'failover', to: action.to, reason: action.reason, force: action.force, actor: actorOf(drill) },
            operator,
            signal,
          );
          return result.ok ? done({ detail: result.message }) : failed(result.message, true);
        }
        case 'failback': {
          const result = await executeOperatorCommand({ command: 'failback', actor: actorOf(drill) }, operator, signal);
          return result.ok ? done({ detail: result.message }) : failed(result.message, true);
        }
        case 'publish-test-alert': {
          const at = clock.now();
          await deps.notifier.publish(
            {
              id: action.alertId,
              kind: 'update',
              topic: action.severity,
              message: testAlertMessage({
                drillId: drill.id,
                alertId: action.alertId,
                severity: action.severity,
                at,
                presentation: alertPresentation(config),
              }),
              createdAt: at.toISOString(),
              drillId: drill.id,
              attempts: 0,
            },
            signal,
          );
          return done();
        }
        case 'release':
          await drills.release(drill.id, signal);
          return done();
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      return failed(error);
    }
  };

  // ------------------------------------------------------------ storing

  const leaseLive = (drill: DrillRecord, now: Date): boolean =>
    drill.runner !== undefined && drill.runner.id !== runnerId && Date.parse(drill.runner.leaseUntil) > now.getTime();

  const withoutRunner = (drill: DrillRecord): DrillRecord => {
    const { runner: _runner, ...rest } = drill;
    return rest;
  };

  /** Stores a tick; merges an abort request written meanwhile (the only write others make). */
  const persist = async (
    next: DrillRecord,
    previous: DrillRecord,
    options: { holdLease: boolean; signal?: AbortSignal },
  ): Promise<DrillRecord> => {
    const stamp = (drill: DrillRecord, base: DrillRecord): DrillRecord => {
      const plain = withoutRunner(drill);
      const held =
        options.holdLease && drill.status === 'running'
          ? { ...plain, runner: { id: runnerId, leaseUntil: new Date(clock.now().getTime() + leaseMs).toISOString() } }
          : plain;
      return { ...held, version: base.version + 1 };
    };
    const candidate = stamp(next, previous);
    try {
      await drills.save(candidate, previous, options.signal);
      return candidate;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const stored = await drills.get(next.id, options.signal);
      if (!stored) throw error;
      if (leaseLive(stored, clock.now())) throw new DrillBusyError(stored);
      const merged = stamp(
        { ...next, ...(stored.abortRequested && !next.abort ? { abortRequested: stored.abortRequested } : {}) },
        stored,
      );
      await drills.save(merged, stored, options.signal);
      return merged;
    }
  };

  const changed = (a: DrillRecord, b: DrillRecord): boolean =>
    JSON.stringify(withoutRunner(a)) !== JSON.stringify(withoutRunner(b));

  const captureImpact = async (drill: DrillRecord, signal?: AbortSignal): Promise<DrillRecord> => {
    if (!deps.impact || drill.status !== 'finished' || drill.impact || drill.dryRun) return drill;
    try {
      const samples = await deps.impact(
        new Date(drill.startedAt),
        new Date(drill.endedAt ?? clock.now().toISOString()),
        signal,
      );
      return samples.length ? { ...drill, impact: samples.slice(-240) } : drill;
    } catch {
      // The report then simply has no citizens' view; the drill itself is complete.
      return drill;
    }
  };

  // ------------------------------------------------------------ the service

  const create = async (input: StartInput, signal?: AbortSignal): Promise<DrillRecord> => {
    if (input.scenario && input.step) throw new DrillInputError('give either a scenario or a step, not both');
    const scenario = input.scenario ? findScenario(config, input.scenario) : undefined;
    if (input.scenario && !scenario)
      throw new DrillInputError(`unknown scenario "${input.scenario}": one of ${scenarioNames(config).join(', ')}`);
    if (!scenario && !input.step)
      throw new DrillInputError(
        `name a scenario (${scenarioNames(config).join(', ')}) or a step (notify, switch, restore)`,
      );
    const now = clock.now();
    const drill = newDrill({
      id: newId(now),
      actor: input.actor,
      now,
      policy: config,
      dryRun: input.dryRun,
      ...(scenario ? { scenario } : {}),
      ...(input.step ? { step: input.step } : {}),
      ...(deps.records ? {} : { dataUnmeasured: 'no record writer for this platform' }),
    });
    if (input.dryRun) {
      await drills.create(drill, { claimActive: false }, signal);
      return drill;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await drills.create(drill, { claimActive: true }, signal);
        return drill;
      } catch (error) {
        if (!(error instanceof AlreadyExistsError) || !error.entity.startsWith('running drill')) throw error;
        const running = await drills.active(signal);
        const other = running ? await drills.get(running.drillId, signal) : undefined;
        // A finished drill whose release was lost leaves the item behind: clear it and try again.
        if (running && attempt === 1 && (!other || other.status === 'finished')) {
          await drills.release(running.drillId, signal);
          continue;
        }
        // Recorded without the claim: its pre-flight refuses it, and the refusal is on record.
        await drills.create(drill, { claimActive: false }, signal);
        return drill;
      }
    }
  };

  const advance = async (id: string, options: AdvanceOptions = {}): Promise<AdvanceResult> => {
    const { signal, deadline } = options;
    let drill = await drills.get(id, signal);
    if (!drill) throw new NotFoundError(`drill ${id}`);
    if (drill.status === 'finished') return { drill, state: 'finished' };
    if (leaseLive(drill, clock.now())) return { drill, state: 'busy' };
    try {
      for (;;) {
        if (signal?.aborted) break;
        const previous = drill;
        let next = drill;
        let problem: string | undefined;
        try {
          const { observation, problems } = await observe(drill, clock.now(), signal);
          problem = problems.length ? problems.join('; ') : undefined;
          const step = advanceDrill(drill, observation, config);
          next = step.drill;
          // Write ahead: the decision to break or move something is stored before it is done, so
          // an interruption in the middle leaves a drill that knows to undo it.
          if (step.actions.some((action) => WRITE_AHEAD.has(action.kind)) && changed(next, drill)) {
            drill = await persist(next, drill, { holdLease: true, ...(signal ? { signal } : {}) });
            next = drill;
          }
          for (const action of step.actions)
            next = applyActionResult(next, action, await execute(next, action, signal));
          next = await captureImpact(next, signal);
        } catch (error) {
          if (signal?.aborted) break;
          // Could not observe (a read failed): nothing decided, try again next tick.
          problem = errorText(error);
        }
        const renewDue =
          !drill.runner ||
          drill.runner.id !== runnerId ||
          Date.parse(drill.runner.leaseUntil) - clock.now().getTime() < leaseMs / 2;
        if (changed(next, drill) || renewDue)
          drill = await persist(next, drill, { holdLease: true, ...(signal ? { signal } : {}) });
        options.onProgress?.(drill, previous, problem);
        if (drill.status === 'finished') return { drill, state: 'finished' };
        if (deadline && clock.now().getTime() + pollMs >= deadline.getTime()) break;
        try {
          await sleep(pollMs, signal);
        } catch {
          break;
        }
      }
    } catch (error) {
      if (error instanceof DrillBusyError) return { drill: error.drill, state: 'busy' };
      if (!signal?.aborted) throw error;
    }
    // Paused: hand the lease back at once, so a resume (or the next invocation) can continue.
    try {
      const stored = await drills.get(id, AbortSignal.timeout(RELEASE_TIMEOUT_MS));
      if (stored && stored.runner?.id === runnerId)
        drill = await persist(stored, stored, { holdLease: false, signal: AbortSignal.timeout(RELEASE_TIMEOUT_MS) });
      else if (stored) drill = stored;
    } catch {
      // The lease then lapses by itself.
    }
    return { drill, state: 'paused' };
  };

  const abort = async (
    id: string,
    actor: Actor,
    reason: string,
    options: AdvanceOptions = {},
  ): Promise<AdvanceResult> => {
    // Finished or already stopping: nothing to request, only to follow to the end.
    await drills.requestAbort(id, { by: actor, reason, at: clock.now().toISOString() }, options.signal);
    return advanceOrWatch(id, options);
  };

  /** Advances the drill, or waits while another process holds it, until it finishes or the deadline. */
  const advanceOrWatch = async (id: string, options: AdvanceOptions): Promise<AdvanceResult> => {
    for (;;) {
      const result = await advance(id, options);
      if (result.state !== 'busy') return result;
      if (options.deadline && clock.now().getTime() + pollMs >= options.deadline.getTime()) return result;
      try {
        await sleep(pollMs, options.signal);
      } catch {
        return result;
      }
    }
  };

  const report = async (
    id: string,
    options: { readonly htmlFile?: string; readonly signal?: AbortSignal } = {},
  ): Promise<DrillReport> => {
    const drill = await drills.get(id, options.signal);
    if (!drill) throw new NotFoundError(`drill ${id}`);
    const until = drill.endedAt ?? clock.now().toISOString();
    const results: ProbeResult[] = (
      await deps.store.history({ since: drill.startedAt, limit: MAX_REPORT_RESULTS }, options.signal)
    ).filter((result) => result.startedAt <= until);
    const input = { drill, config, results, generatedAt: clock.now() };
    return {
      drill,
      markdown: renderDrillMarkdown(input, options.htmlFile ? { htmlFile: options.htmlFile } : {}),
      html: renderDrillHtml(input),
    };
  };

  return {
    pollMs,
    create,
    start: async (input, options = {}) => advance((await create(input, options.signal)).id, options),
    advance: (id, options) => advanceOrWatch(id, options ?? {}),
    abort,
    get: (id, signal) => drills.get(id, signal),
    list: (limit, signal) => drills.list({ ...(limit ? { limit } : {}) }, signal),
    report,
  };
};

/** Another process holds the drill's lease: this one must not act on it. */
class DrillBusyError extends Error {
  constructor(readonly drill: DrillRecord) {
    super(`drill ${drill.id} is being advanced by ${drill.runner?.id} until ${drill.runner?.leaseUntil}`);
    this.name = 'DrillBusyError';
  }
}
