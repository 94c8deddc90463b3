// StateStore on hcguard's single table (keys in table-design.ts). Results are batched with a
// TTL; targets are saved all-or-nothing against the versions read; incidents (./dynamo-incidents.ts)
// and the alert outbox (./dynamo-outbox.ts) keep their own conditional writes. Nothing is read
// with a Scan.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DrillScope } from '../../core/drill/model.ts';
import { VersionConflictError } from '../../core/errors.ts';
import type {
  AcknowledgeOutcome,
  Incident,
  IncidentEvent,
  IncidentWrite,
  OutboxAlert,
  SentAlert,
} from '../../core/model/incidents.ts';
import { inHistoryOrder, type ProbeResult, type TargetState, type TargetWrite } from '../../core/model/probing.ts';
import type { SwitchAnnouncement } from '../../core/model/routing.ts';
import { SITES, STAGES, type Actor } from '../../core/model/vocabulary.ts';
import type { HistoryQuery, IncidentQuery, SentAlertsQuery, StateStore } from '../../ports.ts';
import { sleep } from '../../sleep.ts';
import { DynamoIncidents } from './dynamo-incidents.ts';
import { DynamoOutbox } from './dynamo-outbox.ts';
import { DynamoTable, failedConditions, versionCondition, withoutKeys, type TransactItem } from './dynamo-table.ts';
import { stateKeys } from './table-design.ts';

export interface DynamoStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Results expire (TTL) this many days after they started: config `retention.resultDays`. */
  readonly resultRetentionDays: number;
  /** Unprocessed batch items are retried this often, with exponential backoff from `retryBaseMs`. */
  readonly batchRetries?: number;
  readonly retryBaseMs?: number;
  /** Nonces keep two results with the same start instant and probe apart. */
  readonly nonce?: () => string;
}

export class DynamoStateStore implements StateStore {
  private readonly table: DynamoTable;
  private readonly incidents: DynamoIncidents;
  private readonly outbox: DynamoOutbox;
  private readonly retentionSeconds: number;
  private readonly batchRetries: number;
  private readonly retryBaseMs: number;
  private readonly nonce: () => string;

  constructor(options: DynamoStateStoreOptions) {
    this.table = new DynamoTable(options.client, options.tableName);
    this.incidents = new DynamoIncidents(this.table);
    this.retentionSeconds = options.resultRetentionDays * 86_400;
    this.outbox = new DynamoOutbox(this.table, this.retentionSeconds);
    this.batchRetries = options.batchRetries ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 50;
    this.nonce = options.nonce ?? (() => crypto.randomUUID().slice(0, 8));
  }

  // ---------------------------------------------------------------- targets and results

  async loadTargets(signal?: AbortSignal): Promise<TargetState[]> {
    const items = await this.table.partition('TARGET', signal);
    return items.map((item) => withoutKeys<TargetState>(item));
  }

  async saveTargets(writes: readonly TargetWrite[], signal?: AbortSignal): Promise<void> {
    if (writes.length === 0) return;
    const items = writes.map(({ target, expectedVersion }): TransactItem => ({
      Put: {
        TableName: this.table.name,
        Item: { ...stateKeys.target(target.site, target.stage), ...target },
        ...versionCondition(expectedVersion),
      },
    }));
    try {
      await this.table.documents.send(new TransactWriteCommand({ TransactItems: items }), { abortSignal: signal });
    } catch (error) {
      const failed = failedConditions(error);
      const first = failed?.[0] !== undefined ? writes[failed[0]] : undefined;
      if (first)
        throw new VersionConflictError(`target ${first.target.site}#${first.target.stage}`, first.expectedVersion);
      throw error;
    }
  }

