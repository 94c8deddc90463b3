// The HTTP transport against a hostile loopback server: every body and connection trick a
// broken or malicious platform could play, each ending as the right failure class, quickly.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../../lambdas/adapters/http/http-transport.ts';
import { createProbeScope, createRunRedactor, evaluateStep } from '../../../lambdas/core/probe/engine.ts';
import type { HttpExchange } from '../../../lambdas/core/probe/http.ts';
import { probeSchema } from '../../../lambdas/core/probe/schema.ts';
import { syntheticIdentity } from '../../../lambdas/core/probe/synthetic.ts';
import { freePort } from '../../../local/moto.ts';

const CAP = 64 * 1024;
const GZIP_BOMB = gzipSync(Buffer.alloc(32 * 1024 * 1024));
let requests = 0;

const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
  '/json': (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'X-Request-Id': 'r-1' });
    response.end('{"ok":true}');
  },
  '/declared-huge': (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * CAP) });
    response.end(Buffer.alloc(10 * CAP, 'x'));
  },
  '/endless': (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pump = () => {
      while (!response.destroyed && response.write(chunk));
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  },
  '/slow-drip': (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => response.write(' '), 50);
    request.socket.on('close', () => clearInterval(timer));
  },
  '/gzip-bomb': (_, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(GZIP_BOMB.byteLength),
    });
    response.end(GZIP_BOMB);
  },
  '/latin1': (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1' });
    response.end(Buffer.from('{"name":"Jos\xe9"}', 'latin1'));
  },
  '/malformed': (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"receipt":{"sha256":');
  },
  '/loop': (_, response) => {
    response.writeHead(302, { location: '/loop' });
    response.end();
  },
  '/reset': (request) => request.socket.resetAndDestroy(),
  '/close': (request) => request.socket.destroy(),
  '/reset-mid-body': (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"partial":');
    setTimeout(() => request.socket.resetAndDestroy(), 30);
  },
  '/hang': () => undefined,
};

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

let server: Server;
let tlsServer: Server;
let base: string;
let tlsBase: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    (routes[request.url ?? ''] ?? ((_, res) => res.writeHead(404).end()))(request, response);
  });
  base = `http://127.0.0.1:${await listen(server)}`;
  tlsServer = createHttpsServer(
    {
      cert: readFileSync('test/fixtures/tls/self-signed-127.0.0.1.cert.pem'),
      key: readFileSync('test/fixtures/tls/self-signed-127.0.0.1.key.pem'),
    },
    (_, response) => response.end('{}'),
  );
  tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
});

afterAll(async () => {
  for (const each of [server, tlsServer]) {
    each.closeAllConnections();
    await new Promise((resolve) => each.close(resolve));
  }
});

