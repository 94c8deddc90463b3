// The drill Lambda, invoked by the operator CLI (only the operator role may invoke it). It runs
// drill commands — start, resume, abort, step, status, list, report — and delegates routing
// commands (failover, failback, lock, unlock) to executeOperatorCommand, so the CLI can act on a
// deployed stack with nothing but lambda:InvokeFunction.
//
// A drill can outlast one invocation (15 minutes at most, and the CLI asks for shorter slices so
// Ctrl-C is answered quickly): each invocation advances the drill until its budget or the
// deadline, stores it, and answers `done: false`; the CLI invokes `resume` until `done`.
//
// Environment is read once per container: the config baked into the bundle (HCGUARD_BAKED_CONFIG,
// see core/config/baked.ts: used as baked when it has the parsed shape) and the stack's resources
// (HCGUARD_RESOURCES). Adapters are built at module scope; SDK clients on first use.
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { composeDrillService } from '../app/compose-drills.ts';
import { DrillInputError, type AdvanceResult, type DrillService } from '../app/drill.ts';
import {
  executeOperatorCommand,
  InvalidOperatorCommand,
  isOperatorCommand,
  type OperatorCommandResult,
  type OperatorServices,
} from '../app/operator-commands.ts';
import { describeIssues } from '../core/config.ts';
import { DRILL_STEPS, type DrillRecord } from '../core/drill/model.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Actor } from '../core/model/vocabulary.ts';
import type { DrillListing } from '../core/drill/model.ts';
import { deployedHandler } from '../app/deployment.ts';

const actor = z
  .string()
  .regex(/^(operator|drill):[^\s]{1,200}$/, { error: 'must be operator:<user>@<host>' })
  .transform((value) => value as Actor);
const drillId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'must be a drill id such as drill-20261120-020000-3fa9' });
/** How long this invocation may advance the drill; the Lambda's remaining time caps it. */
const budgetMs = z.number().int().min(5_000).max(900_000).optional();

export const drillCommandSchema = z.discriminatedUnion(
  'command',
  [
    z.strictObject({
      command: z.literal('start'),
      scenario: z.string().min(1).max(100),
      dryRun: z.boolean().default(false),
      actor,
      budgetMs,
    }),
    z.strictObject({
      command: z.literal('step'),
      step: z.enum(DRILL_STEPS),
      dryRun: z.boolean().default(false),
      actor,
      budgetMs,
    }),
    z.strictObject({ command: z.literal('resume'), id: drillId, budgetMs }),
    z.strictObject({ command: z.literal('abort'), id: drillId, actor, reason: z.string().min(1).max(500), budgetMs }),
    z.strictObject({ command: z.literal('status'), id: drillId }),
    z.strictObject({ command: z.literal('list'), limit: z.number().int().min(1).max(200).optional() }),
    z.strictObject({ command: z.literal('report'), id: drillId }),
  ],
  {
    error: 'command must be one of: start, step, resume, abort, status, list, report, failover, failback, lock, unlock',
  },
);
export type DrillCommand = z.infer<typeof drillCommandSchema>;
export type DrillCommandInput = z.input<typeof drillCommandSchema>;

export type DrillResponse =
  | {
      readonly ok: true;
      readonly command: 'start' | 'step' | 'resume' | 'abort';
      readonly state: AdvanceResult['state'];
      readonly done: boolean;
      readonly drill: DrillRecord;
    }
  | { readonly ok: true; readonly command: 'status'; readonly drill: DrillRecord }
  | { readonly ok: true; readonly command: 'list'; readonly drills: readonly DrillListing[] }
  | {
      readonly ok: true;
      readonly command: 'report';
      readonly drill: DrillRecord;
      readonly markdown: string;
      readonly html: string;
    }
  | {
      readonly ok: false;
      readonly command: string;
      readonly error: string;
      readonly message?: string;
      readonly problems?: readonly string[];
    }
  | (OperatorCommandResult & { readonly routing: true });

export interface DrillHandlerDeps {
  readonly drills: DrillService;
  readonly operator: OperatorServices;
  readonly logger: Logger;
  /** Kept free at the end of an invocation to store the drill and hand its lease back. */
  readonly reserveMs?: number;
  readonly now?: () => number;
}

/** Middy aborts the handler's signal this long before the Lambda deadline. */
export const TIMEOUT_EARLY_MS = 5_000;
const DEFAULT_RESERVE_MS = 20_000;

