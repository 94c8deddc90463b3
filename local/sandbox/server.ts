// One sandbox site's HTTP server: the three stage APIs under their base paths, transport faults
// applied in front of them, and the admin API under /_sandbox (never faulted).
import { errorText } from '../../lambdas/core/errors.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { DEFAULT_FAULT_LATENCY_MS, FAULT_MODE_DESCRIPTIONS } from '../../lambdas/core/probe/fault-modes.ts';
import { SITES, STAGES, type Site, type Stage } from '../../lambdas/core/model/vocabulary.ts';
import { FaultSpecError, type SandboxFaults } from './faults.ts';
import type { SandboxPlatform } from './platform.ts';

/** Request bodies larger than this are refused with 413. */
const MAX_REQUEST_BYTES = 256 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

export interface SiteServerOptions {
  readonly site: Site;
  /** Base path of each stage's API on this site, e.g. `/verification`. */
  readonly stagePaths: Readonly<Record<Stage, string>>;
  readonly platform: SandboxPlatform;
  readonly faults: SandboxFaults;
  /** Body size a `huge-body` fault sends. */
  readonly hugeBodyBytes: number;
  /** Fires when the sandbox stops: ends latency waits so servers close promptly. */
  readonly stopping: AbortSignal;
  /** The origins of both sites, for the health endpoint. */
  readonly origins: () => Readonly<Record<Site, string>>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? status));
  }
}

const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  if (response.writableEnded || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
};

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).byteLength;
    if (total > MAX_REQUEST_BYTES) throw new HttpProblem(413, { error: 'too-large', maxBytes: MAX_REQUEST_BYTES });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new HttpProblem(400, { error: 'invalid-json', detail: 'the body is empty' });
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, { error: 'invalid-json', detail: 'the body is not valid JSON' });
  }
};