const transport = createHttpTransport();
const get = (url: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HttpExchange> =>
  transport.send(
    { method: 'GET', url, headers: {} },
    { timeoutMs: options.timeoutMs ?? 2_000, maxBodyBytes: CAP, ...(options.signal ? { signal: options.signal } : {}) },
  );

describe('the HTTP transport', () => {
  it('returns status, lower-case headers and the body of a normal answer', async () => {
    const exchange = await get(`${base}/json`);
    expect(exchange).toMatchObject({
      ok: true,
      status: 200,
      headers: { 'x-request-id': 'r-1', 'content-type': 'application/json' },
    });
    expect(exchange.ok && new TextDecoder().decode(exchange.body)).toBe('{"ok":true}');
    expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
  });

  // Only the rows that must time out get a short deadline; the others have room on a busy machine.
  it.each([
    ['a declared length over the cap', '/declared-huge', 'too-large', /over the 65536-byte cap/, 5_000],
    ['an endless body', '/endless', 'too-large', /over the 65536-byte cap/, 5_000],
    ['a gzip bomb (the cap counts decoded bytes)', '/gzip-bomb', 'too-large', /over the 65536-byte cap/, 5_000],
    [
      'a slow drip that never ends',
      '/slow-drip',
      'timeout',
      /no complete answer from 127\.0\.0\.1:\d+ within 500 ms/,
      500,
    ],
    ['no answer at all', '/hang', 'timeout', /within 500 ms/, 500],
    ['a redirect loop', '/loop', 'redirect', /too many redirects/, 5_000],
    ['a connection reset', '/reset', 'connect', /ECONNRESET/, 5_000],
    ['a connection closed without an answer', '/close', 'connect', /closed by the other side/, 5_000],
    ['a reset in the middle of the body', '/reset-mid-body', 'connect', /ECONNRESET/, 5_000],
  ])('ends %s (GET %s) as %s', async (_, path, failureClass, message, timeoutMs) => {
    const exchange = await get(`${base}${path}`, { timeoutMs });
    expect(exchange).toMatchObject({ ok: false, failureClass });
    expect(exchange.ok ? '' : exchange.message).toMatch(message);
  });

  it('reports the status of an answer whose body was too large', async () => {
    expect(await get(`${base}/endless`)).toMatchObject({ ok: false, failureClass: 'too-large', status: 200 });
  });

  it('ends a refused connection as connect', async () => {
    expect(await get(`http://127.0.0.1:${await freePort()}/`)).toMatchObject({
      ok: false,
      failureClass: 'connect',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it.each([
    ['a self-signed certificate', () => `${tlsBase}/`, /TLS handshake failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    ['a server that does not speak TLS', () => `${base.replace('http:', 'https:')}/json`, /TLS handshake failed/],
  ])('ends %s as tls', async (_, url, message) => {
    const exchange = await get(url());
    expect(exchange).toMatchObject({ ok: false, failureClass: 'tls' });
    expect(exchange.ok ? '' : exchange.message).toMatch(message);
  });

  it("ends as aborted when the caller's deadline fires, as timeout when the step's own does", async () => {
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 100);
    expect(await get(`${base}/hang`, { timeoutMs: 5_000, signal: caller.signal })).toMatchObject({
      ok: false,
      failureClass: 'aborted',
    });
    expect(await get(`${base}/hang`, { timeoutMs: 100, signal: new AbortController().signal })).toMatchObject({
      ok: false,
      failureClass: 'timeout',
    });
    const midBody = new AbortController();
    setTimeout(() => midBody.abort(), 200);
    expect(await get(`${base}/slow-drip`, { timeoutMs: 5_000, signal: midBody.signal })).toMatchObject({
      ok: false,
      failureClass: 'aborted',
    });
  });

  it("sends nothing when the caller's deadline has already passed", async () => {
    const before = requests;
    expect(await get(`${base}/json`, { signal: AbortSignal.abort() })).toMatchObject({
      ok: false,
      failureClass: 'aborted',
    });
    expect(requests).toBe(before);
  });
});

describe('hostile bodies through the engine', () => {
  const step = probeSchema.parse({
    id: 'p',
    stage: 'collection',
    steps: [{ name: 'read', path: '/', expect: { json: [{ path: '$.name', exists: true }] } }],
  }).steps[0]!;
  const judge = async (path: string) => {
    const run = {
      probe: probeSchema.parse({ id: 'p', stage: 'collection', steps: [step] }),
      site: 'primary' as const,
      identity: syntheticIdentity('0123456789abcdef'),
      secrets: {},
    };
    const runtime = { now: () => new Date(), uuid: () => 'u', nonce: () => '0123456789abcdef' };
    const scope = createProbeScope(run, runtime);
    return evaluateStep(step, await get(`${base}${path}`), { scope, runtime, redactor: createRunRedactor(run, scope) })
      .result;
  };

  it.each([
    ['non-UTF-8 text where JSON is expected', '/latin1', 'response body is not valid UTF-8'],
    ['JSON cut short', '/malformed', 'response body is not valid JSON'],
  ])('fails %s as malformed', async (_, path, message) => {
    expect(await judge(path)).toMatchObject({
      outcome: 'failed',
      failureClass: 'malformed',
      message: expect.stringContaining(message),
    });
  });
});
