// The probe runner end to end against a scripted loopback platform: templates and captures
// across steps, sequence numbers committed only once the platform acknowledged, concurrency,
// the caller's deadline, and secrets that never show in a result.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemorySequenceSource } from '../../lambdas/adapters/local/memory-sequence-source.ts';
import { createSecretSource } from '../../lambdas/adapters/secrets.ts';
import { createProbeRunner } from '../../lambdas/app/probe-runner.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { STAGES } from '../../lambdas/core/model/vocabulary.ts';
import { shortHash } from '../../lambdas/core/probe/redact.ts';
import type { ProbeDefinitionInput } from '../../lambdas/core/probe/schema.ts';
import type { SequenceSource } from '../../lambdas/ports.ts';
import { testConfigInput } from '../fakes/config.ts';
import { failingSequenceSource } from '../fakes/probing.ts';

const SECRET = 'the-shared-hmac-key-7f3a';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server;
let origin: string;
let seen: Seen[] = [];
let inFlight = 0;
let maxInFlight = 0;
let sendStatus = 201;
let sendBroken = false;

const reply = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer(async (request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    const path = (request.url ?? '').replace(/^\/(primary|backup)\/[a-z]+/, '');
    const done = () => inFlight--;
    response.on('close', done);
    if (path === '/login') return reply(response, 200, { token: `T-${JSON.parse(body).user as string}` });
    if (path.startsWith('/items/')) {
      const token = path.slice('/items/'.length);
      return reply(response, request.headers.authorization === `Bearer ${token}` ? 200 : 401, { item: token });
    }
    if (path === '/send')
      return reply(response, sendStatus, sendBroken ? '{"broken' : { received: JSON.parse(body).sequence });
    if (path === '/echo') return reply(response, 200, { echoed: request.headers['x-key'] });
    if (path === '/slow') return setTimeout(() => reply(response, 200, {}), 150);
    if (path === '/hang') return undefined;
    return reply(response, 200, { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  maxInFlight = 0;
  sendStatus = 201;
  sendBroken = false;
});

const configWith = (probes: ProbeDefinitionInput[], concurrency = 16): HcguardConfig => {
  const stages = (site: string) =>
    Object.fromEntries(STAGES.map((stage) => [stage, `${origin}/${site}/${stage}`])) as Record<
      (typeof STAGES)[number],
      string
    >;
  const coverage = STAGES.map((stage) => ({
    id: `${stage}-ok`,
    stage,
    steps: [{ name: 'ok', path: '/ok', timeoutMs: 1_000 }],
  }));
  return parseConfig(
    testConfigInput({
      sites: { primary: { stages: stages('primary') }, backup: { stages: stages('backup') } },
      probes: [...coverage, ...probes],
      secrets: { key: { env: 'TEST_PROBE_KEY' } },
      schedule: { intervalSeconds: 60, concurrency },
    }),
  );
};

const runnerFor = (config: HcguardConfig, options: { env?: Record<string, string>; sequences?: SequenceSource } = {}) =>
  createProbeRunner({
    config,
    secrets: createSecretSource({ refs: config.secrets, env: options.env ?? { TEST_PROBE_KEY: SECRET } }),
    sequences: options.sequences ?? createMemorySequenceSource(),
    clock: { now: () => new Date('2026-11-26T08:00:00.000Z') },
  });

const sending: ProbeDefinitionInput = {
  id: 'sender',
  stage: 'transmission',
  sites: ['primary'],
  sequence: { stream: 'test-{{ site }}', commitAfter: 'send' },
  steps: [
    {
      name: 'send',
      method: 'POST',
      path: '/send',
      timeoutMs: 1_000,
      body: { sequence: '{{ seq }}' },
      expect: { status: [201], json: [{ path: '$.received', equals: '{{ seq }}' }] },
    },
  ],
};

describe('a round of probes', () => {
  it("carries captured values into later steps' paths and headers", async () => {
    const probe: ProbeDefinitionInput = {
      id: 'login-then-read',
      stage: 'collection',
      sites: ['primary'],
      steps: [
        {
          name: 'login',
          method: 'POST',
          path: '/login',
          timeoutMs: 1_000,
          body: { user: '{{ identity.id }}' },
          capture: { token: '$.token' },
        },
        {
          name: 'read',
          path: '/items/{{ token }}',
          timeoutMs: 1_000,
          headers: { Authorization: 'Bearer {{ token }}' },
          expect: { json: [{ path: '$.item', equals: '{{ token }}' }] },
        },
      ],
    };
    const [result] = (await runnerFor(configWith([probe])).probeAll({ sites: ['primary'] })).filter(
      (each) => each.probeId === 'login-then-read',
    );
    expect(result).toMatchObject({
      outcome: 'ok',
      site: 'primary',
      stage: 'collection',
      startedAt: '2026-11-26T08:00:00.000Z',
    });
    expect(result?.steps.map((step) => [step.name, step.outcome, step.status])).toEqual([
      ['login', 'ok', 200],
      ['read', 'ok', 200],
    ]);
    const login = seen.find((request) => request.url.endsWith('/login'));
    const user = JSON.parse(login?.body ?? '{}').user as string;
    expect(user).toMatch(/^SYN-[0-9A-F]{12}$/);
    expect(seen.find((request) => request.url.includes('/items/'))?.url).toBe(`/primary/collection/items/T-${user}`);
  });

  it('runs every probe on every site it names, in config order, tagged with the drill', async () => {
    const results = await runnerFor(configWith([])).probeAll({ drillId: 'D-42' });
    expect(results.map((result) => `${result.probeId}@${result.site}`)).toEqual([
      'collection-ok@primary',
      'collection-ok@backup',
      'transmission-ok@primary',
      'transmission-ok@backup',
      'verification-ok@primary',
      'verification-ok@backup',
    ]);
    expect(results.every((result) => result.drillId === 'D-42' && result.outcome === 'ok')).toBe(true);
    expect((await runnerFor(configWith([])).probeAll({ sites: ['backup'] })).map((result) => result.site)).toEqual([
      'backup',
      'backup',
      'backup',
    ]);
  });

  it('keeps at most `schedule.concurrency` probes in flight', async () => {
    const slow = Array.from({ length: 8 }, (_, index): ProbeDefinitionInput => ({
      id: `slow-${index}`,
      stage: 'verification',
      sites: ['primary'],
      steps: [{ name: 'slow', path: '/slow', timeoutMs: 2_000 }],
    }));
    await runnerFor(configWith(slow, 3)).probeAll({ sites: ['primary'] });
    expect(maxInFlight).toBe(3);
  });

  it(
    "stops at the caller's deadline: the probes it cut short and those it never " + 'started come back aborted',
    async () => {
      const hanging: ProbeDefinitionInput = {
        id: 'hanging',
        stage: 'verification',
        sites: ['primary'],
        steps: [{ name: 'wait', path: '/hang', timeoutMs: 10_000 }],
      };
      const deadline = new AbortController();
      setTimeout(() => deadline.abort(), 200);
      const results = await runnerFor(configWith([hanging, { ...hanging, id: 'hanging-2' }], 1)).probeAll({
        sites: ['primary'],
        signal: deadline.signal,
      });
      expect(
        results
          .filter((result) => result.probeId.startsWith('hanging'))
          .map((result) => [result.probeId, result.outcome, result.failureClass]),
      ).toEqual([
        ['hanging', 'failed', 'aborted'],
        ['hanging-2', 'failed', 'aborted'],
      ]);
    },
  );
});

describe('transmission sequence numbers', () => {
  it('uses a number up only once the platform acknowledged the record', async () => {
    const sequences = createMemorySequenceSource();
    const runner = runnerFor(configWith([sending]), { sequences });
    const sent = () =>
      seen
        .filter((request) => request.url.endsWith('/send'))
        .map((request) => JSON.parse(request.body).sequence as number);

    await runner.probeAll({ sites: ['primary'] });
    sendStatus = 503;
    await runner.probeAll({ sites: ['primary'] });
    sendStatus = 201;
    sendBroken = true; // an expected status with an unreadable body is no acknowledgement either
    await runner.probeAll({ sites: ['primary'] });
    sendBroken = false;
    await runner.probeAll({ sites: ['primary'] });
    expect(sent()).toEqual([1, 2, 2, 2]);
    expect(sequences.snapshot()).toEqual({ 'test-primary': 2 });
  });

  it('leaves no gap when the deadline stops the probe before it sends', async () => {
    const sequences = createMemorySequenceSource({ 'test-primary': 4 });
    await runnerFor(configWith([sending]), { sequences }).probeAll({ sites: ['primary'], signal: AbortSignal.abort() });
    expect(seen).toEqual([]);
    expect(await sequences.peek('test-primary')).toBe(5);
  });

  it('keeps the verdict and warns when the number could not be saved', async () => {
    const failing = failingSequenceSource({ commit: new Error('table unavailable') });
    const [result] = (
      await runnerFor(configWith([sending]), { sequences: failing }).probeAll({ sites: ['primary'] })
    ).filter((each) => each.probeId === 'sender');
    expect(result).toMatchObject({
      outcome: 'ok',
      warnings: ['sequence 1 of stream test-primary was sent but could not be saved: table unavailable'],
    });
  });

  it('reports a sequence store it cannot read as a prober error, not a platform failure', async () => {
    const broken = failingSequenceSource({ peek: new Error('throttled') });
    const [result] = (
      await runnerFor(configWith([sending]), { sequences: broken }).probeAll({ sites: ['primary'] })
    ).filter((each) => each.probeId === 'sender');
    expect(result).toMatchObject({
      outcome: 'failed',
      failureClass: 'aborted',
      message: expect.stringContaining('the sequence number of stream test-primary could not be read: throttled'),
    });
  });
});

describe('secrets in a round', () => {
  const echo: ProbeDefinitionInput = {
    id: 'echo',
    stage: 'verification',
    sites: ['primary'],
    steps: [
      {
        name: 'echo',
        path: '/echo',
        timeoutMs: 1_000,
        headers: { 'x-key': '{{ secret.key }}' },
        expect: { json: [{ path: '$.echoed', equals: 'something else' }] },
      },
    ],
  };

  it('sends the secret but shows only its hash, even when the platform echoes it back', async () => {
    const results = await runnerFor(configWith([echo])).probeAll({ sites: ['primary'] });
    expect(seen.find((request) => request.url.endsWith('/echo'))?.headers['x-key']).toBe(SECRET);
    const result = results.find((each) => each.probeId === 'echo');
    expect(result).toMatchObject({
      outcome: 'failed',
      failureClass: 'assertion',
      failure: { actual: `"${shortHash(SECRET)}"` },
    });
    expect(JSON.stringify(results)).not.toContain(SECRET);
  });

  it('fails only the probes whose secret is missing, naming where it should come from', async () => {
    const results = await runnerFor(configWith([echo]), { env: {} }).probeAll({ sites: ['primary'] });
    expect(results.find((each) => each.probeId === 'echo')).toMatchObject({
      outcome: 'failed',
      failureClass: 'aborted',
      message:
        'prober error, nothing was learnt about the platform: secret "key" is ' +
        'unavailable: secret "key": environment variable TEST_PROBE_KEY is not set',
      steps: [],
    });
    expect(results.filter((each) => each.probeId !== 'echo').every((each) => each.outcome === 'ok')).toBe(true);
    expect(seen.some((request) => request.url.endsWith('/echo'))).toBe(false);
  });
});