const validate = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new HttpProblem(400, {
    error: 'invalid',
    // One value may break two checks with one message: each problem once.
    problems: [...new Set(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`))],
  });
};

const text = (max: number) => z.string().min(1).max(max);

const declarationSchema = z.strictObject({
  requestId: text(100).optional(),
  subjectId: text(64),
  name: text(100),
  phone: z
    .string()
    .regex(/^\+?[0-9-]{5,20}$/)
    .optional(),
  temperature: z.number().min(30).max(45),
  symptoms: z.array(text(60)).max(20),
  travel: z.array(text(60)).max(20),
  declaredAt: z.iso.datetime({ offset: true }),
  testData: z.boolean().default(false),
});

const recordSchema = z.strictObject({
  sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  payload: z.string().max(64 * 1024),
  hmac: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a hex HMAC-SHA256' }),
  recordId: text(100).optional(),
  testData: z.boolean().default(false),
});

const streamName = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'stream ids use letters, digits and . _ : - (at most 128)' });

const issueSchema = z.strictObject({ subjectId: text(64), testData: z.boolean().default(false) });
const verifySchema = z.strictObject({ code: z.string().max(4096) });
const revokeSchema = z.union([z.strictObject({ code: z.string().max(4096) }), z.strictObject({ codeId: text(64) })]);
const checkSchema = z.strictObject({ site: z.enum(SITES).optional(), ids: z.array(text(200)).max(100_000) });

const optionalInt = (value: string | null, what: string): number | undefined => {
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number))
    throw new HttpProblem(400, { error: 'invalid', problems: [`${what}: must be an integer`] });
  return number;
};

/** The stage whose base path starts the request path, and the rest of the path. */
const matchStage = (
  stagePaths: Readonly<Record<Stage, string>>,
  pathname: string,
): { stage: Stage; rest: string } | undefined => {
  for (const stage of STAGES) {
    const base = stagePaths[stage].replace(/\/+$/, '');
    if (pathname === base || pathname.startsWith(`${base}/`))
      return { stage, rest: pathname.slice(base.length) || '/' };
  }
  return undefined;
};

export const createSiteServer = (options: SiteServerOptions): Server => {
  const { site, platform, faults } = options;

  const collection = async (request: IncomingMessage, response: ServerResponse, rest: string): Promise<void> => {
    if (request.method === 'POST' && rest === '/declarations') {
      const input = validate(declarationSchema, await readJson(request));
      const { declaration, replayed } = platform.submitDeclaration(site, input);
      sendJson(response, replayed ? 200 : 201, {
        id: declaration.id,
        receivedAt: declaration.receivedAt,
        status: 'stored',
        replayed,
      });
      return;
    }
    const read = /^\/declarations\/([^/]+)$/.exec(rest);
    if (request.method === 'GET' && read?.[1]) {
      const declaration = platform.readDeclaration(site, decodeURIComponent(read[1]));
      if (!declaration) throw new HttpProblem(404, { error: 'not-found' });
      sendJson(response, 200, declaration);
      return;
    }
    throw new HttpProblem(404, { error: 'no-such-route', routes: ['POST /declarations', 'GET /declarations/{id}'] });
  };

  const transmission = async (
    request: IncomingMessage,
    response: ServerResponse,
    rest: string,
    query: URLSearchParams,
  ): Promise<void> => {
    const records = /^\/streams\/([^/]+)\/records$/.exec(rest);
    if (request.method === 'POST' && records?.[1]) {
      const stream = validate(streamName, decodeURIComponent(records[1]));
      const input = validate(recordSchema, await readJson(request));
      const outcome = platform.receiveRecord(site, { stream, ...input });
      if ('rejected' in outcome)
        throw new HttpProblem(401, {
          error: 'bad-hmac',
          detail: 'the HMAC does not match <stream>:<sequence>:<payload> under the shared key',
        });
      sendJson(response, outcome.receipt.duplicate ? 200 : 201, { receipt: outcome.receipt });
      return;
    }
    const state = /^\/streams\/([^/]+)$/.exec(rest);
    if (request.method === 'GET' && state?.[1]) {
      const stream = validate(streamName, decodeURIComponent(state[1]));
      const from = optionalInt(query.get('from'), 'from');
      const to = optionalInt(query.get('to'), 'to');
      sendJson(
        response,
        200,
        platform.streamState(site, stream, {
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        }),
      );
      return;
    }
    const one = /^\/streams\/([^/]+)\/records\/(\d+)$/.exec(rest);
    if (request.method === 'GET' && one?.[1] && one[2]) {
      const record = platform.readRecord(site, validate(streamName, decodeURIComponent(one[1])), Number(one[2]));
      if (!record) throw new HttpProblem(404, { error: 'not-found' });
      sendJson(response, 200, record);
      return;
    }
    throw new HttpProblem(404, {
      error: 'no-such-route',
      routes: [
        'POST /streams/{stream}/records',
        'GET /streams/{stream}?from=&to=',
        'GET /streams/{stream}/records/{sequence}',
      ],
    });
  };

  const verification = async (request: IncomingMessage, response: ServerResponse, rest: string): Promise<void> => {
    if (request.method === 'POST' && rest === '/codes') {
      const input = validate(issueSchema, await readJson(request));
      const { code, record } = platform.issueCode(site, input);
      sendJson(response, 201, {
        code,
        codeId: record.codeId,
        verdict: record.verdict,
        issuedAt: record.issuedAt,
        expiresAt: record.expiresAt,
      });
      return;
    }
    if (request.method === 'POST' && rest === '/verify') {
      const { code } = validate(verifySchema, await readJson(request));
      sendJson(response, 200, platform.verifyCode(site, code));
      return;
    }
    if (request.method === 'POST' && rest === '/revocations') {
      const outcome = platform.revoke(site, validate(revokeSchema, await readJson(request)));
      if ('problem' in outcome)
        throw new HttpProblem(outcome.problem === 'unknown-code' ? 404 : 400, { error: outcome.problem });
      sendJson(response, 200, { revoked: true, codeId: outcome.codeId });
      return;
    }
    if (request.method === 'GET' && rest === '/keys') {
      sendJson(response, 200, { keys: platform.keys() });
      return;
    }
    throw new HttpProblem(404, {
      error: 'no-such-route',
      routes: ['POST /codes', 'POST /verify', 'POST /revocations', 'GET /keys'],
    });
  };

  const admin = async (
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
    query: URLSearchParams,
  ): Promise<void> => {
    if (pathname === '/_sandbox/health' && request.method === 'GET') {
      sendJson(response, 200, {
        status: 'ok',
        site,
        sites: options.origins(),
        faults: faults.listNow().length,
        stores: platform.stats(),
      });
      return;
    }
    if (pathname === '/_sandbox/faults') {
      if (request.method === 'GET') {
        sendJson(response, 200, { faults: faults.listNow(), modes: FAULT_MODE_DESCRIPTIONS });
        return;
      }
      if (request.method === 'POST') {
        const body = (await readJson(request)) as Record<string, unknown>;
        const spec =
          body.mode === 'latency' && body.latencyMs === undefined
            ? { ...body, latencyMs: DEFAULT_FAULT_LATENCY_MS }
            : body;
        try {
          sendJson(response, 201, { fault: faults.injectNow(spec) });
        } catch (error) {
          if (error instanceof FaultSpecError)
            throw new HttpProblem(400, { error: 'invalid-fault', problems: error.problems });
          throw error;
        }
        return;
      }
      if (request.method === 'DELETE') {
        const where = {
          ...(query.get('site') ? { site: validate(z.enum(SITES), query.get('site')) } : {}),
          ...(query.get('stage') ? { stage: validate(z.enum(STAGES), query.get('stage')) } : {}),
        };
        sendJson(response, 200, { cleared: faults.clearNow(where) });
        return;
      }
    }
    if (pathname === '/_sandbox/records/check' && request.method === 'POST') {
      const input = validate(checkSchema, await readJson(request));
      const target = input.site ?? site;
      sendJson(response, 200, { site: target, counts: platform.countRecords(target, input.ids) });
      return;
    }
    throw new HttpProblem(404, {
      error: 'no-such-route',
      routes: ['GET /_sandbox/health', 'GET|POST|DELETE /_sandbox/faults', 'POST /_sandbox/records/check'],
    });
  };

  /** Transport faults act before the API; true when the request is already dealt with. */
  const applyTransportFaults = async (
    stage: Stage,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<boolean> => {
    const latency = faults.find(site, stage, 'latency');
    if (latency) {
      try {
        await sleep(latency.latencyMs ?? DEFAULT_FAULT_LATENCY_MS, undefined, { signal: options.stopping });
      } catch {
        request.socket.destroy();
        return true;
      }
    }
    if (faults.find(site, stage, 'hang')) return true; // never answered; stop() closes the socket
    if (faults.find(site, stage, 'reset')) {
      request.socket.resetAndDestroy();
      return true;
    }
    if (faults.find(site, stage, 'error')) {
      sendJson(response, 503, { error: 'service-unavailable' });
      return true;
    }
    if (faults.find(site, stage, 'malformed')) {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end('{"status":"ok","data":{"id":"');
      return true;
    }
    if (faults.find(site, stage, 'huge-body')) {
      await sendHugeBody(response, options.hugeBodyBytes);
      return true;
    }
    return false;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname.startsWith('/_sandbox/')) return admin(request, response, url.pathname, url.searchParams);
    const matched = matchStage(options.stagePaths, url.pathname);
    if (!matched) throw new HttpProblem(404, { error: 'no-such-route', stages: options.stagePaths });
    if (await applyTransportFaults(matched.stage, request, response)) return;
    if (matched.stage === 'collection') return collection(request, response, matched.rest);
    if (matched.stage === 'transmission') return transmission(request, response, matched.rest, url.searchParams);
    return verification(request, response, matched.rest);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpProblem) sendJson(response, error.status, error.body);
      else sendJson(response, 500, { error: 'internal', detail: errorText(error) });
    });
  });
  // A client that sends garbage or vanishes must not take the sandbox down.
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
};

const sendHugeBody = async (response: ServerResponse, bytes: number): Promise<void> => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  response.write('{"padding":"');
  let sent = 0;
  while (sent < bytes && !response.destroyed) {
    if (!response.write(HUGE_CHUNK)) {
      // The prober stops reading at its cap and closes: wait for room or for the close.
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
    sent += HUGE_CHUNK.byteLength;
  }
  if (!response.destroyed) response.end('"}');
};
