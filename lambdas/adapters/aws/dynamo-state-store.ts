// StateStore on hcguard's single table (keys in table-design.ts). Results are batched with a
// TTL; targets are saved all-or-nothing against the versions read; every incident change is one
// transaction that also queues its alert, so an incident never exists without its alert and two
// overlapping rounds cannot open the same incident twice (the DEDUP#<key>/OPEN item) or queue
// the same alert twice (OUTBOX/<alert id>). Nothing is read with a Scan.
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { acknowledgeIncident } from '../../core/incidents/acknowledge.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import {
  INCIDENT_STATUSES,
  type Incident,
  type IncidentEvent,
  type IncidentStatus,
  type AcknowledgeOutcome,
  type IncidentWrite,
  type OutboxAlert,
} from '../../core/model/incidents.ts';
import { SITES, STAGES, type Actor } from '../../core/model/vocabulary.ts';
import type { ProbeResult, TargetState, TargetWrite } from '../../core/model/probing.ts';
import type { DrillScope } from '../../core/drill/model.ts';
import type { SwitchAnnouncement } from '../../core/model/routing.ts';
import type { HistoryQuery, IncidentQuery, StateStore } from '../../ports.ts';
import { TABLE_DESIGN } from './table-design.ts';
import { sleep } from '../../sleep.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

const INDEX = TABLE_DESIGN.indexes[0].name;
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt'] as const;

const ANNOUNCED_PK = 'ANNOUNCED';

export const stateKeys = {
  result: (result: ProbeResult, nonce: string) => ({
    pk: `RESULT#${result.site}#${result.stage}`,
    sk: `${result.startedAt}#${result.probeId}#${nonce}`,
  }),
  resultPartition: (site: string, stage: string) => `RESULT#${site}#${stage}`,
  target: (site: string, stage: string) => ({ pk: 'TARGET', sk: `${site}#${stage}` }),
  incident: (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'META' }),
  incidentStatus: (status: IncidentStatus) => `INCIDENTS#${status}`,
  event: (event: IncidentEvent, index: number) => ({
    pk: `INCIDENT#${event.incidentId}`,
    sk: `EVENT#${event.at}#${index}`,
  }),
  dedup: (dedupKey: string) => ({ pk: `DEDUP#${dedupKey}`, sk: 'OPEN' }),
  outbox: (alertId: string) => ({ pk: 'OUTBOX', sk: alertId }),
  activeDrill: { pk: 'DRILL', sk: 'ACTIVE' },
  announced: (record: string) => ({ pk: ANNOUNCED_PK, sk: `RECORD#${record}` }),
} as const;

const withoutKeys = <T>(item: Item): T => {
  const copy: Item = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete copy[attribute];
  return copy as T;
};

const isConditionalCheckFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Which items of a cancelled transaction failed their condition (by index). */
const failedConditions = (error: unknown): number[] | undefined => {
  if (
    !(error instanceof TransactionCanceledException) &&
    !(error instanceof Error && error.name === 'TransactionCanceledException')
  )
    return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
};

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
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly batchRetries: number;
  private readonly retryBaseMs: number;
  private readonly nonce: () => string;

  constructor(options: DynamoStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.retentionSeconds = options.resultRetentionDays * 86_400;
    this.batchRetries = options.batchRetries ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 50;
    this.nonce = options.nonce ?? (() => crypto.randomUUID().slice(0, 8));
  }

  // ---------------------------------------------------------------- targets and results

  async loadTargets(signal?: AbortSignal): Promise<TargetState[]> {
    const items = await this.queryAll(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'TARGET' }, ConsistentRead: true },
      signal,
    );
    return items.map((item) => withoutKeys<TargetState>(item));
  }

  async saveTargets(writes: readonly TargetWrite[], signal?: AbortSignal): Promise<void> {
    if (writes.length === 0) return;
    const items = writes.map(({ target, expectedVersion }): TransactItem => ({
      Put: {
        TableName: this.tableName,
        Item: { ...stateKeys.target(target.site, target.stage), ...target },
        ...this.versionCondition(expectedVersion),
      },
    }));
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }), { abortSignal: signal });
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
        const response = await this.documents.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
          { abortSignal: signal },
        );
        pending = (response.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
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
        this.queryAll(
          {
            KeyConditionExpression: query.since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': partition, ...(query.since ? { ':since': query.since } : {}) },
            ScanIndexForward: false,
          },
          signal,
          limit,
        ),
      ),
    );
    return pages
      .flat()
      .map((item) => item.result as ProbeResult)
      .toSorted((a, b) => b.startedAt.localeCompare(a.startedAt) || a.probeId.localeCompare(b.probeId))
      .slice(0, limit);
  }

  // ---------------------------------------------------------------- incidents

  async listOpenIncidents(signal?: AbortSignal): Promise<Incident[]> {
    const lists = await Promise.all(
      (['open', 'acknowledged'] as const).map((status) =>
        this.queryAll(
          {
            IndexName: INDEX,
            KeyConditionExpression: 'gsi1pk = :status',
            ExpressionAttributeValues: { ':status': stateKeys.incidentStatus(status) },
          },
          signal,
        ),
      ),
    );
    // The index is eventually consistent: an incident acknowledged a moment ago may show under both statuses.
    const latest = new Map<string, Incident>();
    for (const incident of lists.flat().map((item) => withoutKeys<Incident>(item))) {
      const seen = latest.get(incident.id);
      if (!seen || incident.version > seen.version) latest.set(incident.id, incident);
    }
    return [...latest.values()].toSorted((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  async listIncidents(query: IncidentQuery, signal?: AbortSignal): Promise<Incident[]> {
    const limit = query.limit ?? 100;
    const lists = await Promise.all(
      INCIDENT_STATUSES.map((status) =>
        this.queryAll(
          {
            IndexName: INDEX,
            KeyConditionExpression: query.since ? 'gsi1pk = :status AND gsi1sk >= :since' : 'gsi1pk = :status',
            ExpressionAttributeValues: {
              ':status': stateKeys.incidentStatus(status),
              ...(query.since ? { ':since': query.since } : {}),
            },
            ScanIndexForward: false,
          },
          signal,
          limit,
        ),
      ),
    );
    return lists
      .flat()
      .map((item) => withoutKeys<Incident>(item))
      .toSorted((a, b) => b.openedAt.localeCompare(a.openedAt))
      .slice(0, limit);
  }

  async getIncident(
    id: string,
    signal?: AbortSignal,
  ): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined> {
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': stateKeys.incident(id).pk },
        ConsistentRead: true,
      },
      signal,
    );
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return undefined;
    const timeline = items
      .filter((item) => String(item.sk).startsWith('EVENT#'))
      .map((item) => withoutKeys<IncidentEvent>(item));
    return { incident: withoutKeys<Incident>(meta), timeline };
  }

  async applyIncidentChange(write: IncidentWrite, signal?: AbortSignal): Promise<void> {
    const { change, alert } = write;
    // Each item with the error its failed condition means, in transaction order.
    const items: { item: TransactItem; conflict?: () => Error }[] = [];
    if (change.type === 'open') {
      // The dedup item is the lock on "this problem has an open incident": only one round creates it.
      items.push({
        item: {
          Put: {
            TableName: this.tableName,
            Item: {
              ...stateKeys.dedup(change.incident.dedupKey),
              incidentId: change.incident.id,
              openedAt: change.incident.openedAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        conflict: () => new AlreadyExistsError(`open incident for ${change.incident.dedupKey}`),
      });
      items.push({
        item: {
          Put: {
            TableName: this.tableName,
            Item: this.incidentItem(change.incident),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        conflict: () => new AlreadyExistsError(`incident ${change.incident.id}`),
      });
    } else {
      const conflict = () => new VersionConflictError(`incident ${change.incident.id}`, change.expectedVersion);
      items.push({
        item: {
          Put: {
            TableName: this.tableName,
            Item: this.incidentItem(change.incident),
            ...this.versionCondition(change.expectedVersion),
          },
        },
        conflict,
      });
      if (change.releaseDedupKey) {
        items.push({
          item: {
            Delete: {
              TableName: this.tableName,
              Key: stateKeys.dedup(change.incident.dedupKey),
              // Never free a key another incident holds; a key already gone is fine.
              ConditionExpression: 'attribute_not_exists(pk) OR incidentId = :id',
              ExpressionAttributeValues: { ':id': change.incident.id },
            },
          },
          conflict: () => new VersionConflictError(`dedup key ${change.incident.dedupKey}`, change.expectedVersion),
        });
      }
    }
    change.events.forEach((event, index) =>
      items.push({
        item: { Put: { TableName: this.tableName, Item: { ...stateKeys.event(event, index), ...event } } },
      }),
    );
    if (alert) items.push(...this.alertItems(alert));
    await this.transact(items, signal);
  }

  async acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome> {
    // A round may update the incident between our read and write: re-read and decide again.
    for (let attempt = 0; ; attempt++) {
      const response = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: stateKeys.incident(id), ConsistentRead: true }),
        { abortSignal: signal },
      );
      if (!response.Item) throw new NotFoundError(`incident ${id}`);
      const incident = withoutKeys<Incident>(response.Item);
      const decision = acknowledgeIncident(incident, actor, at);
      if (!decision.ok) return { acknowledged: false, incident, reason: decision.reason };
      try {
        await this.applyIncidentChange({ change: decision.change }, signal);
        return { acknowledged: true, incident: decision.change.incident };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 4) throw error;
      }
    }
  }

  // ---------------------------------------------------------------- alert outbox

  async queueAlert(alert: OutboxAlert, signal?: AbortSignal): Promise<void> {
    await this.transact(this.alertItems(alert), signal);
  }

  async loadAnnouncements(signal?: AbortSignal): Promise<SwitchAnnouncement[]> {
    const items = await this.queryAll(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': ANNOUNCED_PK }, ConsistentRead: true },
      signal,
    );
    return items.flatMap((item) =>
      typeof item.record === 'string' && typeof item.switchedAt === 'string'
        ? [{ record: item.record, switchedAt: item.switchedAt }]
        : [],
    );
  }

  async pendingAlerts(signal?: AbortSignal): Promise<OutboxAlert[]> {
    const items = await this.queryAll(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'OUTBOX' }, ConsistentRead: true },
      signal,
    );
    return items
      .map((item) => withoutKeys<OutboxAlert & { claimedBy?: string }>(item))
      .map(({ claimedBy: _, ...alert }) => alert);
  }

  async claimAlert(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKeys.outbox(id),
          UpdateExpression:
            'SET claimedBy = :owner, claimedUntil = :until, attempts = if_not_exists(attempts, :zero) + :one',
          // Still queued, and nobody holds it (or their lease ran out: they crashed mid-publish).
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
          ExpressionAttributeValues: {
            ':owner': owner,
            ':until': leaseUntil.toISOString(),
            ':now': now.toISOString(),
            ':zero': 0,
            ':one': 1,
          },
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async markAlertSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void> {
    const items: TransactItem[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: stateKeys.outbox(alert.id),
          // Only the claim holder completes it; a lost lease means another run may publish again.
          ConditionExpression: 'claimedBy = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        },
      },
    ];
    if (alert.incidentId) {
      const event: IncidentEvent = {
        incidentId: alert.incidentId,
        at: sent.at.toISOString(),
        type: 'alerted',
        detail: `alert ${alert.id} published to ${alert.topic} (message ${sent.messageId})`,
      };
      const key = { pk: stateKeys.incident(alert.incidentId).pk, sk: `EVENT#${event.at}#alert#${alert.id}` };
      items.push({ Put: { TableName: this.tableName, Item: { ...key, ...event } } });
    }
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }), { abortSignal: signal });
    } catch (error) {
      if (failedConditions(error)?.includes(0))
        throw new VersionConflictError(`alert ${alert.id} claim`, alert.attempts);
      throw error;
    }
  }

  async releaseAlert(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKeys.outbox(id),
          UpdateExpression: 'SET lastError = :error REMOVE claimedBy, claimedUntil',
          ConditionExpression: 'claimedBy = :owner',
          ExpressionAttributeValues: { ':owner': owner, ':error': error.slice(0, 500) },
        }),
        { abortSignal: signal },
      );
    } catch (failure) {
      // Someone else holds it now (our lease ran out): theirs to finish.
      if (!isConditionalCheckFailure(failure)) throw failure;
    }
  }

  async activeDrill(signal?: AbortSignal): Promise<DrillScope | undefined> {
    const response = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: stateKeys.activeDrill, ConsistentRead: true }),
      { abortSignal: signal },
    );
    const drillId = response.Item?.drillId;
    if (typeof drillId !== 'string' || drillId.length === 0) return undefined;
    const targets = response.Item?.targets;
    return Array.isArray(targets)
      ? { drillId, targets: targets.filter((target): target is string => typeof target === 'string') }
      : { drillId };
  }

  // ---------------------------------------------------------------- helpers

  private versionCondition(expectedVersion: number) {
    return expectedVersion === 0
      ? // First write: only if nobody created it meanwhile.
        { ConditionExpression: 'attribute_not_exists(pk)' }
      : // Replace only the version this decision was based on.
        {
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        };
  }

  private incidentItem(incident: Incident): Item {
    return {
      ...stateKeys.incident(incident.id),
      gsi1pk: stateKeys.incidentStatus(incident.status),
      gsi1sk: incident.openedAt,
      ...incident,
    };
  }

  /** The outbox item of an alert and, when it announces a switch, the marker that says so. */
  private alertItems(alert: OutboxAlert): { item: TransactItem; conflict: () => Error }[] {
    const items: { item: TransactItem; conflict: () => Error }[] = [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...stateKeys.outbox(alert.id), ...alert },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        conflict: () => new AlreadyExistsError(`alert ${alert.id}`),
      },
    ];
    const announces = alert.announces;
    if (!announces) return items;
    items.push({
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...stateKeys.announced(announces.record), ...announces },
          // Only a later switch moves the marker: one announced already is never announced again.
          ConditionExpression: 'attribute_not_exists(pk) OR switchedAt < :at',
          ExpressionAttributeValues: { ':at': announces.switchedAt },
        },
      },
      conflict: () =>
        new AlreadyExistsError(`announcement of the switch of ${announces.record} at ${announces.switchedAt}`),
    });
    return items;
  }

  /** One transaction (one Put when there is a single item); a failed condition becomes its item's domain error. */
  private async transact(items: readonly { item: TransactItem; conflict?: () => Error }[], signal?: AbortSignal) {
    const [only] = items;
    if (items.length === 1 && only?.item.Put) {
      // A lone Put costs half a transaction's write units.
      try {
        await this.documents.send(new PutCommand(only.item.Put), { abortSignal: signal });
        return;
      } catch (error) {
        throw isConditionalCheckFailure(error) && only.conflict ? only.conflict() : error;
      }
    }
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item) }), {
        abortSignal: signal,
      });
    } catch (error) {
      const failed = failedConditions(error);
      const conflict = failed?.map((index) => items[index]?.conflict).find((make) => make !== undefined);
      throw conflict ? conflict() : error;
    }
  }

  private async queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
    signal?: AbortSignal,
    limit?: number,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...input,
          ...(limit ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: signal },
      );
      items.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (!limit || items.length < limit));
    return items;
  }
}
