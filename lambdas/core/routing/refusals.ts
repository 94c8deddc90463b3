// Why the controller will not switch a record, in codes a test can match and words an operator reads.
import type { Site } from '../model/vocabulary.ts';
import type { FailoverDecision, PolicyInput } from './policy.ts';

export const REFUSAL_CODES = [
  'target-unhealthy',
  'no-healthy-site',
  'no-quorum',
  'dwell',
  'locked',
  'automatic-off',
  'not-stable',
  'already-active',
  'switch-in-progress',
  'record-unrecognised',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  /** One line an operator understands, naming stages, instants and people. */
  readonly detail: string;
}

/** The few words each refusal adds to a "cannot fail over" incident's title. */
export const REFUSAL_HEADLINES: Readonly<Record<RefusalCode, (to: Site) => string>> = {
  'target-unhealthy': (to) => `${to} unhealthy`,
  'no-healthy-site': () => 'both sites failing',
  'no-quorum': (to) => `no quorum on ${to}`,
  dwell: () => 'dwell time',
  locked: () => 'routing locked',
  'automatic-off': () => 'automatic failover off',
  'not-stable': () => 'primary not stable yet',
  'already-active': (to) => `${to} already active`,
  'switch-in-progress': () => 'switch in progress',
  'record-unrecognised': () => 'record value unrecognised',
};

/** A refusal decision; automatic ones also carry the condition that keeps their incident open. */
export const refuse = (
  input: PolicyInput,
  from: Site,
  to: Site,
  refusals: readonly Refusal[],
  withCondition = false,
): FailoverDecision => {
  const name = input.record.name;
  const why = refusals.map((refusal) => refusal.detail).join('; ');
  const message = `cannot switch ${name} from ${from} to ${to}: ${why}`;
  if (!withCondition) return { kind: 'refuse', from, to, refusals, message };
  const kind = refusals.some((refusal) => refusal.code === 'no-healthy-site') ? 'no-healthy-site' : 'cannot-fail-over';
  const title =
    kind === 'no-healthy-site'
      ? `no healthy site: ${name} stays on ${from}, ${input.record.stage} fails on both sites`
      : `cannot fail over: ${name} stays on ${from} — ` +
        `${refusals.map((refusal) => REFUSAL_HEADLINES[refusal.code](to)).join(', ')}`;
  return { kind: 'refuse', from, to, refusals, message, condition: { kind, record: name, title, detail: why } };
};
