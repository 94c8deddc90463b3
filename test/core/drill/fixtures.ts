// Builders for drill tests: a config, healthy targets, incidents and routing at given instants.
import type { HcguardConfigInput } from '../../../lambdas/core/config/schema.ts';
import type { DrillObservation } from '../../../lambdas/core/drill/observation.ts';
import type { DrillPolicy } from '../../../lambdas/core/drill/timing.ts';
import { STAGES, type Site, type Stage } from '../../../lambdas/core/model/vocabulary.ts';
import type { Incident } from '../../../lambdas/core/model/incidents.ts';
import type { RoutingState } from '../../../lambdas/core/model/routing.ts';
import type { TargetState } from '../../../lambdas/core/model/probing.ts';
import { testConfig } from '../../fakes/config.ts';

export const T0 = Date.parse('2026-11-20T02:00:00.000Z');
/** The instant `seconds` after T0. */
export const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
export const iso = (seconds: number): string => at(seconds).toISOString();

export const drillPolicy = (overrides: Partial<HcguardConfigInput> = {}): DrillPolicy & ReturnType<typeof testConfig> =>
  testConfig({ schedule: { intervalSeconds: 5 }, detection: { failureThreshold: 2 }, ...overrides });

export const target = (site: Site, stage: Stage, seconds: number, change: Partial<TargetState> = {}): TargetState => ({
  site,
  stage,
  health: 'healthy',
  since: iso(-600),
  consecutiveFailures: 0,
  consecutiveSuccesses: 5,
  lastOutcome: 'ok',
  lastResultAt: iso(seconds),
  recentChanges: [],
  flapping: false,
  version: 3,
  ...change,
});

/** Every target healthy with a result at `seconds`, with some changed. */
export const targets = (
  seconds: number,
  changes: Partial<Record<`${Site}#${Stage}`, Partial<TargetState>>> = {},
): TargetState[] =>
  (['primary', 'backup'] as const).flatMap((site) =>
    STAGES.map((stage) => target(site, stage, seconds, changes[`${site}#${stage}`])),
  );

export const incident = (change: Partial<Incident> = {}): Incident => ({
  id: 'inc-1',
  dedupKey: 'probe#primary#verification#status',
  kind: 'probe',
  site: 'primary',
  stage: 'verification',
  failureClass: 'status',
  severity: 'SEV1',
  status: 'open',
  title: 'verification failing on primary: HTTP 503',
  openedAt: iso(10),
  reminders: 0,
  version: 1,
  ...change,
});

export const RECORD = 'verify.hc.example.com';

export const routing = (site: Site, change: Partial<RoutingState> = {}): RoutingState => ({
  record: RECORD,
  activeSite: site,
  since: iso(-3600),
  reason: 'initial',
  actor: 'controller',
  version: 1,
  ...change,
});

export const observation = (seconds: number, change: Partial<DrillObservation> = {}): DrillObservation => ({
  now: at(seconds),
  targets: targets(seconds),
  incidents: [],
  routing: [routing('primary')],
  alerts: [],
  ...change,
});
