// When probe rounds run and how long the probe Lambda may take: the stack, the cost model, the
// local runtime and the handler all compute these here, so the numbers agree.
import type { HcguardConfig } from './config/schema.ts';

/** EventBridge fires at most once a minute; longer intervals are whole minutes. */
export const scheduleRateMinutes = (config: Pick<HcguardConfig, 'schedule'>): number =>
  Math.max(1, Math.round(config.schedule.intervalSeconds / 60));

/** Sub-minute intervals run several rounds in one invocation of the once-a-minute schedule. */
export const roundsPerInvocation = (config: Pick<HcguardConfig, 'schedule'>): number =>
  config.schedule.intervalSeconds >= 60 ? 1 : Math.floor(60 / config.schedule.intervalSeconds);

/** Time a round needs besides its probes: DynamoDB, the controller, SNS. */
export const ROUND_OVERHEAD_MS = 5_000;

/** The longest a round can take: the slowest probe's step timeouts, plus the round's own I/O. */
export const roundBudgetMs = (config: Pick<HcguardConfig, 'probes'>): number =>
  Math.max(0, ...config.probes.map((probe) => probe.steps.reduce((sum, step) => sum + step.timeoutMs, 0))) +
  ROUND_OVERHEAD_MS;

/** Probe Lambda timeout: long enough to run a minute of rounds and wait for one Route 53 switch. */
export const probeFunctionTimeoutSeconds = (config: Pick<HcguardConfig, 'schedule' | 'failover'>): number =>
  Math.min(900, Math.max(60, config.schedule.intervalSeconds, config.failover.insyncTimeoutSeconds + 30));

/** The operator Lambda runs drills in slices of at most its 15-minute limit. */
export const OPERATOR_FUNCTION_TIMEOUT_SECONDS = 900;

/** Memory of each hcguard Lambda: the stack deploys these and the cost model bills them. */
export const FUNCTION_MEMORY_MB = { probe: 512, operator: 256 } as const;

export interface InvocationPlan {
  readonly rounds: number;
  readonly intervalMs: number;
  /** A round starts only with at least this much time left before the deadline. */
  readonly budgetMs: number;
}

export const invocationPlan = (config: Pick<HcguardConfig, 'schedule' | 'probes'>): InvocationPlan => ({
  rounds: roundsPerInvocation(config),
  intervalMs: config.schedule.intervalSeconds * 1000,
  budgetMs: roundBudgetMs(config),
});

/** Why round `round` must not start with `usableMs` left, if it must not. */
export const roundSkipped = (plan: InvocationPlan, round: number, usableMs: number): string | undefined =>
  usableMs < plan.budgetMs
    ? `round ${round} of ${plan.rounds} skipped: ${usableMs} ms left, a round may take ${plan.budgetMs} ms`
    : undefined;
