// Where a drill runs: in this process (the local runtime or an emulator), or in the operator
// Lambda, invoked in slices so Ctrl-C is answered quickly.
import type { Actor } from '../../../lambdas/core/model/vocabulary.ts';
import type { AdvanceOptions, DrillReport, StartInput } from '../../../lambdas/app/drill/types.ts';
import { CommandFailed } from '../errors.ts';
import type { DrillCommandInput, OperatorResponse } from '../../../lambdas/app/operator-api.ts';
import type { DrillListing, DrillRecord, ImpactSample } from '../../../lambdas/core/drill/model.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Target } from '../target.ts';
import { composeDrillService } from '../../../lambdas/app/compose-drills.ts';
import { composeServices } from '../../../lambdas/app/compose.ts';
import { createAwsClients } from '../../../lambdas/app/aws-clients.ts';

/** Where a drill runs: in this process, or in the operator Lambda. */
export interface DrillRunner {
  start(input: StartInput, options: AdvanceOptions): Promise<DrillRecord>;
  advance(id: string, options: AdvanceOptions): Promise<DrillRecord>;
  abort(id: string, actor: Actor, reason: string, options: AdvanceOptions): Promise<DrillRecord>;
  list(limit: number): Promise<DrillListing[]>;
  report(id: string, htmlFile: string): Promise<DrillReport>;
  close(): void;
}

/** Each Lambda invocation advances the drill this long, so Ctrl-C is answered within a minute. */
const LAMBDA_SLICE_MS = 60_000;

// ---------------------------------------------------------------- runners

export const inProcessRunner = (config: HcguardConfig, target: Target): DrillRunner => {
  const clients = createAwsClients(target.clientConfig);
  const sqs = new SQSClient({ ...target.clientConfig, maxAttempts: 3 });
  const services = composeServices({ config, resources: target.resources, clients });
  const runtime = target.runtime;
  // The local runtime's sandbox; with an emulator alone, the sandbox at the primary's address
  // unless a fault hook is configured (as `hcguard fault` does).
  const sandboxUrl =
    runtime?.sandboxUrl ??
    (config.drills.faultHookUrl ? undefined : new URL(config.sites.primary.stages.verification).origin);
  const dashboardUrl = runtime?.dashboardUrl;
  const service = composeDrillService(services, {
    sqs,
    ...(sandboxUrl ? { sandboxUrl } : {}),
    ...(dashboardUrl
      ? {
          impact: (from: Date, to: Date, signal?: AbortSignal) => citizensFromDashboard(dashboardUrl, from, to, signal),
        }
      : {}),
  });
  return {
    start: async (input, options) => (await service.start(input, options)).drill,
    advance: async (id, options) => (await service.advance(id, options)).drill,
    abort: async (id, actor, reason, options) => (await service.abort(id, actor, reason, options)).drill,
    list: (limit) => service.list(limit),
    report: (id, htmlFile) => service.report(id, { htmlFile }),
    close: () => {
      for (const client of [clients.dynamodb, clients.sns, clients.route53, sqs]) client.destroy();
    },
  };
};

/** What the simulated citizens of the local runtime saw, from its dashboard. */
const citizensFromDashboard = async (
  dashboardUrl: string,
  from: Date,
  to: Date,
  signal?: AbortSignal,
): Promise<ImpactSample[]> => {
  const response = await fetch(new URL('/api/citizens', dashboardUrl), {
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5_000)]) : AbortSignal.timeout(5_000),
  });
  if (!response.ok) return [];
  const snapshot = (await response.json()) as { buckets?: { start: string; ok: number; failed: number }[] };
  return (snapshot.buckets ?? [])
    .filter((bucket) => bucket.start >= from.toISOString() && bucket.start <= to.toISOString())
    .map((bucket) => ({ at: bucket.start, ok: bucket.ok, failed: bucket.failed }));
};

