// The CloudWatch metrics the probe handler emits and the stack's alarms and dashboard read.
import type { RoundStep } from '../app/round/types.ts';

export const METRICS_NAMESPACE = 'hcguard';
export const HEARTBEAT_METRIC = 'ProberHeartbeat';
/** Counted by the probe handler per failed part of a round; the stack alarms on each. */
export const ROUND_ERROR_METRICS = [
  'ProbeRunErrors',
  'StateStoreErrors',
  'AlertPublishErrors',
  'FailoverErrors',
] as const;
export type RoundErrorMetric = (typeof ROUND_ERROR_METRICS)[number];
/** Per result, dimensions service/site/stage: 1 when ok or degraded, 0 when failed. */
export const PROBE_SUCCESS_METRIC = 'ProbeSuccess';
/** Per result, dimensions service/site/stage: the probe's duration in milliseconds. */
export const PROBE_LATENCY_METRIC = 'ProbeLatency';

/** The error metric each failed part of a round counts: an alarm per kind tells what to look at. */
export const ERROR_METRICS: Readonly<Record<RoundStep, RoundErrorMetric>> = {
  'active-drill': 'StateStoreErrors',
  'load-targets': 'StateStoreErrors',
  'save-targets': 'StateStoreErrors',
  'record-results': 'StateStoreErrors',
  'load-incidents': 'StateStoreErrors',
  'load-announcements': 'StateStoreErrors',
  incident: 'StateStoreErrors',
  'queue-alert': 'StateStoreErrors',
  'pending-alerts': 'StateStoreErrors',
  'mark-sent': 'StateStoreErrors',
  publish: 'AlertPublishErrors',
  reconcile: 'FailoverErrors',
  probe: 'ProbeRunErrors',
};
