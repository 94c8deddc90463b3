// The operator Lambda's handler: ./operator-api.ts under middy, with the invocation's deadline
// split between the work and a reserve to store the drill and hand its lease back, and each
// phase a drill enters logged.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DrillRecord } from '../core/drill/model.ts';
import { handleOperatorRequest, type OperatorApiDeps, type OperatorResponse } from './operator-api.ts';

/** Middy aborts the handler's signal this long before the Lambda deadline. */
export const TIMEOUT_EARLY_MS = 5_000;
const DEFAULT_RESERVE_MS = 20_000;

export interface OperatorHandlerDeps extends OperatorApiDeps {
  readonly logger: Logger;
  /** Kept free at the end of an invocation to store the drill and hand its lease back. */
  readonly reserveMs?: number;
  readonly now?: () => number;
}

const logPhases = (logger: Logger) => (current: DrillRecord, previous: DrillRecord) => {
  const phase = current.phases.at(-1);
  const before = previous.phases.at(-1);
  if (!phase || (phase.name === before?.name && phase.outcome === before.outcome)) return;
  const fields = { drillId: current.id, phase: phase.name, outcome: phase.outcome, detail: phase.detail };
  logger.info(`drill ${current.id}: ${phase.name} ${phase.outcome}`, fields);
};

export const createOperatorHandler = (deps: OperatorHandlerDeps) => {
  const now = deps.now ?? Date.now;
  const reserveMs = deps.reserveMs ?? DEFAULT_RESERVE_MS;
  const operate = (
    event: unknown,
    context: Context,
    { signal }: { signal: AbortSignal },
  ): Promise<OperatorResponse> => {
    const usableMs = () => context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS - reserveMs;
    const deadlineFor = (budgetMs = Number.POSITIVE_INFINITY) =>
      new Date(now() + Math.max(1_000, Math.min(budgetMs, usableMs())));
    return handleOperatorRequest(event, deps, { signal, deadlineFor, onProgress: logPhases(deps.logger) });
  };
  return middy(operate, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    // The drill is stored after every tick: the CLI resumes it from there.
    timeoutEarlyResponse: () =>
      ({
        ok: false,
        command: 'unknown',
        error: 'the Lambda deadline came first: run `hcguard drill --resume <id>`',
      }) satisfies OperatorResponse,
  });
};
