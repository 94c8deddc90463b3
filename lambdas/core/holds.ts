// Why a target is held where it is, and until when: the answer to "why is this still failing?".
// A flap hold keeps a target at failing while `flap.changes` health changes lie within
// `flap.windowMinutes`; it ends when enough of them have aged out of the window (assuming no new
// change comes, which would move the end later).
import type { HcguardConfig } from './config/schema.ts';
import type { AuditEntry } from './model/audit.ts';
import type { TargetState, TargetWrite } from './model/probing.ts';
import type { Actor, Site, Stage } from './model/vocabulary.ts';

export interface Hold {
  readonly kind: 'flap';
  /** ISO instant the hold ends if no new change comes. */
  readonly until: string;
  readonly reason: string;
}

/** The command that ends a flap hold early, as every hint spells it. */
export const holdClearCommand = (site: Site, stage: Stage): string =>
  `hcguard hold clear ${site}/${stage} --reason "..."`;

export const flapHold = (
  target: Pick<TargetState, 'flapping' | 'recentChanges'>,
  policy: Pick<HcguardConfig['detection'], 'flap'>,
): Hold | undefined => {
  if (!target.flapping) return undefined;
  const { changes, windowMinutes } = policy.flap;
  const sorted = [...target.recentChanges].sort();
  // The hold lasts while `changes` or more lie in the window: it ends when the one that keeps the
  // count at `changes` (counting from the newest) ages out.
  const deciding = sorted[sorted.length - changes] ?? sorted[0];
  if (deciding === undefined) return undefined;
  const until = new Date(Date.parse(deciding) + windowMinutes * 60_000).toISOString();
  return {
    kind: 'flap',
    until,
    reason: `${sorted.length} health changes within ${windowMinutes} min (flap limit ${changes}): held at failing`,
  };
};

export type ClearHoldDecision =
  | {
      readonly ok: true;
      readonly write: TargetWrite;
      readonly audit: AuditEntry;
      readonly message: string;
    }
  | { readonly ok: false; readonly message: string };

/**
 * `hcguard hold clear <site>/<stage> --reason …`: ends a flap hold now. The target takes the
 * health its streaks justify (still failing if it really fails) and its change history starts
 * afresh, so the next change does not bring the hold straight back; written only over the version
 * read, and audited with the reason.
 */
export const clearFlapHold = (
  target: TargetState | undefined,
  where: { readonly site: Site; readonly stage: Stage },
  command: { readonly actor: Actor; readonly reason: string },
  policy: Pick<HcguardConfig['detection'], 'flap'>,
  now: Date,
): ClearHoldDecision => {
  const name = `${where.site}/${where.stage}`;
  if (!target) return { ok: false, message: `${name} has not been probed yet: there is no hold to clear` };
  const hold = flapHold(target, policy);
  if (!hold) return { ok: false, message: `${name} is not held (it is ${target.health}): nothing to clear` };
  const at = now.toISOString();
  const health = target.observedHealth ?? target.health;
  const next: TargetState = {
    ...target,
    health,
    since: health === target.health ? target.since : at,
    recentChanges: [],
    flapping: false,
    version: target.version + 1,
  };
  return {
    ok: true,
    write: { target: next, expectedVersion: target.version },
    audit: {
      at,
      actor: command.actor,
      action: 'hold.clear',
      subject: `target:${name}`,
      detail: { hold: hold.kind, heldUntil: hold.until, reason: command.reason, health },
    },
    message:
      `cleared the flap hold on ${name} (it would have ended ${hold.until}); it is ${health} now, ` +
      'and the next round evaluates it as usual',
  };
};

/**
 * Whether `added` more health changes (a drill's fault and its recovery are two) would bring a
 * flap hold now, and from when they would not: the instant enough of the recent changes have
 * aged out of the window. `until` is absent when no wait helps (the limit is `added` or fewer).
 */
export const flapRisk = (
  target: Pick<TargetState, 'recentChanges'>,
  policy: Pick<HcguardConfig['detection'], 'flap'>,
  now: Date,
  added = 2,
): { readonly changes: number; readonly until?: string } | undefined => {
  const { changes, windowMinutes } = policy.flap;
  const windowMs = windowMinutes * 60_000;
  const recent = target.recentChanges.filter((at) => Date.parse(at) > now.getTime() - windowMs).sort();
  if (recent.length + added < changes) return undefined;
  const keep = changes - added - 1;
  if (keep < 0) return { changes: recent.length };
  const deciding = recent[recent.length - keep - 1] as string;
  return { changes: recent.length, until: new Date(Date.parse(deciding) + windowMs).toISOString() };
};
