// The incident decision's contract: what it reads and everything it returns — each change a
// conditional write with at most one alert, each alert saying which switch it announces.
import type { HcguardConfig } from '../config/schema.ts';
import type { DrillScope } from '../drill/model.ts';
import type { AlertKind, Incident, IncidentEvent } from '../model/incidents.ts';
import type { TargetState } from '../model/probing.ts';
import type { RoutingCondition, SwitchAnnouncement, SwitchEvent } from '../model/routing.ts';
import type { Severity } from '../model/vocabulary.ts';
import type { RoutingView } from '../severity.ts';

export type IncidentPolicy = Pick<HcguardConfig, 'severity' | 'records' | 'failover' | 'detection'>;

export interface IncidentInput {
  readonly policy: IncidentPolicy;
  readonly targets: readonly TargetState[];
  /** Incidents not yet resolved (open or acknowledged). */
  readonly open: readonly Incident[];
  /** Routing after this round's reconcile. */
  readonly routing: readonly RoutingView[];
  /** Conditions the controller reports now; undefined when reconcile failed (condition incidents stay as they are). */
  readonly conditions?: readonly RoutingCondition[];
  /** Records the controller could not read this round: their condition incidents stay as they are. */
  readonly conditionsUnknownFor?: readonly string[];
  /**
   * Switches no committed alert has told of yet (`unannouncedSwitches`, from the routing items and
   * the announcement markers): told again every round until the write that carries them lands.
   */
  readonly unannounced: readonly SwitchEvent[];
  readonly now: Date;
  /**
   * The running drill. Incidents opened now about its targets (`site#stage`; all targets when
   * absent) carry its id, and so do their alerts; anything else is real and pages as real.
   */
  readonly drill?: DrillScope;
}

/** What an alert reports beyond the incident itself; rendered by ../alert-message.ts. */
export interface AlertFacts {
  /** Why this alert now (escalated because…, resolved after…). */
  readonly reason?: string;
  /** The probe's last message or the condition's detail. */
  readonly observed?: string;
  readonly flapping?: string;
  /** Managed records that follow the incident's stage, and where they point. */
  readonly routing: readonly RoutingView[];
  /** The incident's site serves traffic for its stage. */
  readonly serving: boolean;
  readonly failoverMode: HcguardConfig['failover']['mode'];
  readonly failback: HcguardConfig['failover']['failback'];
  readonly switched?: SwitchEvent;
  /** The controller refuses to move traffic away from the site: why. */
  readonly cannotFailOver?: string;
  readonly escalateAfterMinutes?: number;
  /** This alert's incident is grouped with that one, which pages for the event. */
  readonly groupedWith?: { readonly id: string; readonly title: string };
  /** The lead's alert: the incidents grouped with it, not paged on their own. */
  readonly grouped?: readonly { readonly id: string; readonly title: string }[];
}

export interface AlertDraft {
  /** Deterministic, so a retried or concurrent round cannot queue the same alert twice. */
  readonly id: string;
  readonly kind: AlertKind;
  readonly at: string;
  /** The incident after this change; absent for a notice about a switch no incident explains. */
  readonly incident?: Incident;
  /** The level whose topic carries the alert: who hears it. */
  readonly topic: Severity;
  /** The level subscribers filter on: how urgent this message is. */
  readonly severity: Severity;
  readonly previousSeverity?: Severity;
  readonly dedupKey: string;
  readonly drillId?: string;
  readonly facts: AlertFacts;
  /** The switch this alert tells of: its marker is written with the alert, or neither is. */
  readonly announces?: SwitchAnnouncement;
}

export type IncidentUpdateReason = 'escalate' | 'remind' | 'resolve' | 'switched' | 'acknowledge' | 'group';

export type IncidentChange =
  | {
      readonly type: 'open';
      readonly incident: Incident;
      readonly events: readonly IncidentEvent[];
      readonly alert: AlertDraft;
    }
  | {
      readonly type: 'update';
      readonly reason: IncidentUpdateReason;
      readonly incident: Incident;
      /** The write applies only while the stored incident still has this version. */
      readonly expectedVersion: number;
      readonly events: readonly IncidentEvent[];
      readonly alert?: AlertDraft;
      /** Resolving frees the dedup key, so the same problem can open a new incident later. */
      readonly releaseDedupKey: boolean;
    };

export interface IncidentDecisions {
  readonly changes: readonly IncidentChange[];
  /** Alerts that belong to no incident: a switch no open incident explains (e.g. a failback). */
  readonly notices: readonly AlertDraft[];
}
