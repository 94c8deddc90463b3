// The drill's checks of its environment and permissions, per phase: pure judgements of what the
// runner found (./observation.ts asks for them; lambdas/app/drill/environment.ts gathers the facts).
import type { HcguardConfig } from '../config/schema.ts';
import type { ActiveFault } from '../model/faults.ts';
import type { RecordReading, RoutingLock } from '../model/routing.ts';
import { SEVERITIES, type Severity } from '../model/vocabulary.ts';
import type { DrillCheck, DrillPhaseName, DrillRecord } from './model.ts';
import { check } from './state.ts';

/** A read the runner made for a check: what it returned, or why it failed. */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface EnvironmentFacts {
  /** The fault injector: absent when none is reachable; `active` undefined when it cannot list faults. */
  readonly injector?: { readonly description: string; readonly active: Read<readonly ActiveFault[] | undefined> };
  /** The audit queue's own answer (its attributes), or why it cannot be read; absent without a queue. */
  readonly audit?: Read<string>;
  /** The record writer, and whether counting works; absent without one. */
  readonly records?: { readonly description: string; readonly countable: Read<true> };
  readonly store?: Read<{ readonly targets: number; readonly incidents: number }>;
  readonly routing?: Read<{ readonly records: number; readonly lock?: RoutingLock }>;
  readonly readings?: readonly { readonly record: string; readonly reading: Read<RecordReading | undefined> }[];
  /** Severities without a deployed topic. */
  readonly missingTopics?: readonly Severity[];
}

/** Which facts the checks of these phases need. */
export const environmentNeeds = (drill: DrillRecord, phases: readonly DrillPhaseName[]) => {
  const has = (...names: DrillPhaseName[]) => names.some((name) => phases.includes(name));
  const live = !drill.dryRun;
  return {
    injector: (has('preflight') && drill.step === undefined && live) || has('inject'),
    audit: (has('preflight') && (drill.step === undefined || drill.step === 'notify') && live) || has('notify'),
    records: drill.data.unmeasured === undefined && ((has('preflight') && live) || has('restore')),
    store: has('identify'),
    routing: has('activate'),
  };
};

const injectorCheck = (drill: DrillRecord, facts: EnvironmentFacts): DrillCheck => {
  const name = 'fault injection';
  if (drill.injection === 'simulated') {
    return check(name, true, 'simulated: synthetic failures are fed into evaluation, the platform is not touched');
  }
  const injector = facts.injector;
  if (!injector) {
    const how = 'run the local runtime (`npm start`) for the sandbox, set drills.faultHookUrl for a real platform';
    return check(name, false, `no fault injector: ${how}, or drills.injection: simulated`);
  }
  if (!injector.active.ok) return check(name, false, `${injector.description}: ${injector.active.error}`);
  const active = injector.active.value;
  // A hook that cannot list is still usable: inject and clear are what the drill needs.
  if (active === undefined) return check(name, true, `${injector.description} (it cannot list active faults)`);
  if (active.length > 0) {
    const faults = active.map((fault) => `${fault.mode} on ${fault.site} ${fault.stage}`).join(', ');
    const detail =
      `faults are already active on ${injector.description}: ${faults} — clear them ` +
      `first (\`hcguard fault clear\`)`;
    return check(name, false, detail);
  }
  return check(name, true, `${injector.description} answers; no fault active`);
};

const auditCheck = (facts: EnvironmentFacts): DrillCheck => {
  const name = 'alert audit queue';
  if (!facts.audit) {
    return check(name, false, 'no audit queue in the deployed resources (auditQueueUrl): delivery cannot be confirmed');
  }
  return facts.audit.ok
    ? check(name, true, facts.audit.value)
    : check(name, false, `cannot read the audit queue: ${facts.audit.error}`);
};

const recordsCheck = (facts: EnvironmentFacts): DrillCheck => {
  const name = 'record writer';
  const records = facts.records;
  if (!records)
    return check(name, false, 'no record writer for this platform: data loss (RPO) will not be measured', false);
  return records.countable.ok
    ? check(name, true, `records are written to the serving site and ${records.description}`, false)
    : check(
        name,
        false,
        `records cannot be counted (${records.countable.error}): data loss will not be measured`,
        false,
      );
};

