// The drill service's contract: what it is built from, what it is asked, what it answers.
import { randomBytes } from 'node:crypto';
import type { HcguardConfig } from '../../core/config/schema.ts';
import type { DrillListing, DrillRecord, DrillStepName, ImpactSample } from '../../core/drill/model.ts';
import type { ManagedRecord } from '../../core/model/routing.ts';
import type { Actor, Severity } from '../../core/model/vocabulary.ts';
import type {
  AlertAudit,
  AuditLog,
  Clock,
  DrillRecordWriter,
  DrillStore,
  FaultInjector,
  Notifier,
  Router,
  RoutingStore,
  StateStore,
} from '../../ports.ts';
import type { FailoverService } from '../failover.ts';

export interface DrillServiceDeps {
  readonly config: HcguardConfig;
  readonly clock: Clock;
  readonly drills: DrillStore;
  readonly store: StateStore;
  readonly routing: RoutingStore;
  readonly failover: FailoverService;
  readonly notifier: Notifier;
  /** The switches a drill makes go through the operator commands, which audit them. */
  readonly auditLog: AuditLog;
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
  /** The topics a notify step tests; all of them when absent. */
  readonly severities?: readonly Severity[];
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
