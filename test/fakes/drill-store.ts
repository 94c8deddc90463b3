// An in-memory DrillStore with the DynamoDB adapter's contract: drills versioned, one running-drill
// item at a time, abort requests accepted once while a drill runs.
import {
  acceptsAbortRequest,
  activeDrillOf,
  drillListing,
  type ActiveDrill,
  type DrillFault,
  type DrillListing,
  type DrillRecord,
} from '../../lambdas/core/drill/model.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../lambdas/core/errors.ts';
import type { DrillStore } from '../../lambdas/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryDrillStore implements DrillStore {
  readonly drills = new Map<string, DrillRecord>();
  running: ActiveDrill | undefined;

  async create(drill: DrillRecord, options: { readonly claimActive: boolean }): Promise<void> {
    if (drill.version !== 1)
      throw new Error(`drill ${drill.id}: a new drill is stored at version 1, not ${drill.version}`);
    if (options.claimActive && this.running) throw new AlreadyExistsError(`running drill ${this.running.drillId}`);
    if (this.drills.has(drill.id)) throw new AlreadyExistsError(`drill ${drill.id}`);
    this.drills.set(drill.id, copy(drill));
    if (options.claimActive) this.running = activeDrillOf(drill);
  }

  async get(id: string): Promise<DrillRecord | undefined> {
    const drill = this.drills.get(id);
    return drill ? copy(drill) : undefined;
  }

  async save(drill: DrillRecord, previous: DrillRecord): Promise<void> {
    if (drill.id !== previous.id) throw new Error(`cannot save drill ${drill.id} over drill ${previous.id}`);
    if (drill.version !== previous.version + 1) {
      throw new Error(
        `drill ${drill.id}: version ${drill.version} must be ${previous.version + 1} ` +
          `when replacing version ${previous.version}`,
      );
    }
    if (this.drills.get(drill.id)?.version !== previous.version)
      throw new VersionConflictError(`drill ${drill.id}`, previous.version);
    this.drills.set(drill.id, copy(drill));
  }

  async list(query: { readonly limit?: number }): Promise<DrillListing[]> {
    const key = (drill: DrillRecord) => `${drill.startedAt}#${drill.id}`;
    return [...this.drills.values()]
      .sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0))
      .slice(0, query.limit ?? 50)
      .map(drillListing);
  }

  async active(): Promise<ActiveDrill | undefined> {
    return this.running ? copy(this.running) : undefined;
  }

  async release(id: string): Promise<void> {
    if (this.running?.drillId === id) this.running = undefined;
  }

  async requestAbort(id: string, request: NonNullable<DrillRecord['abortRequested']>): Promise<boolean> {
    const drill = this.drills.get(id);
    if (!drill) throw new NotFoundError(`drill ${id}`);
    if (!acceptsAbortRequest(drill)) return false;
    this.drills.set(id, { ...drill, abortRequested: copy(request), version: drill.version + 1 });
    return true;
  }

  async setSimulatedFaults(id: string, faults: readonly DrillFault[]): Promise<void> {
    if (this.running?.drillId !== id) throw new NotFoundError(`running-drill item of drill ${id}`);
    this.running = { ...this.running, simulatedFaults: copy(faults) };
  }
}