const notifyChecks = (config: Pick<HcguardConfig, 'alerts'>, facts: EnvironmentFacts): DrillCheck[] => {
  const missing = facts.missingTopics ?? [];
  const silent = SEVERITIES.filter((severity) => config.alerts[severity].subscriptions.length === 0);
  return [
    auditCheck(facts),
    check(
      'alert topics',
      missing.length === 0,
      missing.length === 0 ? 'a topic for every severity' : `no topic for ${missing.join(', ')}`,
    ),
    check(
      'subscribers',
      silent.length === 0,
      silent.length === 0 ? 'every severity has subscribers' : `no subscriber in config for ${silent.join(', ')}`,
      false,
    ),
  ];
};

const activateChecks = (config: Pick<HcguardConfig, 'failover'>, facts: EnvironmentFacts): DrillCheck[] => {
  const mode =
    config.failover.mode === 'automatic'
      ? 'automatic: the controller switches on its own'
      : 'manual: an operator must run `hcguard failover --to backup`';
  const checks = [check('failover mode', true, mode, false)];
  const routing = facts.routing;
  if (routing) {
    checks.push(
      routing.ok
        ? check(
            'routing state readable',
            true,
            `${routing.value.records} record(s) with routing ` +
              `state${routing.value.lock ? `; LOCKED by ${routing.value.lock.actor}` : ''}`,
          )
        : check('routing state readable', false, routing.error),
    );
  }
  for (const { record, reading } of facts.readings ?? []) {
    if (!reading.ok) checks.push(check(`Route 53 ${record}`, false, `cannot read the record: ${reading.error}`));
    else if (reading.value) {
      const found = reading.value;
      checks.push(
        check(`Route 53 ${record}`, found.site === 'primary', `${found.description} (${found.site ?? 'neither site'})`),
      );
    }
  }
  return checks;
};

/** The checks of each phase, judged from what the runner found. */
export const environmentChecks = (
  drill: DrillRecord,
  phases: readonly DrillPhaseName[],
  facts: EnvironmentFacts,
  config: Pick<HcguardConfig, 'alerts' | 'failover'>,
): Partial<Record<DrillPhaseName, DrillCheck[]>> => {
  const needs = environmentNeeds(drill, ['preflight']);
  const checks: Partial<Record<DrillPhaseName, DrillCheck[]>> = {};
  for (const phase of phases) {
    switch (phase) {
      case 'preflight':
        checks.preflight = [
          ...(needs.injector ? [injectorCheck(drill, facts)] : []),
          ...(needs.audit ? [auditCheck(facts)] : []),
          ...(needs.records ? [recordsCheck(facts)] : []),
        ];
        break;
      case 'inject':
        checks.inject = [injectorCheck(drill, facts)];
        break;
      case 'identify': {
        const store = facts.store;
        checks.identify = store?.ok
          ? [
              check(
                'state store readable',
                true,
                `${store.value.targets} target state(s), ${store.value.incidents} open incident(s)`,
              ),
            ]
          : [check('state store readable', false, store?.error ?? 'not read')];
        break;
      }
      case 'notify':
        checks.notify = notifyChecks(config, facts);
        break;
      case 'decide':
        checks.decide = [
          check(
            'decision test',
            true,
            drill.awaitAck
              ? 'the drill waits for `hcguard ack` on its incident'
              : 'drills.awaitAck is off: no decision test',
            false,
          ),
        ];
        break;
      case 'activate':
        checks.activate = activateChecks(config, facts);
        break;
      case 'restore': {
        const failback =
          config.failover.failback === 'automatic'
            ? `automatic after ${config.failover.failbackAfterHealthyMinutes} healthy min`
            : 'the drill approves `hcguard failback` once the primary is healthy';
        checks.restore = [
          ...(drill.data.unmeasured === undefined ? [recordsCheck(facts)] : []),
          check('failback', true, failback, false),
        ];
        break;
      }
      case 'summary':
        break;
    }
  }
  return checks;
};
