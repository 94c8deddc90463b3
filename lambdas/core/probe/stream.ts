// Whether the platform's transmission stream is the one hcguard has been writing to. A platform
// that restarts (or rebuilds its stream) answers with a new epoch: the records sent before are
// gone from it, which is a reset to report once (`stream-reset`), not a loss to cry every round.
import { queryJson } from './jsonpath.ts';

export type StreamContinuity =
  | { readonly kind: 'continuous' }
  /** No epoch stored yet (a new counter, or the first commit since the probe read epochs). */
  | { readonly kind: 'first' }
  | { readonly kind: 'reset'; readonly previousEpoch: string; readonly epoch: string };

const CONTINUOUS: StreamContinuity = Object.freeze({ kind: 'continuous' });
const FIRST: StreamContinuity = Object.freeze({ kind: 'first' });

export const streamContinuity = (stored: string | undefined, observed: string | undefined): StreamContinuity => {
  if (observed === undefined) return CONTINUOUS;
  if (stored === undefined) return FIRST;
  return stored === observed ? CONTINUOUS : { kind: 'reset', previousEpoch: stored, epoch: observed };
};

/** The epoch in a response body, as text; undefined when it is absent or not a scalar. */
export const epochIn = (json: unknown, path: string): string | undefined => {
  const match = queryJson(json, path);
  const value = match.found ? match.value : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, 200) : undefined;
};

/** What a reset finding says: which stream, and which records went with the old epoch. */
export const resetMessage = (stream: string, seq: number, reset: Extract<StreamContinuity, { kind: 'reset' }>) =>
  `the platform's stream ${stream} was reset (epoch ${reset.previousEpoch.slice(0, 12)} → ` +
  `${reset.epoch.slice(0, 12)}): records up to ${seq - 1} sent before it are no longer on the platform; ` +
  `loss checks start again from ${seq}`;
