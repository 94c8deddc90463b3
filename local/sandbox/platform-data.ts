// The sandbox platform's records and the small rules they obey: what a site stores, what it
// answers, how a receipt is signed and how a fault tampers with a record.
import type { Clock } from '../../lambdas/ports.ts';
import type { CodeSigner, Verdict } from './codes.ts';
import type { SandboxFaults } from './faults.ts';
import type { Site } from '../../lambdas/core/model/vocabulary.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Declaration {
  readonly id: string;
  readonly requestId?: string;
  readonly subjectId: string;
  readonly name: string;
  readonly phone?: string;
  readonly temperature: number;
  readonly symptoms: readonly string[];
  readonly travel: readonly string[];
  readonly declaredAt: string;
  readonly testData: boolean;
  readonly receivedAt: string;
  /** The site that took the submission (the other one holds a replica). */
  readonly origin: Site;
}

export interface TransmissionRecord {
  readonly stream: string;
  readonly sequence: number;
  readonly payload: string;
  readonly hmac: string;
  readonly sha256: string;
  readonly recordId?: string;
  readonly testData: boolean;
  readonly receivedAt: string;
  readonly origin: Site;
}

export interface CodeRecord {
  readonly codeId: string;
  readonly subjectId: string;
  readonly verdict: Verdict;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly testData: boolean;
  readonly origin: Site;
}

/** An item as one site holds it: when it landed there decides what a stale replica shows. */
export interface Held<T> {
  readonly item: T;
  readonly storedAtMs: number;
}

export interface SiteData {
  readonly declarations: Map<string, Held<Declaration>>;
  /** requestId → declaration id, for submissions this site took itself (idempotent retries). */
  readonly requests: Map<string, string>;
  /** subjectId → declaration ids, for the verdict of a newly issued code. */
  readonly subjects: Map<string, Set<string>>;
  readonly streams: Map<string, Map<number, Held<TransmissionRecord>>>;
  readonly codes: Map<string, Held<CodeRecord>>;
  /** codeId → when the revocation landed on this site. */
  readonly revocations: Map<string, number>;
  /** stream → highest sequence number dropped by retention: counted as held, never as missing. */
  readonly expiredThrough: Map<string, number>;
}

export interface PlatformOptions {
  readonly clock: Clock;
  readonly faults: SandboxFaults;
  readonly signer: CodeSigner;
  /** HMAC key transmission records are signed with. */
  readonly transmissionKey: string;
  readonly replicationLagMs: number;
  readonly codeTtlSeconds: number;
  /** Data older than this is dropped by `expire`, so a sandbox left running for days stays small. */
  readonly retentionMs: number;
}

export type SubmitResult = { readonly declaration: Pick<Declaration, 'id' | 'receivedAt'>; readonly replayed: boolean };

export interface Receipt {
  readonly stream: string;
  readonly sequence: number;
  /** SHA-256 of the payload as the platform received (and stored) it. */
  readonly sha256: string;
  readonly receivedAt: string;
  /** The stream already held this sequence number; the first copy is kept. */
  readonly duplicate: boolean;
  /** This sandbox process's stream epoch: a restarted sandbox has lost its streams. */
  readonly epoch: string;
}

export interface StreamState {
  readonly stream: string;
  readonly lastContiguousSequence: number;
  readonly highestSequence: number;
  readonly records: number;
  /** Sequence numbers absent within the asked window (or 1…highest), at most MAX_MISSING_LISTED. */
  readonly missing: readonly number[];
  readonly missingTruncated: boolean;
}

export type VerifyAnswer =
  | {
      readonly valid: true;
      readonly verdict: Verdict;
      readonly codeId: string;
      readonly subjectRef: string;
      readonly expiresAt: string;
    }
  | {
      readonly valid: false;
      readonly reason: 'malformed-code' | 'bad-signature' | 'unknown-code' | 'revoked' | 'expired';
    };

export const MAX_MISSING_LISTED = 1_000;

export const hmacOf = (key: string, stream: string, sequence: number, payload: string) =>
  createHmac('sha256', key).update(`${stream}:${sequence}:${payload}`, 'utf8').digest('hex');

export const sameHex = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
};

/** What a `tamper` fault does to a payload in flight: the kind of edit an attacker would make. */
export const tamperPayload = (payload: string): string => `${payload.slice(0, -1)}${payload.endsWith('0') ? '1' : '0'}`;

/** Stores a declaration unless the site holds it already (replication is idempotent by id). */
export const storeDeclaration = (data: SiteData, held: Held<Declaration>): void => {
  if (data.declarations.has(held.item.id)) return;
  data.declarations.set(held.item.id, held);
  const ids = data.subjects.get(held.item.subjectId) ?? new Set<string>();
  ids.add(held.item.id);
  data.subjects.set(held.item.subjectId, ids);
};

/** Changes one character of a code's claims part, so its signature no longer matches. */
export const tamperCode = (code: string): string => {
  const [prefix, claims, signature] = code.split('.');
  if (!prefix || !claims || signature === undefined) return code;
  const index = Math.floor(claims.length / 2);
  const char = claims.charAt(index);
  return `${prefix}.${claims.slice(0, index)}${char === 'A' ? 'B' : 'A'}${claims.slice(index + 1)}.${signature}`;
};