export const lambdaRunner = (
  _config: HcguardConfig,
  target: Target,
  lambda: LambdaClient = new LambdaClient(target.clientConfig),
  {
    throttleWaitMs = 5_000,
    throttleAttempts = 36,
  }: { readonly throttleWaitMs?: number; readonly throttleAttempts?: number } = {},
): DrillRunner => {
  const functionName = target.resources.operatorFunctionName;
  if (!functionName)
    throw new CommandFailed(
      'the deployed stack names no drill function (HcguardResources.operatorFunctionName): drills cannot run in AWS',
    );
  const send = async (payload: DrillCommandInput) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
          { abortSignal: AbortSignal.timeout(15 * 60_000) },
        );
      } catch (error) {
        // The function runs one invocation at a time (reserved concurrency 1): another operator's
        // slice may hold it for up to a minute, so wait for it rather than fail.
        if (!(error instanceof Error && error.name === 'TooManyRequestsException') || attempt >= throttleAttempts)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, throttleWaitMs));
      }
    }
  };
  const invoke = async (payload: DrillCommandInput): Promise<OperatorResponse> => {
    const response = await send(payload);
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    let answer: OperatorResponse | undefined;
    try {
      answer = JSON.parse(text) as OperatorResponse;
    } catch {
      answer = undefined;
    }
    if (response.FunctionError || !answer) {
      const failure = answer as { errorType?: string; errorMessage?: string } | undefined;
      throw new CommandFailed(
        `the drill function ${functionName} failed: ` +
          `${failure?.errorType ?? response.FunctionError ?? 'no answer'}: ` +
          `${failure?.errorMessage ?? text.slice(0, 500)}`,
      );
    }
    if (!answer.ok) {
      const problems = 'problems' in answer && answer.problems ? `\n  ${answer.problems.join('\n  ')}` : '';
      throw new CommandFailed(`${'error' in answer ? answer.error : 'the drill function refused'}${problems}`);
    }
    return answer;
  };
  /** Invokes slice after slice until the drill is done or Ctrl-C; the current slice always completes. */
  const loop = async (first: DrillCommandInput, options: AdvanceOptions): Promise<DrillRecord> => {
    let answer = await invoke(first);
    let drill = 'drill' in answer ? answer.drill : undefined;
    if (!drill) throw new CommandFailed('the drill function answered without a drill');
    options.onProgress?.(drill, drill);
    while ('done' in answer && !answer.done && !options.signal?.aborted) {
      const previous: DrillRecord = drill;
      answer = await invoke({ command: 'resume', id: previous.id, budgetMs: LAMBDA_SLICE_MS });
      drill = 'drill' in answer ? answer.drill : previous;
      options.onProgress?.(drill, previous);
    }
    return drill;
  };
  return {
    start: (input, options) =>
      loop(
        input.step
          ? {
              command: 'step',
              step: input.step,
              ...(input.severities ? { severities: [...input.severities] } : {}),
              dryRun: input.dryRun,
              actor: input.actor,
              budgetMs: LAMBDA_SLICE_MS,
            }
          : {
              command: 'start',
              scenario: input.scenario as string,
              dryRun: input.dryRun,
              actor: input.actor,
              budgetMs: LAMBDA_SLICE_MS,
            },
        options,
      ),
    advance: (id, options) => loop({ command: 'resume', id, budgetMs: LAMBDA_SLICE_MS }, options),
    abort: (id, actor, reason, options) =>
      loop({ command: 'abort', id, actor, reason, budgetMs: LAMBDA_SLICE_MS }, options),
    list: async (limit) => {
      const answer = await invoke({ command: 'list', limit });
      return 'drills' in answer ? [...answer.drills] : [];
    },
    report: async (id) => {
      const answer = await invoke({ command: 'report', id });
      if (!('markdown' in answer)) throw new CommandFailed('the drill function answered without a report');
      return { drill: answer.drill, markdown: answer.markdown, html: answer.html };
    },
    close: () => lambda.destroy(),
  };
};

export const defaultRunner = (config: HcguardConfig, target: Target): DrillRunner =>
  target.mode === 'aws' ? lambdaRunner(config, target) : inProcessRunner(config, target);
