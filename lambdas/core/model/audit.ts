// The audit log's one line: every decision, with who or what caused it.
import type { Actor } from './vocabulary.ts';

/** One append-only audit line: every decision, with who or what caused it. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: Actor;
  readonly action: string;
  readonly subject: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  readonly drillId?: string;
}

/**
 * Where an entry sits in its subject's chain: entries of one subject (a record, `routing`, an
 * incident) are numbered from 1 and each carries the hash of the one before, so a changed,
 * removed or inserted entry shows as a break (core/audit-chain.ts).
 */
export interface AuditChainLink {
  readonly seq: number;
  /** The previous entry's hash; 64 zeros for the first. */
  readonly prev: string;
  /** SHA-256 (hex) over the entry's fields and `seq` and `prev`. */
  readonly hash: string;
}

export type ChainedAuditEntry = AuditEntry & { readonly chain: AuditChainLink };

/** What the log hands back: entries written before chaining began have no link. */
export type StoredAuditEntry = AuditEntry & { readonly chain?: AuditChainLink };
