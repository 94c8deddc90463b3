import { FaultListingUnsupportedError } from '../../../lambdas/core/errors.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHookFaultInjector,
  createSandboxFaultInjector,
  FaultRejectedError,
  FaultTargetUnreachableError,
} from '../../../lambdas/adapters/http/fault-injectors.ts';
import { freePort } from '../../../local/moto.ts';
import { startSandbox, type Sandbox } from '../../../local/sandbox/index.ts';

describe('the sandbox fault injector (over HTTP)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
    });
  });
  afterAll(() => sandbox.stop());

  it('injects, lists and clears through any site of the sandbox', async () => {
    const viaPrimary = createSandboxFaultInjector(sandbox.sites.primary.url);
    const viaBackup = createSandboxFaultInjector(`${sandbox.sites.backup.url}/`);
    await viaPrimary.inject({ site: 'backup', stage: 'verification', mode: 'latency', latencyMs: 300, forMs: 60_000 });
    await viaPrimary.inject({ site: 'primary', stage: 'collection', mode: 'error' });
    expect(await viaBackup.list()).toEqual([
      {
        site: 'backup',
        stage: 'verification',
        mode: 'latency',
        latencyMs: 300,
        forMs: 60_000,
        since: expect.any(String),
        until: expect.any(String),
      },
      { site: 'primary', stage: 'collection', mode: 'error', since: expect.any(String) },
    ]);
    await viaBackup.clear({ site: 'backup', stage: 'verification' });
    expect((await viaPrimary.list()).map((fault) => fault.mode)).toEqual(['error']);
    await viaBackup.clear();
    expect(await viaPrimary.list()).toEqual([]);
  });

  it('refuses an invalid fault before sending it', async () => {
    await expect(
      createSandboxFaultInjector(sandbox.sites.primary.url).inject({
        site: 'primary',
        stage: 'collection',
        mode: 'accept-all',
      }),
    ).rejects.toThrow(new FaultRejectedError(['mode: accept-all applies to verification only']));
  });

  it('says when nothing answers, or when the address is not a sandbox', async () => {
    await expect(createSandboxFaultInjector(`http://127.0.0.1:${await freePort()}`).list()).rejects.toThrow(
      FaultTargetUnreachableError,
    );
    await expect(createSandboxFaultInjector(`${sandbox.sites.primary.url}/elsewhere`).list()).rejects.toThrow(
      /no sandbox fault API at .*\/elsewhere\/_sandbox\/faults/,
    );
  });
});

describe('the fault hook injector (a real platform)', () => {
  let hook: Server;
  let url: string;
  const received: unknown[] = [];
  let answer: { status: number; body: unknown } = { status: 204, body: undefined };

  beforeAll(async () => {
    hook = createServer(async (request, response) => {
      let text = '';
      for await (const chunk of request) text += chunk;
      received.push({ method: request.method, contentType: request.headers['content-type'], body: JSON.parse(text) });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/fault-hook`;
  });
  afterAll(async () => {
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  it('posts inject and clear as JSON actions', async () => {
    received.length = 0;
    answer = { status: 204, body: undefined };
    const injector = createHookFaultInjector(url);
    await injector.inject({ site: 'primary', stage: 'verification', mode: 'latency', latencyMs: 900, forMs: 30_000 });
    await injector.clear({ site: 'primary' });
    await injector.clear();
    expect(received).toEqual([
      {
        method: 'POST',
        contentType: 'application/json',
        body: {
          action: 'inject',
          site: 'primary',
          stage: 'verification',
          mode: 'latency',
          latencyMs: 900,
          forMs: 30_000,
        },
      },
      { method: 'POST', contentType: 'application/json', body: { action: 'clear', site: 'primary' } },
      { method: 'POST', contentType: 'application/json', body: { action: 'clear' } },
    ]);
  });

  it('lists faults when the hook can, and says so when it cannot', async () => {
    const fault = { site: 'backup', stage: 'collection', mode: 'error', since: '2026-11-26T08:00:00.000Z' };
    answer = { status: 200, body: { faults: [fault] } };
    expect(await createHookFaultInjector(url).list()).toEqual([fault]);
    answer = { status: 404, body: { error: 'unknown action' } };
    await expect(createHookFaultInjector(url).list()).rejects.toThrow(
      'the fault hook answered HTTP 404: unknown action to list',
    );
    // A hook that answers but keeps no list: a typed error the drill's pre-flight accepts.
    answer = { status: 200, body: { ok: true } };
    await expect(createHookFaultInjector(url).list()).rejects.toBeInstanceOf(FaultListingUnsupportedError);
  });

  it("turns a refusal into FaultRejectedError with the hook's reasons", async () => {
    answer = { status: 422, body: { problems: ['verification cannot be broken during business hours'] } };
    await expect(
      createHookFaultInjector(url).inject({ site: 'primary', stage: 'verification', mode: 'error' }),
    ).rejects.toThrow(new FaultRejectedError(['verification cannot be broken during business hours']));
  });
});
