// The CloudWatch metrics the probe handler emits and the stack's alarms and dashboard read.

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
