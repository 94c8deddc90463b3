// Simulated injection: the platform is left alone and the results of the faulted (site, stage)
// are replaced by what the fault would have produced, so evaluation, incidents, alerts and
// failover run exactly as they would for a real fault. Pure: a result and a fault in, the
// result evaluation sees out.
import type { FailureClass, FaultMode, Outcome } from '../model/vocabulary.ts';
import type { ProbeResult } from '../model/probing.ts';
import type { DrillFault } from './model.ts';

/** What each fault mode looks like to the probe that would catch it. */
export const SIMULATED_EFFECT: Readonly<
  Record<FaultMode, { readonly outcome: Outcome; readonly failureClass?: FailureClass; readonly message: string }>
> = {
  error: { outcome: 'failed', failureClass: 'status', message: 'status 503 (simulated)' },
  latency: { outcome: 'degraded', message: 'answer over the latency bound (simulated)' },
  hang: { outcome: 'failed', failureClass: 'timeout', message: 'no answer before the step timeout (simulated)' },
  reset: { outcome: 'failed', failureClass: 'connect', message: 'connection reset (simulated)' },
  tamper: {
    outcome: 'failed',
    failureClass: 'integrity',
    message: 'receipt hash does not match the record sent (simulated)',
  },
  'wrong-verdict': {
    outcome: 'failed',
    failureClass: 'wrong-verdict',
    message: 'known-good code got the wrong verdict (simulated)',
  },
  'accept-all': { outcome: 'failed', failureClass: 'wrong-verdict', message: 'forged code accepted (simulated)' },
  'drop-writes': {
    outcome: 'failed',
    failureClass: 'assertion',
    message: 'declaration not found on read-back (simulated)',
  },
  'stale-replica': {
    outcome: 'failed',
    failureClass: 'assertion',
    message: 'read-back returned stale data (simulated)',
  },
  malformed: { outcome: 'failed', failureClass: 'malformed', message: 'response is not valid JSON (simulated)' },
  'huge-body': { outcome: 'failed', failureClass: 'too-large', message: 'response body over the size cap (simulated)' },
};

/** The result as the fault would have made it; results of other targets pass unchanged. */
export const simulateResult = (result: ProbeResult, faults: readonly DrillFault[], drillId: string): ProbeResult => {
  const fault = faults.find((entry) => entry.site === result.site && entry.stage === result.stage);
  if (!fault || result.failureClass === 'aborted') return result;
  const effect = SIMULATED_EFFECT[fault.mode];
  const { failureClass: _real, failure: _failure, message: _message, ...rest } = result;
  return {
    ...rest,
    outcome: effect.outcome,
    ...(effect.failureClass ? { failureClass: effect.failureClass } : {}),
    message: `${effect.message} during drill ${drillId}`,
    steps: result.steps.map((step, index) =>
      index === result.steps.length - 1
        ? {
            ...step,
            outcome: effect.outcome,
            ...(effect.failureClass ? { failureClass: effect.failureClass } : {}),
            message: effect.message,
          }
        : step,
    ),
    drillId,
  };
};
