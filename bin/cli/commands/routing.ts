// `hcguard failover | failback | lock | unlock | ack | hold clear`: the operator's commands. Locally (the
// local runtime or an emulator) they run in-process through composeServices; against AWS the CLI
// invokes the operator Lambda with the same JSON, so they run with the stack's least-privilege
// role and the operator role needs only lambda:InvokeFunction and read access.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Option, type Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import * as z from 'zod';
import {
  executeOperatorCommand,
  InvalidOperatorCommand,
  OPERATOR_COMMANDS,
  parseOperatorCommand,
  type OperatorCommand,
  type OperatorCommandInput,
  type OperatorCommandResult,
} from '../../../lambdas/app/operator-commands.ts';
import { normalizeIncidentId } from '../../../lambdas/core/incidents/ids.ts';
import { type Actor, SITES } from '../../../lambdas/core/model/vocabulary.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import type { Target } from '../target.ts';

/** Runs a validated command wherever the target lives. */
export type OperatorCommandRunner = (command: OperatorCommand, context: CliContext) => Promise<OperatorCommandResult>;

/** Who the audit log names: the OS user at this host. */
export const operatorActor = (): Actor => {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `operator:${user}@${hostname()}`;
};

export const registerRoutingCommands = (
  program: Command,
  context: CliContext,
  run: OperatorCommandRunner = runWhereTargetLives,
): void => {
  const execute = async (input: OperatorCommandInput, json: boolean | undefined): Promise<void> => {
    let command: OperatorCommand;
    try {
      command = parseOperatorCommand(input);
    } catch (error) {
      if (error instanceof InvalidOperatorCommand) throw new UsageError(error.message);
      throw error;
    }
    const result = await run(command, context);
    if (json) context.out(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.ok)
      throw new CommandFailed(
        json ? `hcguard ${command.command}: refused or failed (see the JSON above)` : result.message,
      );
    if (!json) context.out(`${result.message}\n`);
  };

  program
    .command('failover')
    .description(
      'switch the managed records to a site by hand, with the same safety checks as ' +
        'the controller (pre-flight, dwell); exit 1 when refused',
    )
    .addOption(new Option('--to <site>', 'the site to send traffic to').choices(SITES).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why: recorded in the audit log and the Route 53 change comment')
    .option(
      '--force',
      'override failed pre-flight checks and the dwell time (the overridden checks are recorded with the reason)',
    )
    .option('--record <name>', 'only this managed record (default: all)')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        to: (typeof SITES)[number];
        reason: string;
        force?: boolean;
        record?: string;
        json?: boolean;
      }) => {
        await execute(
          {
            command: 'failover',
            to: options.to,
            reason: options.reason,
            force: options.force ?? false,
            actor: operatorActor(),
            ...(options.record ? { record: options.record } : {}),
          },
          options.json,
        );
      },
    );

  program
    .command('failback')
    .description(
      'approve the return to the primary once it has been healthy for ' +
        'failover.failbackAfterHealthyMinutes; exit 1 when refused',
    )
    .option('--record <name>', 'only this managed record (default: all)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { record?: string; json?: boolean }) => {
      await execute(
        { command: 'failback', actor: operatorActor(), ...(options.record ? { record: options.record } : {}) },
        options.json,
      );
    });

  program
    .command('lock')
    .description(
      'freeze automatic switching (e.g. during maintenance); manual failover still works; exit 1 if already locked',
    )
    .requiredOption('--reason <text>', 'why: shown in every refusal while the lock holds')
    .option('--json', 'print the result as JSON')
    .action(async (options: { reason: string; json?: boolean }) => {
      await execute({ command: 'lock', reason: options.reason, actor: operatorActor() }, options.json);
    });

  program
    .command('unlock')
    .description('resume automatic switching; exit 1 if routing was not locked')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      await execute({ command: 'unlock', actor: operatorActor() }, options.json);
    });

  program
    .command('hold')
    .description('holds that keep a target where it is (see `hcguard status`)')
    .command('clear')
    .description(
      'end a flap hold now: the target takes the health its last rounds justify, and the clearing ' +
        'is audited; exit 1 when the target is not held',
    )
    .argument('<site/stage>', 'the held target, e.g. primary/verification')
    .requiredOption('--reason <text>', 'why: recorded in the audit log')
    .option('--json', 'print the result as JSON')
    .action(async (target: string, options: { reason: string; json?: boolean }) => {
      await execute({ command: 'hold-clear', target, reason: options.reason, actor: operatorActor() }, options.json);
    });

  program
    .command('ack')
    .description(
      'acknowledge an incident: stops its reminders and escalation (exit 1 if it is unknown or already resolved)',
    )
    .argument('<incident-id>', 'the id from the alert, e.g. INC-7K3QZ2M')
    .action(async (input: string) => {
      const incidentId = normalizeIncidentId(input);
      if (!incidentId) throw new UsageError(`"${input}" is not an incident id: they look like INC-7K3QZ2M`);
      await execute({ command: 'ack', incidentId, actor: operatorActor() }, false);
    });
};

/** In-process against the local runtime or an emulator; through the operator Lambda in AWS. */
export const runWhereTargetLives: OperatorCommandRunner = async (command, context) => {
  const target = await context.target();
  if (target.mode === 'aws') return invokeOperatorFunction(command, target);
  const config = await context.config();
  const [{ createAwsClients }, { composeServices }] = await Promise.all([
    import('../../../lambdas/app/aws-clients.ts'),
    import('../../../lambdas/app/compose.ts'),
  ]);
  const clients = createAwsClients(target.clientConfig);
  // Long enough for Route 53 to report INSYNC, bounded so a hung call cannot hang the CLI.
  const signal = AbortSignal.timeout((config.failover.insyncTimeoutSeconds + 60) * 1000);
  try {
    const services = composeServices({ config, resources: target.resources, clients });
    return await executeOperatorCommand(command, services, signal);
  } finally {
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.route53.destroy();
  }
};

const operatorCommandResultSchema = z.object({
  command: z.enum(OPERATOR_COMMANDS),
  ok: z.boolean(),
  message: z.string(),
  records: z
    .array(
      z
        .object({ record: z.string(), result: z.enum(['switched', 'refused', 'failed']), message: z.string() })
        .passthrough(),
    )
    .optional(),
  lock: z.object({ reason: z.string(), actor: z.string(), at: z.string() }).optional(),
});

/** Sends the command to the deployed operator Lambda, which runs executeOperatorCommand. */
export const invokeOperatorFunction = async (
  command: OperatorCommand,
  target: Target,
  given?: LambdaClient,
): Promise<OperatorCommandResult> => {
  const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  const lambda = given ?? new LambdaClient(target.clientConfig);
  const functionName = target.resources.operatorFunctionName;
  if (!functionName)
    throw new CommandFailed(
      'the deployed stack names no drill function ' +
        '(HcguardResources.operatorFunctionName): routing commands cannot run in AWS',
    );
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(command)),
      }),
      { abortSignal: AbortSignal.timeout(15 * 60_000) },
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) {
      const failure = safeJson(text) as { errorType?: string; errorMessage?: string } | undefined;
      throw new CommandFailed(
        `the drill function ${functionName} failed: ` +
          `${failure?.errorType ?? response.FunctionError}: ` +
          `${failure?.errorMessage ?? text}`,
      );
    }
    const parsed = operatorCommandResultSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new CommandFailed(`the drill function ${functionName} gave an unexpected answer: ${text.slice(0, 500)}`);
    return parsed.data as OperatorCommandResult;
  } finally {
    lambda.destroy();
  }
};

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
