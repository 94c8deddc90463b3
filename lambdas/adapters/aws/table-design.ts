import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { IncidentEvent, IncidentStatus } from '../../core/model/incidents.ts';
import type { ProbeResult } from '../../core/model/probing.ts';

// hcguard's single DynamoDB table. The stack and the local provisioner both create the table
// from this description, and every adapter builds its keys here, so the design is in one place.
//
// - probe result: pk RESULT#<site>#<stage>, sk <startedAt>#<probeId>#<nonce>
// - target state: pk TARGET, sk <site>#<stage>
// - incident: pk INCIDENT#<id>, sk META; gsi1 INCIDENTS#<status> / <openedAt>
// - incident event: pk INCIDENT#<id>, sk EVENT#<at>#<n>
// - incident alerted: pk INCIDENT#<id>, sk EVENT#<at>#alert#<alertId>
// - open-incident key: pk DEDUP#<dedupKey>, sk OPEN
// - queued alert: pk OUTBOX, sk <alertId>
// - routing state: pk ROUTING, sk RECORD#<record name>
// - routing lock: pk ROUTING, sk LOCK
// - audit entry: pk AUDIT#<yyyy-mm-dd>, sk <at>#<nonce>; gsi1 AUDIT#DRILL#<drillId> / <at>
// - audit chain link (the same entry, hash-chained): pk AUDIT#CHAIN#<subject>, sk SEQ#<12-digit seq>
// - audit subject: pk AUDIT#SUBJECTS, sk <subject>
// - drill: pk DRILL#<id>, sk META, PHASE#<nn> (00, 01, …); gsi1 DRILLS / <startedAt>#<id>
// - running drill: pk DRILL, sk ACTIVE (drillId, faults)
// - probe sequence: pk SEQ#<stream>, sk COUNTER (attr lastSequence)
// - switch announced: pk ANNOUNCED, sk RECORD#<record name>
//
// A new entity gets its line here. Nothing is ever read with a Scan.

export const TABLE_DESIGN = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  ttlAttribute: 'expiresAt',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
} as const;

/**
 * The partitions each function writes, as IAM `dynamodb:LeadingKeys` patterns (StringLike). The
 * probe Lambda runs rounds; the operator Lambda runs drills and operator commands (switches,
 * lock, acknowledgements). The operator role writes nothing. Tests record every write each
 * makes on moto and hold it to these lists.
 */
export const WRITTEN_PARTITIONS = {
  probe: ['RESULT#*', 'TARGET', 'INCIDENT#*', 'DEDUP#*', 'OUTBOX', 'SENT', 'ANNOUNCED', 'ROUTING', 'AUDIT#*', 'SEQ#*'],
  operator: ['DRILL', 'DRILL#*', 'ROUTING', 'INCIDENT#*', 'AUDIT#*', 'TARGET', 'SENT'],
} as const;

/** Written once with a conditional create and never updated or deleted, by any role. */
export const APPEND_ONLY_PARTITIONS = ['AUDIT#*'] as const;

/** CreateTable input for an emulator (the stack declares the same table in CloudFormation). */
export const createTableInput = (tableName: string): CreateTableCommandInput => {
  const keys = (partitionKey: string, sortKey: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    { AttributeName: sortKey, KeyType: 'RANGE' as const },
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      TABLE_DESIGN.partitionKey,
      TABLE_DESIGN.sortKey,
      ...TABLE_DESIGN.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: keys(TABLE_DESIGN.partitionKey, TABLE_DESIGN.sortKey),
    GlobalSecondaryIndexes: TABLE_DESIGN.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keys(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
};

/** The keys of the state store's entities (the rows above). */
export const ANNOUNCED_PK = 'ANNOUNCED';

/** The sent log: one item per alert SNS accepted, newest last, kept as long as results. */
export const SENT_PK = 'SENT';

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
  sent: (sentAt: string, alertId: string) => ({ pk: SENT_PK, sk: `${sentAt}#${alertId}` }),
  activeDrill: { pk: 'DRILL', sk: 'ACTIVE' },
  announced: (record: string) => ({ pk: ANNOUNCED_PK, sk: `RECORD#${record}` }),
} as const;
