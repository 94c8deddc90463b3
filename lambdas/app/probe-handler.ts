// The probe Lambda's handler: the invocation's rounds (./probe-invocation.ts) under middy, whose
// signal aborts the running round shortly before the Lambda deadline.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { PowertoolsRoundReporter } from '../adapters/aws/round-reporter.ts';
import type { HcguardConfig } from '../core/config/schema.ts';
import { invocationPlan } from '../core/schedule.ts';
import { runProbeInvocation, type ProbeInvocationDeps, type ProbeInvocationResult } from './probe-invocation.ts';
import type { RoundOptions, RoundSummary } from './round/types.ts';

/** Middy aborts the handler's signal this long before the Lambda deadline. */
export const TIMEOUT_EARLY_MS = 3_000;

export interface ProbeHandlerDeps extends Pick<ProbeInvocationDeps, 'now' | 'sleep'> {
  readonly config: Pick<HcguardConfig, 'name' | 'schedule' | 'probes'>;
  readonly runRound: (options: RoundOptions) => Promise<RoundSummary>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** How long before the deadline middy aborts the round (TIMEOUT_EARLY_MS). */
  readonly timeoutEarlyMs?: number;
}

export const createProbeHandler = (deps: ProbeHandlerDeps) => {
  const early = deps.timeoutEarlyMs ?? TIMEOUT_EARLY_MS;
  const invocation = {
    ...deps,
    plan: invocationPlan(deps.config),
    reporter: new PowertoolsRoundReporter(deps.logger, deps.metrics, deps.config.name),
  };
  const probe = (_event: unknown, context: Context, { signal }: { signal: AbortSignal }) =>
    runProbeInvocation(invocation, { usableMs: () => context.getRemainingTimeInMillis() - early, signal });
  return middy(probe, {
    timeoutEarlyInMillis: early,
    // Answer instead of failing: a failed scheduled invocation would only be retried late.
    timeoutEarlyResponse: () => {
      deps.logger.warn('the Lambda deadline is near: the running round was aborted');
      return { rounds: [], stopped: 'aborted at the deadline' } satisfies ProbeInvocationResult;
    },
  });
};
