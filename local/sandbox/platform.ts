// The sandbox platform's data and rules, for both sites: declarations, transmission streams,
// issued codes and revocations. Each site replicates its writes to the other after a lag, so
// data written on the backup during a failover reaches the primary after repair. Data faults
// act here: `drop-writes` acknowledges without storing, `stale-replica` serves reads as of the
// fault's start, `tamper` alters what is stored or handed out, the verifier faults lie.
import {
  type CodeRecord,
  type Declaration,
  type Held,
  MAX_MISSING_LISTED,
  type PlatformOptions,
  type Receipt,
  type SiteData,
  type StreamState,
  type SubmitResult,
  type TransmissionRecord,
  type VerifyAnswer,
  hmacOf,
  sameHex,
  storeDeclaration,
  tamperCode,
  tamperPayload,
} from './platform-data.ts';
import { SITES, type Site, type Stage, otherSite } from '../../lambdas/core/model/vocabulary.ts';
import { createHash, randomUUID } from 'node:crypto';
import { shortHash } from '../../lambdas/core/probe/redact.ts';
import { verdictFor, wrongVerdict } from './codes.ts';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class SandboxPlatform {
  private readonly data: Record<Site, SiteData>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Streams live in memory: a restarted sandbox has none, and says so with a new epoch. */
  private readonly epoch = randomUUID();

  constructor(private readonly options: PlatformOptions) {
    const empty = (): SiteData => ({
      declarations: new Map(),
      requests: new Map(),
      subjects: new Map(),
      streams: new Map(),
      codes: new Map(),
      revocations: new Map(),
      expiredThrough: new Map(),
    });
    this.data = { primary: empty(), backup: empty() };
  }

  private nowMs(): number {
    return this.options.clock.now().getTime();
  }

  private has(
    site: Site,
    stage: Stage,
    mode: 'drop-writes' | 'stale-replica' | 'tamper' | 'wrong-verdict' | 'accept-all',
  ): boolean {
    return this.options.faults.find(site, stage, mode) !== undefined;
  }

  /** Reads on a stale replica see only what had landed when the fault began. */
  private visible(site: Site, stage: Stage): (storedAtMs: number) => boolean {
    const stale = this.options.faults.find(site, stage, 'stale-replica');
    if (!stale) return () => true;
    const since = Date.parse(stale.since);
    return (storedAtMs) => storedAtMs <= since;
  }

  /** Applies a write to the other site after the replication lag. */
  private replicate(from: Site, apply: (target: SiteData, storedAtMs: number) => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) apply(this.data[otherSite(from)], this.nowMs());
    }, this.options.replicationLagMs);
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ------------------------------------------------------------ collection

  submitDeclaration(site: Site, input: Omit<Declaration, 'id' | 'receivedAt' | 'origin'>): SubmitResult {
    const data = this.data[site];
    if (input.requestId !== undefined) {
      // Idempotent per site: a client retry with the same requestId gets the first answer.
      const existing = data.declarations.get(data.requests.get(input.requestId) ?? '');
      if (existing)
        return { declaration: { id: existing.item.id, receivedAt: existing.item.receivedAt }, replayed: true };
    }
    const receivedAt = this.options.clock.now().toISOString();
    const stored: Declaration = {
      ...input,
      // A tampering fault changes what is stored, not what the client is told.
      ...(this.has(site, 'collection', 'tamper')
        ? { temperature: Math.round((input.temperature + 1.5) * 10) / 10 }
        : {}),
      id: randomUUID(),
      receivedAt,
      origin: site,
    };
    if (!this.has(site, 'collection', 'drop-writes')) {
      storeDeclaration(data, { item: stored, storedAtMs: this.nowMs() });
      if (stored.requestId !== undefined) data.requests.set(stored.requestId, stored.id);
      this.replicate(site, (target, storedAtMs) => storeDeclaration(target, { item: stored, storedAtMs }));
    }
    return { declaration: { id: stored.id, receivedAt }, replayed: false };
  }

  readDeclaration(site: Site, id: string): Declaration | undefined {
    const held = this.data[site].declarations.get(id);
    return held && this.visible(site, 'collection')(held.storedAtMs) ? held.item : undefined;
  }

  private latestDeclaration(site: Site, subjectId: string): Declaration | undefined {
    const visible = this.visible(site, 'collection');
    const data = this.data[site];
    let latest: Declaration | undefined;
    for (const id of data.subjects.get(subjectId) ?? []) {
      const held = data.declarations.get(id);
      if (held && visible(held.storedAtMs) && (!latest || held.item.declaredAt > latest.declaredAt)) latest = held.item;
    }
    return latest;
  }

  // ------------------------------------------------------------ transmission

  receiveRecord(
    site: Site,
    input: { stream: string; sequence: number; payload: string; hmac: string; recordId?: string; testData: boolean },
  ): { receipt: Receipt } | { rejected: 'bad-hmac' } {
    if (!sameHex(input.hmac, hmacOf(this.options.transmissionKey, input.stream, input.sequence, input.payload)))
      return { rejected: 'bad-hmac' };
    const payload = this.has(site, 'transmission', 'tamper') ? tamperPayload(input.payload) : input.payload;
    const receivedAt = this.options.clock.now().toISOString();
    const data = this.data[site];
    const stream = data.streams.get(input.stream) ?? new Map<number, Held<TransmissionRecord>>();
    const duplicate = stream.has(input.sequence);
    if (!duplicate && !this.has(site, 'transmission', 'drop-writes')) {
      const record: TransmissionRecord = {
        stream: input.stream,
        sequence: input.sequence,
        payload,
        hmac: input.hmac,
        sha256: sha256(payload),
        ...(input.recordId === undefined ? {} : { recordId: input.recordId }),
        testData: input.testData,
        receivedAt,
        origin: site,
      };
      stream.set(input.sequence, { item: record, storedAtMs: this.nowMs() });
      data.streams.set(input.stream, stream);
      this.replicate(site, (target, storedAtMs) => {
        const replica = target.streams.get(record.stream) ?? new Map<number, Held<TransmissionRecord>>();
        if (!replica.has(record.sequence)) replica.set(record.sequence, { item: record, storedAtMs });
        target.streams.set(record.stream, replica);
      });
    }
    return {
      receipt: {
        stream: input.stream,
        sequence: input.sequence,
        sha256: sha256(payload),
        receivedAt,
        duplicate,
        epoch: this.epoch,
      },
    };
  }

  streamState(site: Site, streamName: string, window?: { from?: number; to?: number }): StreamState {
    const visible = this.visible(site, 'transmission');
    const held = [...(this.data[site].streams.get(streamName)?.values() ?? [])].filter((entry) =>
      visible(entry.storedAtMs),
    );
    const sequences = new Set(held.map((entry) => entry.item.sequence));
    const expiredThrough = this.data[site].expiredThrough.get(streamName) ?? 0;
    const highestSequence = held.reduce((highest, entry) => Math.max(highest, entry.item.sequence), expiredThrough);
    let lastContiguousSequence = expiredThrough;
    while (sequences.has(lastContiguousSequence + 1)) lastContiguousSequence++;
    const from = Math.max(1, expiredThrough + 1, window?.from ?? 1);
    const to = window?.to ?? highestSequence;
    const missing: number[] = [];
    let missingTruncated = false;
    for (let sequence = from; sequence <= to; sequence++) {
      if (sequences.has(sequence)) continue;
      if (missing.length === MAX_MISSING_LISTED) {
        missingTruncated = true;
        break;
      }
      missing.push(sequence);
    }
    return {
      stream: streamName,
      lastContiguousSequence,
      highestSequence,
      records: held.length,
      missing,
      missingTruncated,
    };
  }

  readRecord(site: Site, streamName: string, sequence: number): TransmissionRecord | undefined {
    const held = this.data[site].streams.get(streamName)?.get(sequence);
    return held && this.visible(site, 'transmission')(held.storedAtMs) ? held.item : undefined;
  }

  // ------------------------------------------------------------ verification

  issueCode(site: Site, input: { subjectId: string; testData: boolean }): { code: string; record: CodeRecord } {
    const now = this.options.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const record: CodeRecord = {
      codeId: randomUUID(),
      subjectId: input.subjectId,
      verdict: verdictFor(this.latestDeclaration(site, input.subjectId)),
      issuedAt: new Date(iat * 1000).toISOString(),
      expiresAt: new Date((iat + this.options.codeTtlSeconds) * 1000).toISOString(),
      testData: input.testData,
      origin: site,
    };
    const signed = this.options.signer.issue({
      v: 1,
      cid: record.codeId,
      sub: record.subjectId,
      col: record.verdict,
      iat,
      exp: iat + this.options.codeTtlSeconds,
      ...(input.testData ? { test: true } : {}),
    });
    if (!this.has(site, 'verification', 'drop-writes')) {
      this.data[site].codes.set(record.codeId, { item: record, storedAtMs: this.nowMs() });
      this.replicate(site, (target, storedAtMs) => {
        if (!target.codes.has(record.codeId)) target.codes.set(record.codeId, { item: record, storedAtMs });
      });
    }
    // A tampered issuer hands out a code altered after signing: no verifier can accept it.
    const code = this.has(site, 'verification', 'tamper') ? tamperCode(signed) : signed;
    return { code, record };
  }

  verifyCode(site: Site, code: string): VerifyAnswer {
    const answer = this.honestVerify(site, code);
    if (this.has(site, 'verification', 'accept-all') && !answer.valid) {
      return {
        valid: true,
        verdict: 'green',
        codeId: randomUUID(),
        subjectRef: shortHash(code),
        expiresAt: new Date(this.nowMs() + 86_400_000).toISOString(),
      };
    }
    if (this.has(site, 'verification', 'wrong-verdict') && answer.valid)
      return { ...answer, verdict: wrongVerdict(answer.verdict) };
    return answer;
  }

  private honestVerify(site: Site, code: string): VerifyAnswer {
    const checked = this.options.signer.check(code);
    if ('problem' in checked) return { valid: false, reason: checked.problem };
    const { claims } = checked;
    const visible = this.visible(site, 'verification');
    const held = this.data[site].codes.get(claims.cid);
    if (!held || !visible(held.storedAtMs)) return { valid: false, reason: 'unknown-code' };
    const revokedAt = this.data[site].revocations.get(claims.cid);
    if (revokedAt !== undefined && visible(revokedAt)) return { valid: false, reason: 'revoked' };
    if (claims.exp * 1000 <= this.nowMs()) return { valid: false, reason: 'expired' };
    return {
      valid: true,
      verdict: claims.col,
      codeId: claims.cid,
      subjectRef: shortHash(claims.sub),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    };
  }

  revoke(
    site: Site,
    input: { code?: string; codeId?: string },
  ): { codeId: string } | { problem: 'unknown-code' | 'malformed-code' | 'bad-signature' } {
    let codeId = input.codeId;
    if (input.code !== undefined) {
      const checked = this.options.signer.check(input.code);
      if ('problem' in checked) return { problem: checked.problem };
      codeId = checked.claims.cid;
    }
    if (codeId === undefined || !this.data[site].codes.has(codeId)) return { problem: 'unknown-code' };
    const revokedCode = codeId;
    if (!this.has(site, 'verification', 'drop-writes')) {
      this.data[site].revocations.set(revokedCode, this.nowMs());
      this.replicate(site, (target, storedAtMs) => {
        if (!target.revocations.has(revokedCode)) target.revocations.set(revokedCode, storedAtMs);
      });
    }
    return { codeId: revokedCode };
  }

  /** Drops what landed before the retention period; expired records count as held, not lost. */
  expire(): void {
    const cutoff = this.nowMs() - this.options.retentionMs;
    for (const data of Object.values(this.data)) {
      for (const [id, held] of data.declarations) {
        if (held.storedAtMs >= cutoff) continue;
        data.declarations.delete(id);
        if (held.item.requestId !== undefined && data.requests.get(held.item.requestId) === id)
          data.requests.delete(held.item.requestId);
        const ids = data.subjects.get(held.item.subjectId);
        ids?.delete(id);
        if (ids?.size === 0) data.subjects.delete(held.item.subjectId);
      }
      for (const [name, stream] of data.streams) {
        for (const [sequence, held] of stream) {
          if (held.storedAtMs >= cutoff) continue;
          stream.delete(sequence);
          data.expiredThrough.set(name, Math.max(data.expiredThrough.get(name) ?? 0, sequence));
        }
        if (stream.size === 0) data.streams.delete(name);
      }
      for (const [id, held] of data.codes) {
        if (held.storedAtMs >= cutoff) continue;
        data.codes.delete(id);
        data.revocations.delete(id);
      }
    }
  }

  /** The keys a checkpoint verifier needs to check codes offline. */
  keys(): { kid: string; alg: 'Ed25519'; publicKeyPem: string }[] {
    return [{ kid: this.options.signer.keyId, alg: 'Ed25519', publicKeyPem: this.options.signer.publicKeyPem() }];
  }

  // ------------------------------------------------------------ admin (data checks for drills)

  /**
   * How many times each id is held on a site (what is stored, whatever faults say): a
   * declaration's id or requestId, a transmission record's recordId or `<stream>#<sequence>`,
   * a code's id. 0 = lost, 2+ = duplicated.
   */
  countRecords(site: Site, ids: readonly string[]): Record<string, number> {
    const data = this.data[site];
    const counts: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
    const bump = (id: string | undefined) => {
      if (id !== undefined && Object.hasOwn(counts, id)) counts[id] = (counts[id] ?? 0) + 1;
    };
    for (const { item } of data.declarations.values()) {
      bump(item.id);
      if (item.requestId !== item.id) bump(item.requestId);
    }
    for (const stream of data.streams.values()) {
      for (const { item } of stream.values()) {
        bump(`${item.stream}#${item.sequence}`);
        bump(item.recordId);
      }
    }
    for (const { item } of data.codes.values()) bump(item.codeId);
    return counts;
  }

  /** Sizes of each site's stores, for the health endpoint. */
  stats(): Record<Site, { declarations: number; records: number; codes: number; revocations: number }> {
    const of = (site: Site) => {
      const data = this.data[site];
      return {
        declarations: data.declarations.size,
        records: [...data.streams.values()].reduce((sum, stream) => sum + stream.size, 0),
        codes: data.codes.size,
        revocations: data.revocations.size,
      };
    };
    return Object.fromEntries(SITES.map((site) => [site, of(site)])) as Record<Site, ReturnType<typeof of>>;
  }
}