export const createHandler = (deps: DrillHandlerDeps) => {
  const now = deps.now ?? Date.now;
  const reserveMs = deps.reserveMs ?? DEFAULT_RESERVE_MS;

  const drill = async (
    event: unknown,
    context: Context,
    { signal }: { signal: AbortSignal },
  ): Promise<DrillResponse> => {
    if (isOperatorCommand(event)) {
      try {
        return { ...(await executeOperatorCommand(event, deps.operator, signal)), routing: true };
      } catch (error) {
        // `message` too: the CLI reads routing answers as OperatorCommandResult.
        if (error instanceof InvalidOperatorCommand)
          return {
            ok: false,
            command: String((event as { command: unknown }).command),
            error: error.message,
            message: error.message,
            problems: error.problems,
          };
        throw error;
      }
    }
    const parsed = drillCommandSchema.safeParse(event);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues, event).map(
        (problem) => `${problem.path || '(command)'}: ${problem.rule}`,
      );
      return {
        ok: false,
        command: String((event as { command?: unknown } | null)?.command ?? 'unknown'),
        error: 'invalid drill command',
        problems,
      };
    }
    const command = parsed.data;
    const deadlineFor = (budget?: number) =>
      new Date(
        now() +
          Math.max(
            1_000,
            Math.min(
              budget ?? Number.POSITIVE_INFINITY,
              context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS - reserveMs,
            ),
          ),
      );
    const progress = {
      onProgress: (current: DrillRecord, previous: DrillRecord) => {
        const phase = current.phases.at(-1);
        if (
          phase &&
          (phase.name !== previous.phases.at(-1)?.name || phase.outcome !== previous.phases.at(-1)?.outcome)
        ) {
          deps.logger.info(`drill ${current.id}: ${phase.name} ${phase.outcome}`, {
            drillId: current.id,
            phase: phase.name,
            outcome: phase.outcome,
            detail: phase.detail,
          });
        }
      },
    };
    const advanced = (name: 'start' | 'step' | 'resume' | 'abort', result: AdvanceResult): DrillResponse => ({
      ok: true,
      command: name,
      state: result.state,
      done: result.state === 'finished',
      drill: result.drill,
    });
    try {
      switch (command.command) {
        case 'start':
          return advanced(
            'start',
            await deps.drills.start(
              { scenario: command.scenario, dryRun: command.dryRun, actor: command.actor },
              { deadline: deadlineFor(command.budgetMs), signal, ...progress },
            ),
          );
        case 'step':
          return advanced(
            'step',
            await deps.drills.start(
              { step: command.step, dryRun: command.dryRun, actor: command.actor },
              { deadline: deadlineFor(command.budgetMs), signal, ...progress },
            ),
          );
        case 'resume':
          return advanced(
            'resume',
            await deps.drills.advance(command.id, { deadline: deadlineFor(command.budgetMs), signal, ...progress }),
          );
        case 'abort':
          return advanced(
            'abort',
            await deps.drills.abort(command.id, command.actor, command.reason, {
              deadline: deadlineFor(command.budgetMs),
              signal,
              ...progress,
            }),
          );
        case 'status': {
          const found = await deps.drills.get(command.id, signal);
          if (!found) return { ok: false, command: 'status', error: `no drill ${command.id}` };
          return { ok: true, command: 'status', drill: found };
        }
        case 'list':
          return { ok: true, command: 'list', drills: await deps.drills.list(command.limit, signal) };
        case 'report': {
          const report = await deps.drills.report(command.id, { htmlFile: `${command.id}.html`, signal });
          return { ok: true, command: 'report', ...report };
        }
      }
    } catch (error) {
      if (error instanceof DrillInputError || error instanceof NotFoundError)
        return { ok: false, command: command.command, error: error.message };
      throw error;
    }
  };

  return middy(drill, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    // The drill is stored after every tick: the CLI resumes it from there.
    timeoutEarlyResponse: () =>
      ({
        ok: false,
        command: 'unknown',
        error: 'the Lambda deadline came first: run `hcguard drill --resume <id>`',
      }) satisfies DrillResponse,
  });
};

// ---------------------------------------------------------------- the deployed function

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hcguard-drill' });

export const handler = deployedHandler('drill', logger, ({ services, region }) =>
  createHandler({
    // Only drills that read their alerts back from the audit queue build the SQS client.
    drills: composeDrillService(services, { sqs: () => new SQSClient({ region, maxAttempts: 3 }) }),
    operator: { failover: services.failover, loadTargets: (signal) => services.store.loadTargets(signal) },
    logger,
  }),
);
