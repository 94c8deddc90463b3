// The alert outbox on the table (OUTBOX/<alert id>): queued with the change that caused the
// alert, claimed conditionally before a publish, removed after it, released after a failed one;
// and the switch announcement markers (ANNOUNCED/RECORD#<name>) written with the alert that tells
// the switch.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, VersionConflictError } from '../../core/errors.ts';
import { alertedEvent, sentAlert } from '../../core/incidents/outbox.ts';
import type { OutboxAlert, SentAlert } from '../../core/model/incidents.ts';
import type { SentAlertsQuery } from '../../ports.ts';
import type { SwitchAnnouncement } from '../../core/model/routing.ts';
import { withoutKeys, type DynamoTable, type GuardedItem } from './dynamo-table.ts';
import { ANNOUNCED_PK, SENT_PK, stateKeys } from './table-design.ts';

/** The outbox item of an alert and, when it announces a switch, the marker that says so. */
export const alertItems = (table: DynamoTable, alert: OutboxAlert): GuardedItem[] => {
  const items: GuardedItem[] = [
    {
      item: {
        Put: {
          TableName: table.name,
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
        TableName: table.name,
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
};

export class DynamoOutbox {
  constructor(
    private readonly table: DynamoTable,
    /** How long the sent log keeps an alert (the results' retention). */
    private readonly retentionSeconds: number,
  ) {}

  async queue(alert: OutboxAlert, signal?: AbortSignal): Promise<void> {
    await this.table.transact(alertItems(this.table, alert), signal);
  }

  async announcements(signal?: AbortSignal): Promise<SwitchAnnouncement[]> {
    const items = await this.table.partition(ANNOUNCED_PK, signal);
    return items.flatMap((item) =>
      typeof item.record === 'string' && typeof item.switchedAt === 'string'
        ? [{ record: item.record, switchedAt: item.switchedAt }]
        : [],
    );
  }

  async pending(signal?: AbortSignal): Promise<OutboxAlert[]> {
    const items = await this.table.partition('OUTBOX', signal);
    return items
      .map((item) => withoutKeys<OutboxAlert & { claimedBy?: string }>(item))
      .map(({ claimedBy: _, ...alert }) => alert);
  }

  async claim(id: string, owner: string, now: Date, leaseUntil: Date, signal?: AbortSignal): Promise<boolean> {
    return this.table.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
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
      signal,
    );
  }

  async markSent(
    alert: OutboxAlert,
    owner: string,
    sent: { readonly messageId: string; readonly at: Date },
    signal?: AbortSignal,
  ): Promise<void> {
    const items: GuardedItem[] = [
      {
        item: {
          Delete: {
            TableName: this.table.name,
            Key: stateKeys.outbox(alert.id),
            // Only the claim holder completes it; a lost lease means another run may publish again.
            ConditionExpression: 'claimedBy = :owner',
            ExpressionAttributeValues: { ':owner': owner },
          },
        },
        conflict: () => new VersionConflictError(`alert ${alert.id} claim`, alert.attempts),
      },
    ];
    if (alert.incidentId) {
      const event = alertedEvent({ ...alert, incidentId: alert.incidentId }, sent);
      const key = { pk: stateKeys.incident(alert.incidentId).pk, sk: `EVENT#${event.at}#alert#${alert.id}` };
      items.push({ item: { Put: { TableName: this.table.name, Item: { ...key, ...event } } } });
    }
    items.push({ item: { Put: { TableName: this.table.name, Item: this.sentItem(sentAlert(alert, sent)) } } });
    await this.table.transact(items, signal);
  }

  private sentItem(record: SentAlert): Record<string, unknown> {
    const expiresAt = Math.floor(Date.parse(record.sentAt) / 1000) + this.retentionSeconds;
    return { ...stateKeys.sent(record.sentAt, record.alertId), ...record, expiresAt };
  }

  async recordSent(record: SentAlert, signal?: AbortSignal): Promise<void> {
    await this.table.documents.send(new PutCommand({ TableName: this.table.name, Item: this.sentItem(record) }), {
      abortSignal: signal,
    });
  }

  /** Newest first, from `since` on. */
  async sent(query: SentAlertsQuery & { readonly limit: number }, signal?: AbortSignal): Promise<SentAlert[]> {
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ...(query.topic ? { FilterExpression: 'topic = :topic' } : {}),
        ExpressionAttributeValues: {
          ':pk': SENT_PK,
          ':since': query.since,
          ...(query.topic ? { ':topic': query.topic } : {}),
        },
        ScanIndexForward: false,
      },
      signal,
      query.limit,
    );
    return items.map((item) => {
      const { expiresAt: _ttl, ...record } = withoutKeys<SentAlert & { expiresAt?: number }>(item);
      return record;
    });
  }

  async release(id: string, owner: string, error: string, signal?: AbortSignal): Promise<void> {
    // False when someone else holds it now (our lease ran out): theirs to finish.
    await this.table.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKeys.outbox(id),
        UpdateExpression: 'SET lastError = :error REMOVE claimedBy, claimedUntil',
        ConditionExpression: 'claimedBy = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':error': error.slice(0, 500) },
      }),
      signal,
    );
  }
}
