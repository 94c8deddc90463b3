// The sandbox's fault registry: which (site, stage) is broken how, until when. Shared by both
// sites' servers; served over HTTP at /_sandbox/faults and usable in-process as a FaultInjector.
import { parseFaultSpec } from '../../lambdas/core/probe/fault-modes.ts';
import type { FaultMode, Site, Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { ActiveFault, FaultSpec } from '../../lambdas/core/model/faults.ts';
import type { Clock, FaultInjector } from '../../lambdas/ports.ts';

export class FaultSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid fault: ${problems.join('; ')}`);
    this.name = 'FaultSpecError';
  }
}

interface StoredFault {
  readonly spec: FaultSpec;
  readonly sinceMs: number;
  readonly untilMs?: number;
}

export interface SandboxFaults extends FaultInjector {
  /**
   * Validates any input (e.g. a request body) and activates the fault at once; the same mode on the
   * same target replaces the old one.
   */
  injectNow(fault: FaultSpec | Readonly<Record<string, unknown>>): ActiveFault;
  /** Clears matching faults; returns how many were active. */
  clearNow(where?: { site?: Site; stage?: Stage }): number;
  listNow(): ActiveFault[];
  /** The active fault of this mode on this target, if any. */
  find(site: Site, stage: Stage, mode: FaultMode): ActiveFault | undefined;
  /** Every active fault on this target. */
  on(site: Site, stage: Stage): ActiveFault[];
}

const keyOf = (site: Site, stage: Stage, mode: FaultMode) => `${site}#${stage}#${mode}`;

export const createFaultRegistry = (clock: Clock): SandboxFaults => {
  const faults = new Map<string, StoredFault>();
  const nowMs = () => clock.now().getTime();

  const toActive = (stored: StoredFault): ActiveFault => ({
    ...stored.spec,
    since: new Date(stored.sinceMs).toISOString(),
    ...(stored.untilMs === undefined ? {} : { until: new Date(stored.untilMs).toISOString() }),
  });

  // Faults with a duration end by themselves: expired ones are dropped whenever anyone looks.
  const prune = (): void => {
    const now = nowMs();
    for (const [key, stored] of faults) if (stored.untilMs !== undefined && stored.untilMs <= now) faults.delete(key);
  };

  const injectNow = (fault: FaultSpec | Readonly<Record<string, unknown>>): ActiveFault => {
    const parsed = parseFaultSpec(fault);
    if ('problems' in parsed) throw new FaultSpecError(parsed.problems);
    const { spec } = parsed;
    const sinceMs = nowMs();
    const stored: StoredFault = {
      spec,
      sinceMs,
      ...(spec.forMs === undefined ? {} : { untilMs: sinceMs + spec.forMs }),
    };
    faults.set(keyOf(spec.site, spec.stage, spec.mode), stored);
    return toActive(stored);
  };

  const clearNow = (where: { site?: Site; stage?: Stage } = {}): number => {
    prune();
    let cleared = 0;
    for (const [key, stored] of faults) {
      if (
        (where.site === undefined || stored.spec.site === where.site) &&
        (where.stage === undefined || stored.spec.stage === where.stage)
      ) {
        faults.delete(key);
        cleared++;
      }
    }
    return cleared;
  };

  const listNow = (): ActiveFault[] => {
    prune();
    return [...faults.values()].sort((a, b) => a.sinceMs - b.sinceMs).map(toActive);
  };

  return {
    injectNow,
    clearNow,
    listNow,
    find: (site, stage, mode) => {
      prune();
      const stored = faults.get(keyOf(site, stage, mode));
      return stored ? toActive(stored) : undefined;
    },
    on: (site, stage) => listNow().filter((fault) => fault.site === site && fault.stage === stage),
    inject: async (fault) => {
      injectNow(fault);
    },
    clear: async (where) => {
      clearNow(where);
    },
    list: async () => listNow(),
  };
};