  async recordResults(results: readonly ProbeResult[], signal?: AbortSignal): Promise<void> {
    const requests = results.map((result) => ({
      PutRequest: {
        Item: {
          ...stateKeys.result(result, this.nonce()),
          result,
          // DynamoDB TTL deletes results some time after this (epoch seconds), keeping the table small.
          expiresAt: Math.floor(Date.parse(result.startedAt) / 1000) + this.retentionSeconds,
        },
      },
    }));
    for (let start = 0; start < requests.length; start += 25) {
      let pending = requests.slice(start, start + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > this.batchRetries)
          throw new Error(
            `${pending.length} probe result(s) not written after ${this.batchRetries} retries (throughput exceeded)`,
          );
        if (attempt > 0) await sleep(this.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random()), signal);
        const response = await this.table.documents.send(
          new BatchWriteCommand({ RequestItems: { [this.table.name]: pending } }),
          { abortSignal: signal },
        );
        pending = (response.UnprocessedItems?.[this.table.name] ?? []) as typeof pending;
      }
    }
  }

  async history(query: HistoryQuery, signal?: AbortSignal): Promise<ProbeResult[]> {
    const limit = query.limit ?? 100;
    const partitions = SITES.filter((site) => !query.site || site === query.site).flatMap((site) =>
      STAGES.filter((stage) => !query.stage || stage === query.stage).map((stage) =>
        stateKeys.resultPartition(site, stage),
      ),
    );
    const pages = await Promise.all(
      partitions.map((partition) =>
        this.table.queryAll(
          {
            KeyConditionExpression: query.since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': partition, ...(query.since ? { ':since': query.since } : {}) },
            ScanIndexForward: query.oldestFirst === true,
          },
          signal,
          limit,
        ),
      ),
    );
    return inHistoryOrder(
      pages.flat().map((item) => item.result as ProbeResult),
      query.oldestFirst,
    ).slice(0, limit);
  }

  // ---------------------------------------------------------------- incidents and alerts

  listOpenIncidents(signal?: AbortSignal): Promise<Incident[]> {
    return this.incidents.listOpen(signal);
  }

  listIncidents(query: IncidentQuery, signal?: AbortSignal): Promise<Incident[]> {
    return this.incidents.list(query, signal);
  }

  getIncident(
    id: string,
    signal?: AbortSignal,
  ): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined> {
    return this.incidents.get(id, signal);
  }

  applyIncidentChange(write: IncidentWrite, signal?: AbortSignal): Promise<void> {
    return this.incidents.apply(write, signal);
  }

  acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome> {
    return this.incidents.acknowledge(id, actor, at, signal);
  }

  queueAlert(alert: OutboxAlert, signal?: AbortSignal): Promise<void> {
    return this.outbox.queue(alert, signal);
  }

  loadAnnouncements(signal?: AbortSignal): Promise<SwitchAnnouncement[]> {
    return this.outbox.announcements(signal);
  }

  pendingAlerts(signal?: AbortSignal): Promise<OutboxAlert[]> {
    return this.outbox.pending(signal);
  }

  claimAlert(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean> {
    return this.outbox.claim(id, owner, now, leaseUntil, signal);
  }

  markAlertSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void> {
    return this.outbox.markSent(alert, owner, sent, signal);
  }

  releaseAlert(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void> {
    return this.outbox.release(id, owner, error, signal);
  }

  recordSent(sent: SentAlert, signal?: AbortSignal): Promise<void> {
    return this.outbox.recordSent(sent, signal);
  }

  sentAlerts(query: SentAlertsQuery, signal?: AbortSignal): Promise<SentAlert[]> {
    return this.outbox.sent({ ...query, limit: query.limit ?? 100 }, signal);
  }

  // ---------------------------------------------------------------- drills

  async activeDrill(signal?: AbortSignal): Promise<DrillScope | undefined> {
    const response = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: stateKeys.activeDrill, ConsistentRead: true }),
      { abortSignal: signal },
    );
    const drillId = response.Item?.drillId;
    if (typeof drillId !== 'string' || drillId.length === 0) return undefined;
    const targets = response.Item?.targets;
    return Array.isArray(targets)
      ? { drillId, targets: targets.filter((target): target is string => typeof target === 'string') }
      : { drillId };
  }
}
