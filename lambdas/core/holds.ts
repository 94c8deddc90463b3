// Why a target is held where it is, and until when: the answer to "why is this still failing?".
// A flap hold keeps a target at failing while `flap.changes` health changes lie within
// `flap.windowMinutes`; it ends when enough of them have aged out of the window (assuming no new
// change comes, which would move the end later).
import type { HcguardConfig } from './config/schema.ts';
import type { TargetState } from './model/probing.ts';

export interface Hold {
  readonly kind: 'flap';
  /** ISO instant the hold ends if no new change comes. */
  readonly until: string;
  readonly reason: string;
}

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
