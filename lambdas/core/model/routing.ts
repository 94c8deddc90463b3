// Routing: where each managed record points, the lock, and what the controller reports.
import type { RecordValue } from '../config/sections.ts';
import type { Actor, RecordType, Site, Stage } from './vocabulary.ts';

/** Where one managed record points, and why. */
export interface RoutingState {
  /** The record's name, lower case without trailing dot. */
  readonly record: string;
  readonly activeSite: Site;
  readonly since: string;
  readonly reason: string;
  readonly actor: Actor;
  readonly incidentId?: string;
  readonly drillId?: string;
  /**
   * A switch that was recorded but not yet confirmed in Route 53. The next run compares it
   * with the record's actual value and finishes or rolls it back.
   */
  readonly pending?: {
    readonly toSite: Site;
    readonly requestedAt: string;
    readonly reason: string;
    readonly actor: Actor;
    readonly changeId?: string;
    /**
     * The run that wrote the intent may submit the Route 53 change only until this instant;
     * other runs repair the intent only after it (plus a grace), so they never race the owner.
     */
    readonly leaseUntil?: string;
    readonly incidentId?: string;
    readonly drillId?: string;
    /** An operator overrode pre-flight and dwell (`hcguard failover --force`). */
    readonly forced?: boolean;
    /**
     * The owner's Route 53 call ended without a known outcome (a timeout, a 5xx, the deadline)
     * at this instant: it gave its lease back, so the repair need not wait for the lease to end.
     */
    readonly failedAt?: string;
    readonly error?: string;
  };
  /** When traffic last moved (absent for a record never switched); dwell counts from here. */
  readonly lastSwitchedAt?: string;
  /** True when the last switch overrode pre-flight or dwell (`--force`). */
  readonly forced?: boolean;
  /** The Route 53 change of the last switch. */
  readonly lastChange?: { readonly id: string; readonly status: 'PENDING' | 'INSYNC'; readonly at: string };
  /** Why the controller currently refuses a switch it wants to make; absent when it does not. */
  readonly refusal?: {
    readonly toSite: Site;
    readonly codes: readonly string[];
    readonly message: string;
    readonly since: string;
  };
  readonly version: number;
}

/** Freezes automatic switching during maintenance. */
export interface RoutingLock {
  readonly reason: string;
  readonly actor: Actor;
  readonly at: string;
}

/** A managed record from config, with its hosted zone id resolved. */
export interface ManagedRecord {
  /** Lower case, no trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly hostedZoneId: string;
  readonly stage: Stage;
  readonly values: Readonly<Record<Site, RecordValue>>;
}

export const ROUTING_CONDITION_KINDS = ['cannot-fail-over', 'no-healthy-site', 'switch-in-progress'] as const;
export type RoutingConditionKind = (typeof ROUTING_CONDITION_KINDS)[number];

/** Something about routing that is wrong as a whole: opens an incident while reported. */
export interface RoutingCondition {
  readonly kind: RoutingConditionKind;
  /** The record concerned; with `kind`, the incident's dedup key. */
  readonly record: string;
  readonly title: string;
  readonly detail: string;
}

export interface SwitchEvent {
  readonly record: string;
  readonly from: Site;
  readonly to: Site;
  readonly at: string;
  readonly actor: Actor;
  readonly reason: string;
  readonly changeId?: string;
  readonly drillId?: string;
  readonly incidentId?: string;
  /** True when an operator overrode pre-flight and dwell (`--force`). */
  readonly forced?: boolean;
  /** True when this run finished a switch an earlier, interrupted run had started. */
  readonly repaired?: boolean;
}

/** Something the controller could not do for a record; the caller logs it and counts an error metric. */
export interface ReconcileFailure {
  readonly record: string;
  /**
   * `read`: the routing state, the lock or the record could not be read, so nothing was decided
   * and the record's conditions are unknown this round (keep its routing incidents as they are).
   * `switch`: a switch failed (a condition says so). `audit`: an audit entry could not be written.
   */
  readonly step: 'read' | 'switch' | 'audit';
  readonly message: string;
}

export interface FailoverOutcome {
  /** Routing after this reconcile. */
  readonly routing: readonly RoutingState[];
  /**
   * Every condition that holds now; an open condition incident not listed here resolves,
   * except for records with a `read` failure.
   */
  readonly conditions: readonly RoutingCondition[];
  readonly switches: readonly SwitchEvent[];
  readonly failures: readonly ReconcileFailure[];
}

/** What a managed record answers right now, according to the DNS authority. */
export interface RecordReading {
  /** The site whose configured value the record holds; undefined when it holds neither. */
  readonly site?: Site;
  /** False when the record does not exist in the zone. */
  readonly exists: boolean;
  /** The value as read, for messages (`A 127.0.0.1`, `alias d111.cloudfront.net.`). */
  readonly description: string;
}

export interface RouteResult {
  /** False when the record already served the site: nothing was sent. */
  readonly changed: boolean;
  readonly changeId?: string;
  /** INSYNC: every authoritative server answers the new value; PENDING: not confirmed yet. */
  readonly status: 'PENDING' | 'INSYNC';
  /** The record as read back after the change. */
  readonly reading: RecordReading;
}

/** Where the record actually points according to Route 53, when the app read it. */
export type ActualRouting = Site | 'neither' | 'missing';

/**
 * The last switch of a record whose announcement (the incident update or notice that says hcguard
 * moved traffic) is committed. Written in the same transaction as that announcement, so a switch
 * is announced exactly once however often the write that carries it fails.
 */
export interface SwitchAnnouncement {
  readonly record: string;
  /** `lastSwitchedAt` of the switch announced. */
  readonly switchedAt: string;
}

/** Record names as Route 53 and the routing table key them: lower case, no trailing dot. */
export const normalizeRecordName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The switch that put a record where it points, as the routing item records it; none before the first. */
export const lastSwitchOf = (state: RoutingState): SwitchEvent | undefined =>
  state.lastSwitchedAt === undefined
    ? undefined
    : {
        record: state.record,
        from: state.activeSite === 'primary' ? 'backup' : 'primary',
        to: state.activeSite,
        at: state.lastSwitchedAt,
        actor: state.actor,
        reason: state.reason,
        ...(state.lastChange ? { changeId: state.lastChange.id } : {}),
        ...(state.incidentId ? { incidentId: state.incidentId } : {}),
        ...(state.drillId ? { drillId: state.drillId } : {}),
        ...(state.forced ? { forced: true } : {}),
      };

export const isRoutingConditionKind = (kind: string): kind is RoutingConditionKind =>
  (ROUTING_CONDITION_KINDS as readonly string[]).includes(kind);
