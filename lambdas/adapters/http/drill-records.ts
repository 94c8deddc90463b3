// DrillRecordWriter over HTTP: during a drill, synthetic declarations go to the collection API of
// the site citizens are sent to (`POST <collection base>/declarations`, the shape the built-in
// collection probe uses); afterwards each one is counted on the primary. The sandbox counts
// exactly (`POST /_sandbox/records/check` by requestId: 0 lost, 2+ duplicated); a real platform
// is read back by the id it returned (`GET <collection base>/declarations/<id>`: found or not —
// duplicates are invisible that way, and the report says which method counted).
import { createHash } from 'node:crypto';
import type { HcguardConfig } from '../../core/config/schema.ts';
import type { Site } from '../../core/model/vocabulary.ts';
import { syntheticIdentity } from '../../core/probe/synthetic.ts';
import type { DrillRecordWriter } from '../../ports.ts';
import { requestJson, type JsonReply } from './json-request.ts';

export interface DrillRecordWriterOptions {
  readonly config: Pick<HcguardConfig, 'sites'>;
  /** The sandbox's admin origin: exact counts. Absent for a real platform: read-back by id. */
  readonly sandboxUrl?: string;
  readonly fetch?: typeof fetch;
  /** Each request gives up after this long. Default 5 s. */
  readonly timeoutMs?: number;
  /** Read-backs at once on a real platform. Default 8. */
  readonly concurrency?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** A declaration that says plainly it is test data, derived from the record id (no randomness needed). */
export const drillDeclaration = (recordId: string, declaredAt: Date) => {
  const identity = syntheticIdentity(createHash('sha256').update(recordId).digest('hex').slice(0, 16));
  return {
    requestId: recordId,
    subjectId: identity.id,
    name: identity.name.replace('Probe', 'Drill'),
    phone: identity.phone,
    temperature: 36.6,
    symptoms: [],
    travel: [],
    declaredAt: declaredAt.toISOString(),
    testData: true,
  };
};

export const createDrillRecordWriter = (options: DrillRecordWriterOptions): DrillRecordWriter => {
  const fetcher = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const collection = (site: Site) => options.config.sites[site].stages.collection.replace(/\/+$/, '');
  const call = (url: string, init: RequestInit, signal?: AbortSignal): Promise<JsonReply> =>
    requestJson(fetcher, url, init, timeoutMs, signal);

  return {
    description: options.sandboxUrl
      ? `counted by the sandbox at ${options.sandboxUrl}`
      : "read back by id from the primary's collection API (duplicates not visible)",
    async write(site, recordId, signal) {
      const { status, body } = await call(
        `${collection(site)}/declarations`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(drillDeclaration(recordId, new Date())),
        },
        signal,
      );
      if (status !== 200 && status !== 201) throw new Error(`${site} collection refused the record: HTTP ${status}`);
      const id = (body as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? { platformId: id } : {};
    },
    async count(site, records, signal) {
      if (options.sandboxUrl) {
        const { status, body } = await call(
          `${options.sandboxUrl.replace(/\/+$/, '')}/_sandbox/records/check`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ site, ids: records.map((record) => record.recordId) }),
          },
          signal,
        );
        const counts = (body as { counts?: Record<string, unknown> } | undefined)?.counts;
        if (status !== 200 || !counts) throw new Error(`the sandbox record check answered HTTP ${status}`);
        return Object.fromEntries(
          records.map((record) => [
            record.recordId,
            typeof counts[record.recordId] === 'number' ? (counts[record.recordId] as number) : 0,
          ]),
        );
      }
      const counts: Record<string, number> = {};
      const queue = [...records];
      const worker = async () => {
        for (let record = queue.shift(); record; record = queue.shift()) {
          if (!record.platformId) {
            counts[record.recordId] = 0;
            continue;
          }
          const { status } = await call(
            `${collection(site)}/declarations/${encodeURIComponent(record.platformId)}`,
            { method: 'GET' },
            signal,
          );
          if (status !== 200 && status !== 404)
            throw new Error(`reading record ${record.recordId} back from ${site} answered HTTP ${status}`);
          counts[record.recordId] = status === 200 ? 1 : 0;
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(options.concurrency ?? 8, Math.max(1, records.length)) }, worker),
      );
      return counts;
    },
  };
};
