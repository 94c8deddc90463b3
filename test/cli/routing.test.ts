import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeOperatorFunction, operatorActor } from '../../bin/cli/commands/routing.ts';
import { CommandFailed } from '../../bin/cli/errors.ts';
import type { Target } from '../../bin/cli/target.ts';
import type { OperatorCommand } from '../../lambdas/app/operator-commands.ts';
import { runHcguard } from '../support/cli.ts';

const fixture = new URL('../fixtures/stack.config.json', import.meta.url).pathname;

describe('hcguard failover | failback | lock | unlock: usage', () => {
  it.each([
    [
      ['failover', '--to', 'sideways', '--reason', 'x'],
      /argument 'sideways' is invalid. Allowed choices are primary, backup/,
    ],
    [['failover', '--to', 'backup'], /required option '--reason <text>' not specified/],
    [['failover', '--reason', 'x'], /required option '--to <site>' not specified/],
    [['failover', '--to', 'backup', '--reason', ''], /reason: must not be empty/],
    [['lock'], /required option '--reason <text>' not specified/],
    [['unlock', '--force'], /unknown option '--force'/],
    [['failback', 'now'], /too many arguments/],
  ])('hcguard %j exits 2 and says why', async (argv, message) => {
    const run = await runHcguard('--config', fixture, ...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it.each(['failover', 'failback', 'lock', 'unlock'])('hcguard %s --help describes the command', async (command) => {
    const run = await runHcguard(command, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Usage: hcguard ${command}`));
    expect(run.stdout).toMatch(/exit 1/);
  });

  it('names the operator as the OS user at this host', () => {
    expect(operatorActor()).toMatch(/^operator:[^\s@]+@[^\s]+$/);
  });
});

describe('invokeOperatorFunction: routing commands against AWS go through the operator Lambda', () => {
  let lambda: AwsClientStub<LambdaClient>;
  beforeEach(() => {
    lambda = mockClient(LambdaClient);
  });
  afterEach(() => lambda.restore());

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
  const command: OperatorCommand = {
    command: 'failover',
    to: 'backup',
    reason: 'primary DC power work',
    force: true,
    actor: 'operator:li@ops-1',
  };
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('sends the command as the payload and returns the function’s result', async () => {
    const answer = {
      command: 'failover',
      ok: true,
      message: 'switched verify.hc.example.com from primary to backup',
      records: [{ record: 'verify.hc.example.com', result: 'switched', message: '…', switches: [] }],
    };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode(answer) as never });
    expect(await invokeOperatorFunction(command, target, new LambdaClient({ region: 'cn-north-1' }))).toEqual(answer);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect({ ...input, Payload: JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) }).toEqual({
      FunctionName: 'hcguard-drill',
      InvocationType: 'RequestResponse',
      Payload: command,
    });
  });

  it('reports a function error with its type and message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({
        errorType: 'AccessDeniedException',
        errorMessage: 'not authorized to perform route53:ChangeResourceRecordSets',
      }) as never,
    });
    const run = invokeOperatorFunction(command, target, new LambdaClient({ region: 'cn-north-1' }));
    await expect(run).rejects.toBeInstanceOf(CommandFailed);
    await expect(run).rejects.toThrow(
      'the drill function hcguard-drill failed: AccessDeniedException: not authorized ' +
        'to perform route53:ChangeResourceRecordSets',
    );
  });

  it('refuses an answer that is not an operator command result', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ drill: 'started' }) as never });
    await expect(invokeOperatorFunction(command, target, new LambdaClient({ region: 'cn-north-1' }))).rejects.toThrow(
      /gave an unexpected answer/,
    );
  });

  it('says so when the stack names no drill function', async () => {
    const { operatorFunctionName: _none, ...resources } = target.resources;
    await expect(
      invokeOperatorFunction(command, { ...target, resources }, new LambdaClient({ region: 'cn-north-1' })),
    ).rejects.toThrow(/names no drill function/);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });
});
