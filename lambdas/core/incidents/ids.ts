// Dedup keys and incident ids: the same problem always has the same key, so it opens one
// incident; an id is short enough to type at 3 a.m.
import { normalizeRecordName, type RoutingConditionKind } from '../model/routing.ts';
import type { FailureClass, Site, Stage } from '../model/vocabulary.ts';

/** What a probe incident is about: a failure class, or only "failed" / "degraded". */
export type ProblemClass = FailureClass | 'failed' | 'degraded';

export const probeDedupKey = (site: Site, stage: Stage, problem: ProblemClass): string =>
  `probe/${site}/${stage}/${problem}`;
export const conditionDedupKey = (kind: RoutingConditionKind, record: string): string =>
  `${kind}/${normalizeRecordName(record)}`;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const fnv1a = (text: string, seed: number): number => {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
};

/**
 * Short and typeable (`hcguard ack INC-7K3QZ2M`), derived from the dedup key and the instant it
 * opened: 35 bits of two FNV-1a hashes in Crockford base32 (no I, L, O, U to misread).
 */
export const incidentId = (dedupKey: string, openedAt: string): string => {
  const text = `${dedupKey}@${openedAt}`;
  const high = fnv1a(text, 0x811c9dc5);
  const low = fnv1a(text, 0x050c5d1f);
  let bits = (BigInt(high) << 32n) | BigInt(low);
  let id = '';
  for (let index = 0; index < 7; index++) {
    id = (CROCKFORD[Number(bits & 31n)] ?? '0') + id;
    bits >>= 5n;
  }
  return `INC-${id}`;
};

/** What operators type: any case, with or without the prefix, O for 0 and I/L for 1 forgiven. */
export const normalizeIncidentId = (input: string): string | undefined => {
  const text = input
    .trim()
    .toUpperCase()
    .replace(/^INC-?/, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{7}$/.test(text) ? `INC-${text}` : undefined;
};
