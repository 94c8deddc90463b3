import { describe, expect, it } from 'vitest';
import { auditHash, chainBreak, chainEntry, GENESIS_HASH, verifyAudit } from '../../lambdas/core/audit-chain.ts';
import type { AuditEntry, StoredAuditEntry } from '../../lambdas/core/model/audit.ts';

const entry = (minute: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: `2026-11-22T10:${String(minute).padStart(2, '0')}:00.000Z`,
  actor: 'controller',
  action: `step.${minute}`,
  subject: 'verify.hc.example.com',
  ...extra,
});

const chainOf = (count: number): StoredAuditEntry[] => {
  const links: StoredAuditEntry[] = [];
  for (let minute = 0; minute < count; minute++) links.push(chainEntry(entry(minute), links.at(-1)?.chain));
  return links;
};

describe('audit chain', () => {
  it('hashes the same fields the same way whatever the order of detail keys, and any change differently', () => {
    const a = auditHash(entry(0, { detail: { from: 'primary', to: 'backup' } }), 1, GENESIS_HASH);
    expect(auditHash(entry(0, { detail: { to: 'backup', from: 'primary' } }), 1, GENESIS_HASH)).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    for (const changed of [
      auditHash(entry(0, { detail: { from: 'primary', to: 'primary' } }), 1, GENESIS_HASH),
      auditHash(entry(0, { detail: { from: 'primary', to: 'backup' }, drillId: 'DRILL-1' }), 1, GENESIS_HASH),
      auditHash(entry(0, { detail: { from: 'primary', to: 'backup' }, actor: 'operator:li' }), 1, GENESIS_HASH),
      auditHash(entry(0, { detail: { from: 'primary', to: 'backup' } }), 2, GENESIS_HASH),
      auditHash(entry(0, { detail: { from: 'primary', to: 'backup' }, subject: 'routing' }), 1, GENESIS_HASH),
    ])
      expect(changed).not.toBe(a);
  });

  it('links an entry after the head and ignores a link the entry already carried', () => {
    const [first] = chainOf(1);
    const second = chainEntry({ ...entry(1), chain: { seq: 99, prev: 'x', hash: 'y' } } as AuditEntry, first?.chain);
    expect(second.chain).toEqual({
      seq: 2,
      prev: first?.chain?.hash,
      hash: auditHash(entry(1), 2, first!.chain!.hash),
    });
  });

  const links = chainOf(4);
  it.each([
    { name: 'an intact chain', chain: links, expected: undefined },
    { name: 'an empty chain', chain: [], expected: undefined },
    {
      name: 'an entry without a link',
      chain: [links[0]!, { ...links[1]!, chain: undefined }],
      expected: { seq: 2, reason: 'an entry in the chain has no link' },
    },
    {
      name: 'a link of another subject',
      chain: [{ ...links[0]!, subject: 'routing' }],
      expected: { seq: 1, reason: 'entry 1 belongs to subject routing' },
    },
    {
      name: 'the first entry deleted',
      chain: links.slice(1),
      expected: { seq: 1, reason: 'entry 1 is missing (the chain jumps from 0 to 2)' },
    },
    {
      name: 'two entries deleted',
      chain: [links[0]!, links[3]!],
      expected: { seq: 2, reason: 'entries 2–3 are missing (the chain jumps from 1 to 4)' },
    },
    {
      name: 'an entry repeated',
      chain: [links[0]!, links[1]!, links[1]!],
      expected: { seq: 3, reason: 'entry 2 appears twice' },
    },
    {
      name: 'entries swapped',
      chain: [links[0]!, { ...links[2]!, chain: { ...links[2]!.chain!, seq: 2 } }],
      expected: { seq: 2, reason: 'entry 2 does not follow entry 1' },
    },
  ])('$name', ({ chain, expected }) => {
    const found = chainBreak('verify.hc.example.com', chain);
    expect(found).toEqual(
      expected ? expect.objectContaining({ subject: 'verify.hc.example.com', ...expected }) : undefined,
    );
  });

  it('counts verified entries up to a break, unchained day-log entries, and copies its chain lacks', () => {
    const chains = new Map([['verify.hc.example.com', [links[0]!, links[1]!, links[3]!]]]);
    const older = { ...entry(0), at: '2026-11-01T00:00:00.000Z' };
    const verification = verifyAudit(chains, [older, ...links]);
    expect(verification).toMatchObject({ subjects: 1, entries: 2, copies: 4, unchained: 1 });
    expect(verification.breaks).toEqual([
      expect.objectContaining({ seq: 3, reason: 'entry 3 is missing (the chain jumps from 2 to 4)' }),
    ]);
    const other = chainEntry(entry(5, { subject: 'routing' }));
    expect(verifyAudit(new Map(), [other]).breaks).toEqual([
      expect.objectContaining({
        subject: 'routing',
        seq: 1,
        reason: 'the day log holds entry 1, which its chain does not',
      }),
    ]);
  });
});
