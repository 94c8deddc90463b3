// What the runner reads each tick: the state every phase needs, plus what the drill asks for —
// its incident, the audit queue, the backup's results, the written records' counts, and the facts
// its environment checks judge (core/drill/environment.ts).
import { environmentChecks, environmentNeeds, type EnvironmentFacts, type Read } from '../../core/drill/environment.ts';
import type { DeliveredAlert, DrillPhaseName, DrillRecord } from '../../core/drill/model.ts';
import { observationNeeds, type DrillObservation } from '../../core/drill/observation.ts';
import { errorText, FaultListingUnsupportedError } from '../../core/errors.ts';
import type { ProbeResult } from '../../core/model/probing.ts';
import { SEVERITIES } from '../../core/model/vocabulary.ts';
import type { DrillServiceDeps } from './types.ts';

const read = async <T>(work: () => Promise<T>): Promise<Read<T>> => {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
};

const gatherEnvironment = async (
  deps: DrillServiceDeps,
  drill: DrillRecord,
  phases: readonly DrillPhaseName[],
  signal?: AbortSignal,
): Promise<EnvironmentFacts> => {
  const needs = environmentNeeds(drill, phases);
  const { faults, audit, records, router } = deps;
  const listFaults = async () => {
    try {
      return await faults!.injector.list(signal);
    } catch (error) {
      if (error instanceof FaultListingUnsupportedError) return undefined;
      throw error;
    }
  };
  const [active, auditRead, countable, store, routing, readings] = await Promise.all([
    needs.injector && faults ? read(listFaults) : undefined,
    needs.audit && audit ? read(() => audit.check(signal)) : undefined,
    needs.records && records
      ? read(async () => (await records.count('primary', [], signal), true as const))
      : undefined,
    needs.store
      ? read(async () => {
          const [targets, incidents] = await Promise.all([
            deps.store.loadTargets(signal),
            deps.store.listOpenIncidents(signal),
          ]);
          return { targets: targets.length, incidents: incidents.length };
        })
      : undefined,
    needs.routing
      ? read(async () => {
          const [states, lock] = await Promise.all([deps.routing.list(signal), deps.routing.getLock(signal)]);
          return { records: states.length, ...(lock ? { lock } : {}) };
        })
      : undefined,
    needs.routing && router
      ? Promise.all(
          (deps.managedRecords ?? []).map(async (record) => ({
            record: record.name,
            reading: await read(() => router.read(record, signal)),
          })),
        )
      : undefined,
  ]);
  return {
    ...(faults && active ? { injector: { description: faults.description, active } } : {}),
    ...(auditRead ? { audit: auditRead } : {}),
    ...(records && countable ? { records: { description: records.description, countable } } : {}),
    ...(store ? { store } : {}),
    ...(routing ? { routing } : {}),
    ...(readings ? { readings } : {}),
    missingTopics: SEVERITIES.filter((severity) => !deps.topicArns?.[severity]),
  };
};

const countRecords = async (
  deps: DrillServiceDeps,
  drill: DrillRecord,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<{ counts: Record<string, number> } | { error: string } | undefined> => {
  if (!deps.records) return undefined;
  const platformIds = drill.data.platformIds ?? {};
  const records = ids.map((recordId) => {
    const platformId = platformIds[recordId.slice(drill.id.length + 1)];
    return { recordId, ...(platformId ? { platformId } : {}) };
  });
  try {
    return { counts: await deps.records.count('primary', records, signal) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { error: errorText(error) };
  }
};

export const observe = async (
  deps: DrillServiceDeps,
  drill: DrillRecord,
  now: Date,
  signal?: AbortSignal,
): Promise<{ observation: DrillObservation; problems: string[] }> => {
  const { config, clock } = deps;
  const needs = observationNeeds(drill, now, config);
  const problems: string[] = [];
  const optional = async <T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (signal?.aborted) throw error;
      problems.push(`${what}: ${errorText(error)}`);
      return fallback;
    }
  };
  const backupResults = async (since: NonNullable<typeof needs.backupResultsSince>): Promise<ProbeResult[]> =>
    (
      await Promise.all(
        since.stages.map((stage) =>
          deps.store.history({ site: 'backup', stage, since: since.since, limit: 1_000 }, signal),
        ),
      )
    ).flat();
  const incidentId = needs.incidentId;
  const audit = deps.audit;
  const since = needs.backupResultsSince;
  const [targets, incidents, routing, lock, active, drillIncident, alerts, counts, facts, serving] = await Promise.all([
    deps.store.loadTargets(signal),
    deps.store.listOpenIncidents(signal),
    deps.routing.list(signal),
    deps.routing.getLock(signal),
    deps.drills.active(signal),
    incidentId
      ? optional(
          'reading the drill incident',
          async () => (await deps.store.getIncident(incidentId, signal))?.incident,
          undefined,
        )
      : undefined,
    needs.alerts && audit
      ? optional('reading the audit queue', () => audit.receive(signal), [] as DeliveredAlert[])
      : ([] as DeliveredAlert[]),
    needs.recordCounts ? countRecords(deps, drill, needs.recordCounts, signal) : undefined,
    needs.environment.length ? gatherEnvironment(deps, drill, needs.environment, signal) : undefined,
    since ? optional("reading the backup's results", () => backupResults(since), undefined) : undefined,
  ]);
  const environment = facts ? environmentChecks(drill, needs.environment, facts, config) : undefined;
  return {
    observation: {
      now: clock.now(),
      targets,
      incidents,
      routing,
      ...(lock ? { lock } : {}),
      ...(active ? { activeDrillId: active.drillId } : {}),
      ...(drillIncident ? { drillIncident } : {}),
      alerts,
      ...(counts && 'counts' in counts ? { recordCounts: counts.counts } : {}),
      ...(counts && 'error' in counts ? { recordCountError: counts.error } : {}),
      ...(environment ? { environment } : {}),
      ...(serving ? { backupResults: serving } : {}),
    },
    problems,
  };
};
