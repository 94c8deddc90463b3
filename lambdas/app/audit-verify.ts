// Reads every audit chain and the day log, and lets the core judge them (core/audit-chain.ts).
import { verifyAudit, type AuditVerification } from '../core/audit-chain.ts';
import type { StoredAuditEntry } from '../core/model/audit.ts';
import type { AuditLog } from '../ports.ts';

/** More day-log entries than this in the window are not compared (the report says so). */
export const MAX_COMPARED_COPIES = 100_000;

export interface AuditVerifyReport extends AuditVerification {
  /** From when the day log was compared with the chains. */
  readonly copiesSince?: string;
  readonly copiesTruncated: boolean;
}

export const verifyAuditLog = async (
  auditLog: AuditLog,
  options: { readonly since?: string; readonly signal?: AbortSignal } = {},
): Promise<AuditVerifyReport> => {
  const { signal } = options;
  const chains = new Map<string, StoredAuditEntry[]>();
  for (const subject of (await auditLog.subjects(signal)).sort())
    chains.set(subject, await auditLog.chain(subject, signal));
  const firsts = [...chains.values()].flatMap((links) => (links[0] ? [links[0].at] : [])).sort();
  const since = options.since ?? firsts[0];
  const copies = await auditLog.list({ ...(since ? { since } : {}), limit: MAX_COMPARED_COPIES }, signal);
  return {
    ...verifyAudit(chains, copies),
    ...(since ? { copiesSince: since } : {}),
    copiesTruncated: copies.length >= MAX_COMPARED_COPIES,
  };
};
