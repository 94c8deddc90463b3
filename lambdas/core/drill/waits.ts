// What held a drill up, and why: a flap hold keeping a target at failing, the controller refusing
// the switch it wants, the drill's own failback refused (dwell, stability). Each tick says what
// holds now (sightings); a sighting continues the open wait of its kind and subject, and an open
// wait of a kind that tick looked at but no longer sighted has ended. The report draws and lists
// them, so a drill that took 7 minutes instead of 2 says where the other 5 went. Pure.
import type { HcguardConfig } from '../config/schema.ts';
import { flapHold } from '../holds.ts';
import { normalizeRecordName, type RoutingState } from '../model/routing.ts';
import type { TargetState } from '../model/probing.ts';

export const WAIT_KINDS = ['flap-hold', 'switch-refused', 'failback-refused'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

export interface DrillWait {
  readonly kind: WaitKind;
  /** What was held: a target (`primary/verification`) or a record name. */
  readonly subject: string;
  /** The latest reason given, in the words the operator reads elsewhere. */
  readonly reason: string;
  readonly from: string;
  /** Absent while the wait lasts. */
  readonly endedAt?: string;
  /** When the hold said it would end, where it says so. */
  readonly until?: string;
}

export interface WaitSighting {
  readonly kind: WaitKind;
  readonly subject: string;
  readonly reason: string;
  /** Since when the cause itself says it has held (a refusal's `since`); else the tick's instant. */
  readonly since?: string;
  readonly until?: string;
}

/** Waits kept on the drill item, newest last; open ones are never the ones dropped. */
export const MAX_WAITS = 20;

const sameWait = (wait: DrillWait, sighting: Pick<WaitSighting, 'kind' | 'subject'>): boolean =>
  wait.kind === sighting.kind && wait.subject === sighting.subject;

/**
 * Folds one tick's sightings of the `looked` kinds into the waits. The reason and announced end
 * follow the latest sighting; a wait starts at its cause's own `since` when that is earlier than
 * the tick (the controller refused before the drill looked).
 */
export const foldWaits = (
  waits: readonly DrillWait[],
  sightings: readonly WaitSighting[],
  looked: readonly WaitKind[],
  at: string,
): DrillWait[] => {
  const next = waits.map((wait) => {
    if (wait.endedAt !== undefined || !looked.includes(wait.kind)) return wait;
    const sighting = sightings.find((entry) => sameWait(wait, entry));
    if (!sighting) return { ...wait, endedAt: at };
    const { until: _previous, ...rest } = wait;
    return { ...rest, reason: sighting.reason, ...(sighting.until ? { until: sighting.until } : {}) };
  });
  for (const sighting of sightings) {
    if (next.some((wait) => wait.endedAt === undefined && sameWait(wait, sighting))) continue;
    const from = sighting.since !== undefined && sighting.since < at ? sighting.since : at;
    next.push({
      kind: sighting.kind,
      subject: sighting.subject,
      reason: sighting.reason,
      from,
      ...(sighting.until ? { until: sighting.until } : {}),
    });
  }
  const excess = next.length - MAX_WAITS;
  if (excess <= 0) return next;
  let dropped = 0;
  return next.filter((wait) => wait.endedAt === undefined || dropped++ >= excess);
};

/** Flap holds on any target, and the controller's refusals on the records the drill watches. */
export const observedWaits = (
  targets: readonly TargetState[],
  routing: readonly RoutingState[],
  watched: readonly string[],
  policy: Pick<HcguardConfig['detection'], 'flap'>,
): WaitSighting[] => [
  ...targets.flatMap((target): WaitSighting[] => {
    const hold = flapHold(target, policy);
    return hold
      ? [{ kind: 'flap-hold', subject: `${target.site}/${target.stage}`, reason: hold.reason, until: hold.until }]
      : [];
  }),
  ...routing.flatMap((state): WaitSighting[] =>
    state.refusal && watched.includes(normalizeRecordName(state.record))
      ? [{ kind: 'switch-refused', subject: state.record, reason: state.refusal.message, since: state.refusal.since }]
      : [],
  ),
];
