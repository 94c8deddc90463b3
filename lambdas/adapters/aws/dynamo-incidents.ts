// Incidents on the table: each change one transaction with its timeline events and its alert
// (and the announcement the alert makes), so an incident never exists without its alert; the
// DEDUP#<key>/OPEN item is the lock that stops two overlapping rounds opening one problem twice.
import { acknowledgeIncident } from '../../core/incidents/acknowledge.ts';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../core/errors.ts';
import {
  INCIDENT_STATUSES,
  type AcknowledgeOutcome,
  type Incident,
  type IncidentEvent,
  type IncidentWrite,
} from '../../core/model/incidents.ts';
import type { Actor } from '../../core/model/vocabulary.ts';
import type { IncidentQuery } from '../../ports.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { alertItems } from './dynamo-outbox.ts';
import { versionCondition, withoutKeys, type DynamoTable, type GuardedItem, type Item } from './dynamo-table.ts';
import { stateKeys, TABLE_DESIGN } from './table-design.ts';

const INDEX = TABLE_DESIGN.indexes[0].name;

export class DynamoIncidents {
  constructor(private readonly table: DynamoTable) {}

  async listOpen(signal?: AbortSignal): Promise<Incident[]> {
    const lists = await Promise.all(
      (['open', 'acknowledged'] as const).map((status) =>
        this.table.queryAll(
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

  async list(query: IncidentQuery, signal?: AbortSignal): Promise<Incident[]> {
    const limit = query.limit ?? 100;
    const lists = await Promise.all(
      INCIDENT_STATUSES.map((status) =>
        this.table.queryAll(
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

  async get(id: string, signal?: AbortSignal): Promise<{ incident: Incident; timeline: IncidentEvent[] } | undefined> {
    const items = await this.table.partition(stateKeys.incident(id).pk, signal);
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return undefined;
    const timeline = items
      .filter((item) => String(item.sk).startsWith('EVENT#'))
      .map((item) => withoutKeys<IncidentEvent>(item));
    return { incident: withoutKeys<Incident>(meta), timeline };
  }

  async apply(write: IncidentWrite, signal?: AbortSignal): Promise<void> {
    const { change, alert } = write;
    // Each item with the error its failed condition means, in transaction order.
    const items: GuardedItem[] = [];
    if (change.type === 'open') {
      // The dedup item is the lock on "this problem has an open incident": only one round creates it.
      items.push({
        item: {
          Put: {
            TableName: this.table.name,
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
            TableName: this.table.name,
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
            TableName: this.table.name,
            Item: this.incidentItem(change.incident),
            ...versionCondition(change.expectedVersion),
          },
        },
        conflict,
      });
      if (change.releaseDedupKey) {
        items.push({
          item: {
            Delete: {
              TableName: this.table.name,
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
        item: { Put: { TableName: this.table.name, Item: { ...stateKeys.event(event, index), ...event } } },
      }),
    );
    if (alert) items.push(...alertItems(this.table, alert));
    await this.table.transact(items, signal);
  }

  async acknowledge(id: string, actor: Actor, at: Date, signal?: AbortSignal): Promise<AcknowledgeOutcome> {
    // A round may update the incident between our read and write: re-read and decide again.
    for (let attempt = 0; ; attempt++) {
      const response = await this.table.documents.send(
        new GetCommand({ TableName: this.table.name, Key: stateKeys.incident(id), ConsistentRead: true }),
        { abortSignal: signal },
      );
      if (!response.Item) throw new NotFoundError(`incident ${id}`);
      const incident = withoutKeys<Incident>(response.Item);
      const decision = acknowledgeIncident(incident, actor, at);
      if (!decision.ok) return { acknowledged: false, incident, reason: decision.reason };
      try {
        await this.apply({ change: decision.change }, signal);
        return { acknowledged: true, incident: decision.change.incident };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 4) throw error;
      }
    }
  }

  private incidentItem(incident: Incident): Item {
    return {
      ...stateKeys.incident(incident.id),
      gsi1pk: stateKeys.incidentStatus(incident.status),
      gsi1sk: incident.openedAt,
      ...incident,
    };
  }
}
