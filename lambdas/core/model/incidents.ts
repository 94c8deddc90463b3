// Incidents: an open problem with a dedup key, a severity, a timeline and an acknowledgement.
import type { AlertMessage } from '../alert-message.ts';
import type { Phrase } from '../i18n/index.ts';
import type { IncidentChange } from '../incidents/types.ts';
import { ROUTING_CONDITION_KINDS, type SwitchAnnouncement } from './routing.ts';
import type { FailureClass, Severity, Site, Stage } from './vocabulary.ts';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** What an incident is about: a probe target, or a finding about the system as a whole. */
export const INCIDENT_KINDS = ['probe', ...ROUTING_CONDITION_KINDS, 'heartbeat'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface Incident {
  /** Short, human-typeable id (`hcguard ack <id>`). */
  readonly id: string;
  /** Deterministic: the same problem always has the same key, so it opens one incident. */
  readonly dedupKey: string;
  readonly kind: IncidentKind;
  readonly site?: Site;
  readonly stage?: Stage;
  readonly failureClass?: FailureClass;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  /** One line: what is wrong and where. */
  readonly title: string;
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly escalatedAt?: string;
  readonly lastNotifiedAt?: string;
  readonly reminders: number;
  readonly resolvedAt?: string;
  readonly drillId?: string;
  /** The severity rule's reason (or the fixed level's) at the time the level was set. */
  readonly severityReason?: string;
  /** In plain words, what the probe found ("HTTP 503 from the verifier"); probe incidents only. */
  readonly problem?: string;
  /** What was observed when it opened: the probe's message or the routing condition's detail. */
  readonly detail?: string;
  /**
   * The SEV1 incident of the same event that pages for it (./incidents/rules-paging.ts): this
   * one's alerts go to the SEV2 topic while that one is open.
   */
  readonly groupedWith?: string;
  /** The title and problem as phrases, so every locale can word them (probe incidents). */
  readonly phrase?: { readonly title: Phrase; readonly problem?: Phrase };
  /** The managed record a routing incident is about. */
  readonly record?: string;
  readonly version: number;
}

export interface IncidentEvent {
  readonly incidentId: string;
  readonly at: string;
  readonly type:
    | 'opened'
    | 'escalated'
    | 'reminded'
    | 'acknowledged'
    | 'resolved'
    | 'switched'
    | 'switch-refused'
    | 'alerted'
    | 'note';
  readonly detail: string;
}

export const ALERT_KINDS = ['open', 'escalate', 'remind', 'resolve', 'update'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** An alert waiting in the outbox until it is published; its id makes it unique. */
/** An alert SNS accepted, as its receivers read it (`hcguard alerts`). */
export interface SentAlert {
  readonly alertId: string;
  readonly incidentId?: string;
  readonly kind: AlertKind;
  /** The topic it went to, and the level subscribers filter on. */
  readonly topic: Severity;
  readonly severity: string;
  readonly subject: string;
  readonly body: string;
  readonly sentAt: string;
  readonly messageId: string;
  readonly drillId?: string;
}

export interface OutboxAlert {
  /** Deterministic (`INC-…/open`, `INC-…/remind/2`), so the same alert is never queued twice. */
  readonly id: string;
  readonly incidentId?: string;
  readonly kind: AlertKind;
  /** The severity whose topic carries it. */
  readonly topic: Severity;
  readonly message: AlertMessage;
  readonly createdAt: string;
  readonly drillId?: string;
  /** Publish attempts so far (claims), and the last failure. */
  readonly attempts: number;
  readonly lastError?: string;
  /** Another run holds it until then. */
  readonly claimedUntil?: string;
  /** The switch this alert tells of: the store marks it announced in the same write. */
  readonly announces?: SwitchAnnouncement;
}

/** One incident change and its alert, written together or not at all. */
export interface IncidentWrite {
  readonly change: IncidentChange;
  readonly alert?: OutboxAlert;
}

export type AcknowledgeOutcome =
  | { readonly acknowledged: true; readonly incident: Incident }
  /** Already acknowledged or resolved: nothing changed, `reason` says why. */
  | { readonly acknowledged: false; readonly incident: Incident; readonly reason: string };
