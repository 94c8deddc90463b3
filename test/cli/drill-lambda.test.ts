// The CLI against a deployed stack: each drill command is a drill Lambda invocation; a drill is
// advanced slice by slice until the function answers done (aws-sdk-client-mock for Lambda).
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaRunner } from '../../bin/cli/drill/runners.ts';
import { phasePrinter } from '../../bin/cli/drill/output.ts';
import { CommandFailed } from '../../bin/cli/errors.ts';
import type { Target } from '../../bin/cli/target.ts';
import type { DrillRecord } from '../../lambdas/core/drill/model.ts';
import { finishedDrill } from '../core/drill/report-fixtures.ts';
import { testConfig } from '../fakes/config.ts';

const target: Target = {
  mode: 'aws',
  clientConfig: { region: 'cn-north-1' },
  resources: {
    tableName: 't',
    topicArns: { SEV1: 'a', SEV2: 'b', SEV3: 'c', SEV4: 'd' },
    hostedZoneIds: {},
    operatorFunctionName: 'hcguard-drill',
  },
};
const payload = (value: unknown) => ({
  StatusCode: 200,
  Payload: new TextEncoder().encode(JSON.stringify(value)) as never,
});
const sent = (lambda: AwsClientStub<LambdaClient>) =>
  lambda
    .commandCalls(InvokeCommand)
    .map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)));

describe('drills through the drill Lambda', () => {
  let lambda: AwsClientStub<LambdaClient>;
  beforeEach(() => {
    lambda = mockClient(LambdaClient);
  });
  afterEach(() => lambda.restore());

  const running = (phases: number): DrillRecord => {
    const drill = finishedDrill();
    return {
      ...drill,
      status: 'running',
      phases: drill.phases
        .slice(0, phases)
        .map((phase, index) => (index === phases - 1 ? { ...phase, outcome: 'running' as const } : phase)),
    };
  };

  it('starts in a one-minute slice, then resumes slice by slice until done, printing each phase', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(payload({ ok: true, command: 'start', state: 'paused', done: false, drill: running(3) }))
      .resolvesOnce(payload({ ok: true, command: 'resume', state: 'paused', done: false, drill: running(6) }))
      .resolves(payload({ ok: true, command: 'resume', state: 'finished', done: true, drill: finishedDrill() }));
    let printed = '';
    const progress = phasePrinter((text) => (printed += text));
    const drill = await lambdaRunner(testConfig(), target, new LambdaClient({ region: 'cn-north-1' })).start(
      { scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' },
      { onProgress: (current) => progress(current) },
    );
    expect(drill.status).toBe('finished');
    expect(sent(lambda)).toEqual([
      {
        command: 'start',
        scenario: 'verification-outage',
        dryRun: false,
        actor: 'operator:alice@ops',
        budgetMs: 60_000,
      },
      { command: 'resume', id: 'drill-20261120-0200-ab12', budgetMs: 60_000 },
      { command: 'resume', id: 'drill-20261120-0200-ab12', budgetMs: 60_000 },
    ]);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'hcguard-drill',
      InvocationType: 'RequestResponse',
    });
    expect(
      printed
        .split('\n')
        .filter((line) => line.trim().startsWith('✓'))
        .map((line) => line.trim().split(/\s+/)[1]),
    ).toEqual(['preflight', 'inject', 'identify', 'notify', 'decide', 'activate']);
    expect(printed).toMatch(/✗ restore +failed \(1 min 44 s\): fault cleared/);
  });

  it('stops invoking after the current slice when interrupted', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(payload({ ok: true, command: 'start', state: 'paused', done: false, drill: running(3) }));
    const interrupt = new AbortController();
    interrupt.abort();
    const drill = await lambdaRunner(testConfig(), target, new LambdaClient({ region: 'cn-north-1' })).start(
      { scenario: 'verification-outage', dryRun: false, actor: 'operator:alice@ops' },
      { signal: interrupt.signal },
    );
    expect(drill.status).toBe('running');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it("waits while another operator's slice holds the function (reserved concurrency 1)", async () => {
    lambda
      .on(InvokeCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves(payload({ ok: true, command: 'list', drills: [] }));
    expect(
      await lambdaRunner(testConfig(), target, new LambdaClient({ region: 'cn-north-1', maxAttempts: 1 }), {
        throttleWaitMs: 1,
      }).list(5),
    ).toEqual([]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
  });

  it.each([
    [
      { FunctionError: 'Unhandled', ...payload({ errorType: 'Error', errorMessage: 'boom' }) },
      'the drill function hcguard-drill failed: Error: boom',
    ],
    [
      payload({ ok: false, command: 'start', error: 'invalid drill command', problems: ['scenario: is required'] }),
      'invalid drill command\n  scenario: is required',
    ],
  ])('reports a failed invocation: %j', async (response, message) => {
    lambda.on(InvokeCommand).resolves(response);
    await expect(
      lambdaRunner(testConfig(), target, new LambdaClient({ region: 'cn-north-1' })).list(5),
    ).rejects.toThrow(new CommandFailed(message));
  });

  it('refuses a stack without a drill function', () => {
    expect(() =>
      lambdaRunner(testConfig(), { ...target, resources: { ...target.resources, operatorFunctionName: undefined } }),
    ).toThrow(/names no drill function/);
  });
});
