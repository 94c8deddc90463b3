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
