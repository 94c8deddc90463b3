// What probes observe and what evaluation makes of it.
import type { FailureClass, Outcome, Site, Stage } from './vocabulary.ts';

/** A failed expectation, with identity values and secrets already replaced by a short hash. */
export interface AssertionFailure {
  readonly step: string;
  readonly assertion: string;
  readonly expected: string;
  readonly actual: string;
}

export interface StepResult {
  readonly name: string;
  readonly durationMs: number;
  readonly status?: number;
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  readonly message?: string;
  /** Sends of a polling step (`retry`), when more than one. */
  readonly attempts?: number;
}

/** What one probe run observed. */
export interface ProbeResult {
  readonly probeId: string;
  readonly site: Site;
  readonly stage: Stage;
  /** ISO-8601 instant the probe started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  /** One line a human can read: what went wrong, never an identity value or secret. */
  readonly message?: string;
  readonly steps: readonly StepResult[];
  readonly failure?: AssertionFailure;
  /** Set when the result was produced or injected during a drill. */
  readonly drillId?: string;
  /** The platform's transmission stream was reset this round (a new epoch): what that means. */
  readonly streamReset?: string;
  /** Problems of the prober itself that did not change the verdict (e.g. a sequence number not saved). */
  readonly warnings?: readonly string[];
  /**
   * The prober could not run this probe at all (a secret or the sequence store was unavailable):
   * the result says nothing about the platform, but hcguard itself needs fixing.
   */
  readonly proberError?: true;
}

export const TARGET_HEALTH = ['unknown', 'healthy', 'degraded', 'failing'] as const;
export type TargetHealth = (typeof TARGET_HEALTH)[number];

/** The evaluated health of one (site, stage), with the counters hysteresis needs. */
export interface TargetState {
  readonly site: Site;
  readonly stage: Stage;
  readonly health: TargetHealth;
  /** ISO instant `health` took its current value. */
  readonly since: string;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Consecutive rounds that were degraded or failed (healthy → degraded); 0 when absent. */
  readonly consecutiveNotOk?: number;
  /** Consecutive rounds that were ok or degraded (failing → degraded); 0 when absent. */
  readonly consecutiveAnswering?: number;
  /** What hysteresis alone says; differs from `health` while flap detection holds it at failing. */
  readonly observedHealth?: TargetHealth;
  readonly lastOutcome?: Outcome;
  readonly lastFailureClass?: FailureClass;
  readonly lastMessage?: string;
  /** The HTTP status of the last failure's failing step, when it had one (for "HTTP 503 from …"). */
  readonly lastStatus?: number;
  readonly lastResultAt?: string;
  /** ISO instants of recent health changes, newest last (flap detection). */
  readonly recentChanges: readonly string[];
  /** True while flap detection holds the target at failing. */
  readonly flapping: boolean;
  /**
   * The platform's stream was reset (see ProbeResult.streamReset): kept until `successThreshold`
   * good rounds followed it, so its incident opens once and resolves once the stream works again.
   */
  readonly streamReset?: { readonly at: string; readonly message: string; readonly goodRoundsSince: number };
  /** Optimistic-locking version; 0 for a target never stored. */
  readonly version: number;
}

export interface TargetWrite {
  readonly target: TargetState;
  /** 0: the target must not be stored yet. */
  readonly expectedVersion: number;
}

/** Results by start, then probe id: newest first (a history's default order) or oldest first. */
export const inHistoryOrder = (results: readonly ProbeResult[], oldestFirst = false): ProbeResult[] =>
  results.toSorted((a, b) =>
    oldestFirst
      ? a.startedAt.localeCompare(b.startedAt) || a.probeId.localeCompare(b.probeId)
      : b.startedAt.localeCompare(a.startedAt) || a.probeId.localeCompare(b.probeId),
  );
