// Incident decisions: which incidents open, escalate, get a reminder, resolve or note a switch
// this round, and which alert each change sends. Pure: targets, open incidents, routing and
// `now` in; changes (each a conditional write plus at most one alert) out.
//
// Rules (issue 4):
// - One incident per (site, stage, failure class) — the dedup key — or per routing condition
//   (kind, record). It opens while its condition holds and no incident with the key is open.
//   A target's incidents stay open while it is degraded or failing (a flapping target is held
//   failing) and resolve together once it is healthy again; a condition incident resolves when
//   the controller stops reporting the condition.
// - Alerts go out on open, escalate, reminder and resolve (and when a switch moves traffic away
//   from the incident's site) — never one per failed probe, and at most one per incident per round.
// - Escalation: the finding became more serious (the severity rules now say a higher level), or
//   an unacknowledged incident at a level in `severity.escalate` stayed so for
//   `escalateAfterMinutes` (one level up, once). Reminders re-announce unacknowledged incidents
//   every `reminderIntervalMinutes`. Acknowledging stops both; it sends no alert.
// - Resolve alerts travel on the incident's own topic (the people paged hear the all-clear) but
//   carry the `severity.fixed.recovered` level, so pager subscriptions filtering on severity stay quiet.
import type { HcguardConfig } from './config.ts';
import type { Actor, FailureClass, Severity, Site, Stage } from './model/vocabulary.ts';
import type { AlertKind, Incident, IncidentEvent, IncidentKind } from './model/incidents.ts';
import type { RoutingCondition, SwitchEvent } from './model/routing.ts';
import type { DrillScope } from './drill/model.ts';
import type { TargetState } from './model/probing.ts';
import {
  isMoreSerious,
  normalizeRecordName,
  raiseSeverity,
  servesTraffic,
  severityFor,
  severityRank,
  type RoutingView,
} from './severity.ts';

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
  readonly switches: readonly SwitchEvent[];
  readonly now: Date;
  /**
   * The running drill. Incidents opened now about its targets (`site#stage`; all targets when
   * absent) carry its id, and so do their alerts; anything else is real and pages as real.
   */
  readonly drill?: DrillScope;
}

const optionalDrillId = (drillId: string | undefined): { drillId?: string } => (drillId ? { drillId } : {});

/** The drill an incident about this site and stage belongs to, if any. */
export const drillIdFor = (
  drill: IncidentInput['drill'],
  where: { readonly site?: Site; readonly stage?: Stage },
): string | undefined => {
  if (!drill) return undefined;
  if (!drill.targets) return drill.drillId;
  const concerned = drill.targets.some((target) => {
    const [site, stage] = target.split('#');
    return (where.site === undefined || where.site === site) && (where.stage === undefined || where.stage === stage);
  });
  return concerned ? drill.drillId : undefined;
};

/** What an alert reports beyond the incident itself; rendered by ./alert-message.ts. */
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
}

export type IncidentUpdateReason = 'escalate' | 'remind' | 'resolve' | 'switched' | 'acknowledge';

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

// ---------------------------------------------------------------- keys and ids

type ProblemClass = FailureClass | 'failed' | 'degraded';

export const probeDedupKey = (site: Site, stage: Stage, problem: ProblemClass): string =>
  `probe/${site}/${stage}/${problem}`;
export const conditionDedupKey = (kind: RoutingCondition['kind'], record: string): string =>
  `${kind}/${normalizeRecordName(record)}`;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const fnv1a = (text: string, seed: number): number => {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
};

/**
 * Short and typeable (`hcguard ack INC-7K3QZ2M`), derived from the dedup key and the instant it
 * opened: 35 bits of two FNV-1a hashes in Crockford base32 (no I, L, O, U to misread).
 */
export const incidentId = (dedupKey: string, openedAt: string): string => {
  const text = `${dedupKey}@${openedAt}`;
  const high = fnv1a(text, 0x811c9dc5);
  const low = fnv1a(text, 0x050c5d1f);
  let bits = (BigInt(high) << 32n) | BigInt(low);
  let id = '';
  for (let index = 0; index < 7; index++) {
    id = (CROCKFORD[Number(bits & 31n)] ?? '0') + id;
    bits >>= 5n;
  }
  return `INC-${id}`;
};

