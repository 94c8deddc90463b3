// What the operator Lambda answers: every command the CLI sends it, validated and dispatched —
// drill commands (start, step, resume, abort, status, list, report) to the drill service, routing
// commands (failover, failback, lock, unlock) to ./operator-commands.ts — so the CLI can act on a
// deployed stack with nothing but lambda:InvokeFunction.
//
// A drill can outlast one invocation: each invocation advances it until its budget or the
// deadline, stores it, and answers `done: false`; the CLI invokes `resume` until `done`.
import * as z from 'zod';
import { describeIssues } from '../core/config/problems.ts';
import { actorId } from '../core/config-rules.ts';
import { DRILL_STEPS, type DrillListing, type DrillRecord } from '../core/drill/model.ts';
import { NotFoundError } from '../core/errors.ts';
import { SEVERITIES } from '../core/model/vocabulary.ts';
import { DrillInputError, type AdvanceOptions, type AdvanceResult, type DrillService } from './drill/types.ts';
import {
  executeOperatorCommand,
  InvalidOperatorCommand,
  isOperatorCommand,
  type OperatorCommandResult,
  type OperatorServices,
} from './operator-commands.ts';

const actor = actorId('must be operator:<user>@<host>');
const drillId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'must be a drill id such as drill-20261120-020000-3fa9' });
/** How long this invocation may advance the drill; the Lambda's remaining time caps it. */
const budgetMs = z.number().int().min(5_000).max(900_000).optional();
const dryRun = z.boolean().default(false);

export const drillCommandSchema = z.discriminatedUnion(
  'command',
  [
    z.strictObject({ command: z.literal('start'), scenario: z.string().min(1).max(100), dryRun, actor, budgetMs }),
    z.strictObject({
      command: z.literal('step'),
      step: z.enum(DRILL_STEPS),
      severities: z.array(z.enum(SEVERITIES)).min(1).max(4).optional(),
      dryRun,
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

export type OperatorResponse =
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

export interface OperatorApiDeps {
  readonly drills: DrillService;
  readonly operator: OperatorServices;
}

export interface OperatorInvocation {
  readonly signal: AbortSignal;
  /** When this invocation must stop advancing a drill, for a command's own budget. */
  readonly deadlineFor: (budgetMs?: number) => Date;
  readonly onProgress?: AdvanceOptions['onProgress'];
}

const commandOf = (event: unknown): string => String((event as { command?: unknown } | null)?.command ?? 'unknown');

const routingCommand = async (
  event: unknown,
  deps: OperatorApiDeps,
  signal: AbortSignal,
): Promise<OperatorResponse> => {
  try {
    return { ...(await executeOperatorCommand(event, deps.operator, signal)), routing: true };
  } catch (error) {
    if (!(error instanceof InvalidOperatorCommand)) throw error;
    // `message` too: the CLI reads routing answers as OperatorCommandResult.
    return {
      ok: false,
      command: commandOf(event),
      error: error.message,
      message: error.message,
      problems: error.problems,
    };
  }
};

const advanced = (command: 'start' | 'step' | 'resume' | 'abort', result: AdvanceResult): OperatorResponse => ({
  ok: true,
  command,
  state: result.state,
  done: result.state === 'finished',
  drill: result.drill,
});

const drillCommand = async (
  command: DrillCommand,
  deps: OperatorApiDeps,
  invocation: OperatorInvocation,
): Promise<OperatorResponse> => {
  const { signal } = invocation;
  const options = (budget?: number): AdvanceOptions => ({
    deadline: invocation.deadlineFor(budget),
    signal,
    ...(invocation.onProgress ? { onProgress: invocation.onProgress } : {}),
  });
  switch (command.command) {
    case 'start':
    case 'step': {
      const what =
        command.command === 'start'
          ? { scenario: command.scenario }
          : { step: command.step, ...(command.severities ? { severities: command.severities } : {}) };
      const input = { ...what, dryRun: command.dryRun, actor: command.actor };
      return advanced(command.command, await deps.drills.start(input, options(command.budgetMs)));
    }
    case 'resume':
      return advanced('resume', await deps.drills.advance(command.id, options(command.budgetMs)));
    case 'abort':
      return advanced(
        'abort',
        await deps.drills.abort(command.id, command.actor, command.reason, options(command.budgetMs)),
      );
    case 'status': {
      const found = await deps.drills.get(command.id, signal);
      return found
        ? { ok: true, command: 'status', drill: found }
        : { ok: false, command: 'status', error: `no drill ${command.id}` };
    }
    case 'list':
      return { ok: true, command: 'list', drills: await deps.drills.list(command.limit, signal) };
    case 'report':
      return {
        ok: true,
        command: 'report',
        ...(await deps.drills.report(command.id, { htmlFile: `${command.id}.html`, signal })),
      };
  }
};

/** Answers one operator request; a request that cannot run as asked is `ok: false` with the reason, never a throw. */
export const handleOperatorRequest = async (
  event: unknown,
  deps: OperatorApiDeps,
  invocation: OperatorInvocation,
): Promise<OperatorResponse> => {
  if (isOperatorCommand(event)) return routingCommand(event, deps, invocation.signal);
  const parsed = drillCommandSchema.safeParse(event);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, event).map(
      (problem) => `${problem.path || '(command)'}: ${problem.rule}`,
    );
    return { ok: false, command: commandOf(event), error: 'invalid drill command', problems };
  }
  try {
    return await drillCommand(parsed.data, deps, invocation);
  } catch (error) {
    if (error instanceof DrillInputError || error instanceof NotFoundError) {
      return { ok: false, command: parsed.data.command, error: error.message };
    }
    throw error;
  }
};
