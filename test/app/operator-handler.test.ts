// The operator Lambda's handler (middy) over a real drill service against the sandbox and moto:
// a drill advanced in slices, as the CLI invokes it in AWS; status, list, report; routing
// commands delegated to executeOperatorCommand; bad commands answered, not thrown.
import { BUILTIN_SCENARIOS } from '../../lambdas/core/config/sections.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorHandler } from '../../lambdas/app/operator-handler.ts';
import type { OperatorResponse } from '../../lambdas/app/operator-api.ts';
import { startDrillWorld, type DrillWorld } from '../support/drill-world.ts';

let world: DrillWorld;
let invoke: (event: unknown, remainingMs?: number) => Promise<OperatorResponse>;

beforeAll(async () => {
  world = await startDrillWorld();
  await world.settle();
  const handler = createOperatorHandler({
    drills: world.drillService(),
    operator: world.services,
    logger: new Logger({ serviceName: 'hcguard-drill', logLevel: 'WARN' }),
    now: () => world.clock.now().getTime(),
    reserveMs: 0,
  });
  invoke = async (event, remainingMs = 15 * 60_000) => {
    const deadline = world.clock.now().getTime() + remainingMs;
    const context = {
      functionName: 'hcguard-drill',
      awsRequestId: 'request',
      getRemainingTimeInMillis: () => deadline - world.clock.now().getTime(),
    } as unknown as Context;
    return (await handler(event, context)) as OperatorResponse;
  };
});

afterAll(async () => {
  await world?.stop();
});

describe('the operator Lambda', () => {
  it('advances a drill in slices: start answers done: false, resume continues it until done', async () => {
    const started = await invoke({
      command: 'start',
      scenario: 'verification-outage',
      actor: 'operator:alice@ops',
      budgetMs: 8_000,
    });
    expect(started).toMatchObject({ ok: true, command: 'start', state: 'paused', done: false });
    if (!('drill' in started)) throw new Error('no drill');
    const id = started.drill.id;
    // Stored and handed back: another invocation may continue at once.
    expect((await world.services.drills.get(id))?.runner).toBeUndefined();
    let last: OperatorResponse = started;
    for (let slice = 0; slice < 40 && !('done' in last && last.done); slice++) {
      last = await invoke({ command: 'resume', id, budgetMs: 10_000 });
      expect(last.ok).toBe(true);
    }
    expect(last).toMatchObject({
      ok: true,
      command: 'resume',
      state: 'finished',
      done: true,
      drill: { id, status: 'finished', outcome: 'passed' },
    });
    expect(await world.recordValue()).toEqual(['127.0.0.1']);

    expect(await invoke({ command: 'status', id })).toMatchObject({
      ok: true,
      command: 'status',
      drill: { id, outcome: 'passed' },
    });
    expect(await invoke({ command: 'list', limit: 5 })).toMatchObject({
      ok: true,
      command: 'list',
      drills: [{ id, scenario: 'verification-outage', outcome: 'passed' }],
    });
    const report = await invoke({ command: 'report', id });
    expect(report).toMatchObject({
      ok: true,
      command: 'report',
      markdown: expect.stringContaining(`# Drill ${id}`),
      html: expect.stringContaining('<svg'),
    });
  });

  it('delegates routing commands to executeOperatorCommand', async () => {
    const locked = await invoke({ command: 'lock', reason: 'maintenance window', actor: 'operator:carol@ops' });
    expect(locked).toMatchObject({
      command: 'lock',
      ok: true,
      routing: true,
      lock: { reason: 'maintenance window', actor: 'operator:carol@ops' },
    });
    expect(await invoke({ command: 'unlock', actor: 'operator:carol@ops' })).toMatchObject({
      command: 'unlock',
      ok: true,
    });
    expect(
      await invoke({ command: 'failover', to: 'nowhere', reason: 'x', actor: 'operator:carol@ops' }),
    ).toMatchObject({
      ok: false,
      command: 'failover',
      message: expect.stringContaining('to: must be one of: primary, backup'),
    });
  });

  it('answers bad drill commands with what is wrong', async () => {
    expect(await invoke({ command: 'start', scenario: 'no-such-scenario', actor: 'operator:alice@ops' })).toEqual({
      ok: false,
      command: 'start',
      error: `unknown scenario "no-such-scenario": one of ${BUILTIN_SCENARIOS.join(', ')}`,
    });
    expect(await invoke({ command: 'resume', id: 'drill-unknown' })).toEqual({
      ok: false,
      command: 'resume',
      error: 'drill drill-unknown not found',
    });
    const invalid = await invoke({ command: 'abort', id: 'x y', actor: 'someone' });
    expect(invalid).toMatchObject({ ok: false, command: 'abort', error: 'invalid drill command' });
    expect('problems' in invalid && invalid.problems).toEqual([
      'id: must be a drill id such as drill-20261120-020000-3fa9',
      'actor: must be operator:<user>@<host>',
      'reason: is required',
    ]);
    expect(await invoke({ command: 'explode' })).toMatchObject({
      ok: false,
      error: 'invalid drill command',
      problems: [expect.stringMatching(/^command: command must be one of: start, step/)],
    });
  });
});