/** What operators type: any case, with or without the prefix, O for 0 and I/L for 1 forgiven. */
export const normalizeIncidentId = (input: string): string | undefined => {
  const text = input
    .trim()
    .toUpperCase()
    .replace(/^INC-?/, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{7}$/.test(text) ? `INC-${text}` : undefined;
};

// ---------------------------------------------------------------- wording

const classLabel = (problem: ProblemClass): string => problem.replace(/-/g, ' ');

const problemOf = (target: TargetState): ProblemClass | undefined => {
  if (target.health === 'failing') return target.lastFailureClass ?? 'failed';
  if (target.health === 'degraded') return 'degraded';
  return undefined;
};

const probeTitle = (target: TargetState, problem: ProblemClass): string => {
  if (problem === 'degraded') return `${target.stage} degraded on ${target.site}`;
  return `${target.stage} ${target.flapping ? 'flapping' : 'failing'} on ${target.site} (${classLabel(problem)})`;
};

const minutesBetween = (from: string, to: Date): number =>
  Math.max(0, Math.round((to.getTime() - Date.parse(from)) / 60_000));

// ---------------------------------------------------------------- decisions

interface Working {
  incident: Incident;
  readonly expectedVersion: number;
  readonly opened: boolean;
  readonly events: IncidentEvent[];
  reason?: IncidentUpdateReason;
  alert?: { kind: AlertKind; previousSeverity?: Severity; reason?: string; switched?: SwitchEvent };
  releaseDedupKey: boolean;
}

const isConditionKind = (kind: IncidentKind): kind is RoutingCondition['kind'] =>
  kind === 'cannot-fail-over' || kind === 'no-healthy-site';

export const decideIncidents = (input: IncidentInput): IncidentDecisions => {
  const { policy, now } = input;
  const at = now.toISOString();
  const records = policy.records;
  const recordStage = (name: string): Stage | undefined =>
    records.find((record) => normalizeRecordName(record.name) === normalizeRecordName(name))?.stage;
  // The site traffic left this round was serving when the failure was found: judge it as serving.
  const routingBefore: RoutingView[] = input.routing.map((state) => {
    const left = input.switches.find((change) => normalizeRecordName(change.record) === state.record);
    return left ? { record: state.record, activeSite: left.from } : state;
  });
  const serving = (site: Site, stage: Stage): boolean =>
    servesTraffic(site, stage, records, input.routing) || servesTraffic(site, stage, records, routingBefore);

  const working = new Map<string, Working>();
  const byKey = new Map(input.open.map((incident) => [incident.dedupKey, incident]));
  const event = (incident: Incident, type: IncidentEvent['type'], detail: string): IncidentEvent => ({
    incidentId: incident.id,
    at,
    type,
    detail,
  });
  const touch = (incident: Incident): Working => {
    const existing = working.get(incident.id);
    if (existing) return existing;
    const created: Working = {
      incident,
      expectedVersion: incident.version,
      opened: false,
      events: [],
      releaseDedupKey: false,
    };
    working.set(incident.id, created);
    return created;
  };
  const open = (
    fields: Omit<Incident, 'id' | 'status' | 'openedAt' | 'reminders' | 'version' | 'lastNotifiedAt'>,
    detail: string,
  ): Working => {
    const id = incidentId(fields.dedupKey, at);
    const incident: Incident = {
      ...fields,
      id,
      status: 'open',
      openedAt: at,
      lastNotifiedAt: at,
      reminders: 0,
      ...optionalDrillId(drillIdFor(input.drill, { site: fields.site, stage: fields.stage })),
      version: 1,
    };
    const created: Working = {
      incident,
      expectedVersion: 0,
      opened: true,
      events: [{ incidentId: id, at, type: 'opened', detail }],
      alert: { kind: 'open' },
      releaseDedupKey: false,
    };
    working.set(id, created);
    byKey.set(fields.dedupKey, incident);
    return created;
  };
  const resolve = (incident: Incident, detail: string): void => {
    const entry = touch(incident);
    entry.incident = { ...entry.incident, status: 'resolved', resolvedAt: at, lastNotifiedAt: at };
    entry.events.push(event(incident, 'resolved', detail));
    entry.reason = 'resolve';
    entry.alert = { kind: 'resolve', reason: detail };
    entry.releaseDedupKey = true;
  };
  const escalate = (
    incident: Incident,
    severity: Severity,
    severityReason: string,
    detail: string,
    timed: boolean,
  ): void => {
    const entry = touch(incident);
    entry.incident = {
      ...entry.incident,
      severity,
      severityReason,
      lastNotifiedAt: at,
      ...(timed ? { escalatedAt: at } : {}),
    };
    entry.events.push(event(incident, 'escalated', detail));
    entry.reason = 'escalate';
    entry.alert = { kind: 'escalate', previousSeverity: incident.severity, reason: detail };
  };

  // Probe incidents: level-triggered from the targets, so a write lost this round is retried next round.
  for (const target of input.targets) {
    const problem = problemOf(target);
    const currentKey = problem ? probeDedupKey(target.site, target.stage, problem) : undefined;
    if (problem && currentKey) {
      const decision = severityFor(
        {
          stage: target.stage,
          failureClass: problem === 'degraded' || problem === 'failed' ? undefined : problem,
          outcome: problem === 'degraded' ? 'degraded' : 'failed',
          serving: serving(target.site, target.stage),
        },
        policy.severity.rules,
      );
      const existing = byKey.get(currentKey);
      if (!existing) {
        open(
          {
            dedupKey: currentKey,
            kind: 'probe',
            site: target.site,
            stage: target.stage,
            ...(problem === 'degraded' || problem === 'failed' ? {} : { failureClass: problem }),
            severity: decision.severity,
            severityReason: decision.reason,
            title: probeTitle(target, problem),
            ...(target.lastMessage ? { detail: target.lastMessage } : {}),
          },
          `${probeTitle(target, problem)}: ${target.lastMessage ?? 'no message'}`,
        );
      } else if (isMoreSerious(decision.severity, existing.severity)) {
        escalate(existing, decision.severity, decision.reason, `now ${decision.severity}: ${decision.reason}`, false);
      }
    }
    if (target.health !== 'healthy') continue;
    for (const incident of input.open) {
      if (incident.kind === 'probe' && incident.site === target.site && incident.stage === target.stage) {
        resolve(
          incident,
          `${target.stage} on ${target.site} healthy again (${target.consecutiveSuccesses} good rounds) after ${minutesBetween(incident.openedAt, now)} min`,
        );
      }
    }
  }

  // Routing conditions: open while reported; resolve when no longer reported (only if we heard from the controller).
  if (input.conditions) {
    const reported = new Set<string>();
    for (const condition of input.conditions) {
      const key = conditionDedupKey(condition.kind, condition.record);
      reported.add(key);
      if (byKey.has(key)) continue;
      const fixed =
        condition.kind === 'cannot-fail-over'
          ? policy.severity.fixed.cannotFailOver
          : policy.severity.fixed.noHealthySite;
      const stage = recordStage(condition.record);
      open(
        {
          dedupKey: key,
          kind: condition.kind,
          ...(stage ? { stage } : {}),
          record: normalizeRecordName(condition.record),
          severity: fixed,
          severityReason:
            condition.kind === 'cannot-fail-over'
              ? 'hcguard cannot move traffic off a failing site'
              : 'no site can serve citizens',
          title: condition.title,
          detail: condition.detail,
        },
        `${condition.title}: ${condition.detail}`,
      );
    }
    const unknown = new Set((input.conditionsUnknownFor ?? []).map(normalizeRecordName));
    for (const incident of input.open) {
      if (
        isConditionKind(incident.kind) &&
        !reported.has(incident.dedupKey) &&
        !(incident.record && unknown.has(incident.record))
      ) {
        resolve(incident, `the controller no longer reports it, after ${minutesBetween(incident.openedAt, now)} min`);
      }
    }
  }

  // Time: escalate unacknowledged incidents once, otherwise remind — at most one alert per incident per round.
  const { escalate: escalating, escalateAfterMinutes, reminderIntervalMinutes } = policy.severity;
  for (const incident of input.open) {
    if (incident.status !== 'open' || working.get(incident.id)?.alert) continue;
    const openMinutes = minutesBetween(incident.openedAt, now);
    if (
      !incident.escalatedAt &&
      escalating.includes(incident.severity) &&
      now.getTime() - Date.parse(incident.openedAt) >= escalateAfterMinutes * 60_000
    ) {
      const raised = raiseSeverity(incident.severity);
      escalate(
        incident,
        raised,
        incident.severityReason ?? `unacknowledged ${incident.severity}`,
        `unacknowledged for ${openMinutes} min (escalates after ${escalateAfterMinutes} min)${raised !== incident.severity ? `: ${incident.severity} → ${raised}` : ''}`,
        true,
      );
      continue;
    }
    const lastNotified = incident.lastNotifiedAt ?? incident.openedAt;
    if (now.getTime() - Date.parse(lastNotified) >= reminderIntervalMinutes * 60_000) {
      const entry = touch(incident);
      entry.incident = { ...entry.incident, reminders: incident.reminders + 1, lastNotifiedAt: at };
      entry.events.push(
        event(incident, 'reminded', `reminder ${incident.reminders + 1}: unacknowledged for ${openMinutes} min`),
      );
      entry.reason = 'remind';
      entry.alert = {
        kind: 'remind',
        reason: `still unacknowledged after ${openMinutes} min (reminder ${incident.reminders + 1})`,
      };
    }
  }

  // Switches: told in the incident of the site traffic left (in its alert of this round, or an update alert).
  const notices: AlertDraft[] = [];
  for (const change of input.switches) {
    const stage = recordStage(change.record);
    const candidates = [...working.values()]
      .map((entry) => entry.incident)
      .concat(input.open.filter((incident) => !working.has(incident.id)));
    const named = change.incidentId
      ? candidates.find((incident) => incident.id === change.incidentId && incident.status !== 'resolved')
      : undefined;
    const target =
      named ??
      candidates
        .filter(
          (incident) =>
            incident.kind === 'probe' &&
            incident.status !== 'resolved' &&
            incident.site === change.from &&
            (!stage || incident.stage === stage),
        )
        .toSorted(
          (a, b) => severityRank(a.severity) - severityRank(b.severity) || a.openedAt.localeCompare(b.openedAt),
        )[0];
    const detail = `hcguard switched ${change.record} from ${change.from} to ${change.to}: ${change.reason}`;
    if (!target) {
      const decision =
        change.to === 'primary'
          ? { severity: policy.severity.fixed.recovered }
          : severityFor({ stage: stage ?? 'verification', outcome: 'failed', serving: true }, policy.severity.rules);
      notices.push({
        id: `switch/${normalizeRecordName(change.record)}/${change.at}`,
        kind: 'update',
        at,
        topic: decision.severity,
        severity: decision.severity,
        dedupKey: `switch/${normalizeRecordName(change.record)}`,
        ...optionalDrillId(
          input.drill ? drillIdFor(input.drill, { site: change.from, ...(stage ? { stage } : {}) }) : change.drillId,
        ),
        facts: {
          reason: detail,
          routing: input.routing.filter((state) => state.record === normalizeRecordName(change.record)),
          serving: false,
          failoverMode: policy.failover.mode,
          failback: policy.failover.failback,
          switched: change,
        },
      });
      continue;
    }
    const entry = touch(target);
    entry.events.push(event(target, 'switched', detail));
    if (entry.alert) {
      entry.alert.switched = change;
    } else {
      entry.incident = { ...entry.incident, lastNotifiedAt: at };
      entry.reason = 'switched';
      entry.alert = { kind: 'update', reason: detail, switched: change };
    }
  }

  const changes = [...working.values()].map((entry): IncidentChange => {
    entry.incident = { ...entry.incident, version: entry.expectedVersion + 1 };
    const alert = entry.alert ? draftAlert(entry, input, serving, at) : undefined;
    if (entry.opened && alert) return { type: 'open', incident: entry.incident, events: entry.events, alert };
    return {
      type: 'update',
      reason: entry.reason ?? 'switched',
      incident: entry.incident,
      expectedVersion: entry.expectedVersion,
      events: entry.events,
      ...(alert ? { alert } : {}),
      releaseDedupKey: entry.releaseDedupKey,
    };
  });
  return { changes, notices };
};

const draftAlert = (
  entry: Working,
  input: IncidentInput,
  serving: (site: Site, stage: Stage) => boolean,
  at: string,
): AlertDraft => {
  const { incident } = entry;
  const alert = entry.alert as NonNullable<Working['alert']>;
  const policy = input.policy;
  const stage = incident.stage;
  const followingRecords = policy.records
    .filter((record) => !stage || record.stage === stage)
    .map((record) => normalizeRecordName(record.name));
  const records = incident.record ? [incident.record] : followingRecords;
  const routing = records.map(
    (record) => input.routing.find((state) => state.record === record) ?? { record, activeSite: 'primary' as const },
  );
  const target = input.targets.find(
    (candidate) => candidate.site === incident.site && candidate.stage === incident.stage,
  );
  const refusal = input.conditions?.find(
    (condition) => condition.kind === 'cannot-fail-over' && records.includes(normalizeRecordName(condition.record)),
  );
  const suffix =
    alert.kind === 'remind'
      ? `/${incident.reminders}`
      : alert.kind === 'update' && alert.switched
        ? `/${alert.switched.at}`
        : '';
  const facts: AlertFacts = {
    ...(alert.reason ? { reason: alert.reason } : {}),
    ...((target?.lastMessage ?? incident.detail) ? { observed: target?.lastMessage ?? incident.detail } : {}),
    ...(target?.flapping
      ? {
          flapping: `${target.recentChanges.length} state changes within ${policy.detection.flap.windowMinutes} min; held at failing until it settles`,
        }
      : {}),
    routing,
    serving: incident.site && stage ? serving(incident.site, stage) : false,
    failoverMode: policy.failover.mode,
    failback: policy.failover.failback,
    ...(alert.switched ? { switched: alert.switched } : {}),
    ...(refusal && incident.status !== 'resolved' ? { cannotFailOver: refusal.detail } : {}),
    ...(policy.severity.escalate.includes(incident.severity) && !incident.escalatedAt
      ? { escalateAfterMinutes: policy.severity.escalateAfterMinutes }
      : {}),
  };
  return {
    id: `${incident.id}/${alert.kind}${suffix}`,
    kind: alert.kind,
    at,
    incident,
    topic: incident.severity,
    severity: alert.kind === 'resolve' ? policy.severity.fixed.recovered : incident.severity,
    ...(alert.previousSeverity ? { previousSeverity: alert.previousSeverity } : {}),
    dedupKey: incident.dedupKey,
    ...(incident.drillId ? { drillId: incident.drillId } : {}),
    facts,
  };
};

// ---------------------------------------------------------------- acknowledgement

export type AcknowledgeDecision =
  | { readonly ok: true; readonly change: Extract<IncidentChange, { type: 'update' }> }
  | { readonly ok: false; readonly reason: string };

/** `hcguard ack`: stops reminders and timed escalation. Sends no alert: the operator knows. */
export const acknowledgeIncident = (incident: Incident, actor: Actor, now: Date): AcknowledgeDecision => {
  if (incident.status === 'resolved')
    return { ok: false, reason: `${incident.id} is already resolved (at ${incident.resolvedAt ?? 'an unknown time'})` };
  if (incident.status === 'acknowledged') {
    return {
      ok: false,
      reason: `${incident.id} was already acknowledged by ${incident.acknowledgedBy ?? 'someone'} at ${incident.acknowledgedAt ?? 'an unknown time'}`,
    };
  }
  const at = now.toISOString();
  return {
    ok: true,
    change: {
      type: 'update',
      reason: 'acknowledge',
      incident: {
        ...incident,
        status: 'acknowledged',
        acknowledgedAt: at,
        acknowledgedBy: actor,
        version: incident.version + 1,
      },
      expectedVersion: incident.version,
      events: [{ incidentId: incident.id, at, type: 'acknowledged', detail: `acknowledged by ${actor}` }],
      releaseDedupKey: false,
    },
  };
};
