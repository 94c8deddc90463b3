// The audit log's tamper evidence. Each subject's entries form a hash chain; verifying walks every
// chain and compares the day log (the copy `history` reads) with it. IAM already denies updating
// or deleting audit items, so a break means someone wrote around hcguard, or storage lost data.
import { createHash } from 'node:crypto';
import type { AuditChainLink, AuditEntry, ChainedAuditEntry, StoredAuditEntry } from './model/audit.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a hash covers, in a fixed order (detail keys sorted), so equal entries hash equal. */
const hashedFields = (entry: AuditEntry, seq: number, prev: string): string =>
  JSON.stringify([
    seq,
    prev,
    entry.subject,
    entry.at,
    entry.actor,
    entry.action,
    Object.entries(entry.detail ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    entry.drillId ?? null,
  ]);

export const auditHash = (entry: AuditEntry, seq: number, prev: string): string =>
  createHash('sha256')
    .update(hashedFields(entry, seq, prev), 'utf8')
    .digest('hex');

/** `entry` as the next link after `head` (the subject's last chained entry; none for the first). */
export const chainEntry = (entry: AuditEntry, head?: AuditChainLink): ChainedAuditEntry => {
  const { chain: _ignored, ...fields } = entry as StoredAuditEntry;
  const seq = (head?.seq ?? 0) + 1;
  const prev = head?.hash ?? GENESIS_HASH;
  return { ...fields, chain: { seq, prev, hash: auditHash(fields, seq, prev) } };
};

export interface AuditBreak {
  readonly subject: string;
  /** The first entry that does not verify (or the first one missing). */
  readonly seq: number;
  readonly at?: string;
  readonly reason: string;
}

/** The first place where one subject's chain (links in sequence order) does not hold, if any. */
export const chainBreak = (subject: string, links: readonly StoredAuditEntry[]): AuditBreak | undefined => {
  let previous: AuditChainLink | undefined;
  for (const entry of links) {
    const link = entry.chain;
    const expected = (previous?.seq ?? 0) + 1;
    const where = { subject, at: entry.at };
    if (!link) return { ...where, seq: expected, reason: 'an entry in the chain has no link' };
    if (entry.subject !== subject)
      return { ...where, seq: link.seq, reason: `entry ${link.seq} belongs to subject ${entry.subject}` };
    if (link.seq !== expected) {
      const missing = link.seq - 1 === expected ? `entry ${expected} is` : `entries ${expected}–${link.seq - 1} are`;
      const reason =
        link.seq > expected
          ? `${missing} missing (the chain jumps from ${expected - 1} to ${link.seq})`
          : `entry ${link.seq} appears twice`;
      return { ...where, seq: expected, reason };
    }
    if (link.prev !== (previous?.hash ?? GENESIS_HASH))
      return { ...where, seq: link.seq, reason: `entry ${link.seq} does not follow entry ${expected - 1}` };
    if (link.hash !== auditHash(entry, link.seq, link.prev))
      return { ...where, seq: link.seq, reason: `entry ${link.seq} was changed after it was written` };
    previous = link;
  }
  return undefined;
};

export interface AuditVerification {
  readonly subjects: number;
  /** Chained entries that verified, over every subject. */
  readonly entries: number;
  /** Day-log entries compared with their chain. */
  readonly copies: number;
  /** Day-log entries written before chaining began (nothing to verify them against). */
  readonly unchained: number;
  /** Every chain's first break, then every day-log entry that differs from its chain. */
  readonly breaks: readonly AuditBreak[];
}

/**
 * Verifies every chain and each day-log copy against its chain link: a copy changed, or one
 * claiming a link its chain lacks, is a break too.
 */
export const verifyAudit = (
  chains: ReadonlyMap<string, readonly StoredAuditEntry[]>,
  copies: readonly StoredAuditEntry[],
): AuditVerification => {
  const breaks: AuditBreak[] = [];
  const hashes = new Map<string, string>();
  let entries = 0;
  for (const [subject, links] of chains) {
    const broken = chainBreak(subject, links);
    if (broken) breaks.push(broken);
    for (const entry of links) {
      if (broken && entry.chain && entry.chain.seq >= broken.seq) break;
      if (entry.chain) hashes.set(`${subject}\n${entry.chain.seq}`, entry.chain.hash);
      entries++;
    }
  }
  let unchained = 0;
  for (const copy of copies) {
    if (!copy.chain) {
      unchained++;
      continue;
    }
    const { seq } = copy.chain;
    const where = { subject: copy.subject, seq, at: copy.at };
    const inChain = hashes.get(`${copy.subject}\n${seq}`);
    if (copy.chain.hash !== auditHash(copy, seq, copy.chain.prev))
      breaks.push({ ...where, reason: `the day log's copy of entry ${seq} was changed after it was written` });
    else if (inChain === undefined && !breaks.some((entry) => entry.subject === copy.subject))
      breaks.push({ ...where, reason: `the day log holds entry ${seq}, which its chain does not` });
    else if (inChain !== undefined && inChain !== copy.chain.hash)
      breaks.push({ ...where, reason: `the day log's copy of entry ${seq} differs from the chain` });
  }
  return {
    subjects: chains.size,
    entries,
    copies: copies.length - unchained,
    unchained,
    breaks,
  };
};
