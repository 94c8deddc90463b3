// The operator dashboard's HTTP server, on loopback only: a static page, a JSON API (GET the
// state or the citizens' score; POST acknowledge, inject or clear a fault, start a drill) and a Server-Sent Events
// stream that pushes the state when it changes. It validates what it is sent and leaves the
// doing to the DashboardBackend, which uses the same services as the CLI.
//
// Only loopback clients that name this server in Host may call it (no DNS rebinding), and POSTs
// must be JSON: a cross-site form cannot send that without a CORS preflight, which is refused.
import { errorText } from '../../lambdas/core/errors.ts';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { FAULT_MODES, SITES, STAGES } from '../../lambdas/core/model/vocabulary.ts';
import { OVERALL_LEVELS, type OverallLevel } from '../../lambdas/core/status-page.ts';
import { CATALOGUES, LOCALES } from '../../lambdas/core/i18n/index.ts';
import { packageFile } from '../package-root.ts';
import { isAddressInUse, PortInUseError } from '../runtime/errors.ts';
import { DashboardRequestError, type DashboardBackend, type DashboardState } from './state.ts';

export interface DashboardServerOptions {
  readonly backend: DashboardBackend;
  /** 0 lets the OS choose. */
  readonly port: number;
  readonly host?: string;
  /** How often connected pages get a fresh state without an action (default 2 s). */
  readonly refreshMs?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  /** Rebuilds the state now and pushes it to every open page. */
  refresh(): Promise<void>;
  /** Pushes a state read elsewhere (the console's) to every open page, instead of reading it again. */
  publish(state: DashboardState): void;
  close(): Promise<void>;
}

const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // The page words itself with the same library the Lambdas and the CLI do.
  '/vendor/i18next.js': { file: fileURLToPath(import.meta.resolve('i18next')), type: 'text/javascript; charset=utf-8' },
};
const STATIC_DIR = packageFile('local', 'dashboard', 'static');
/** The tab's icon follows the banner (the page swaps the link), so a glance at the tab bar tells. */
const FAVICON_COLOURS: Readonly<Record<OverallLevel, string>> = {
  operational: '#1a7f37',
  degraded: '#bf8700',
  outage: '#cf222e',
  unknown: '#8c959f',
};
const favicon = (level: OverallLevel): string =>
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  `<circle cx="8" cy="8" r="7" fill="${FAVICON_COLOURS[level]}"/></svg>`;
const MAX_BODY_BYTES = 16 * 1024;

const faultBody = z.strictObject({
  site: z.enum(SITES),
  stage: z.enum(STAGES),
  mode: z.enum(FAULT_MODES),
  latencyMs: z.number().int().min(1).max(600_000).optional(),
  forSeconds: z.number().int().min(1).max(86_400).optional(),
});
const clearBody = z.strictObject({ site: z.enum(SITES).optional(), stage: z.enum(STAGES).optional() });
const drillBody = z.strictObject({ scenario: z.string().min(1).max(100) });

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Everything the page runs is its own file; no inline script, no third party.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
    "connect-src 'self'; frame-ancestors 'none'",
} as const;

export const startDashboardServer = async (options: DashboardServerOptions): Promise<DashboardServer> => {
  const host = options.host ?? '127.0.0.1';
  const streams = new Set<ServerResponse>();
  let latest: DashboardState | undefined;
  let refreshing: Promise<void> | undefined;
  let port = options.port;

  let publishedAt = Number.NEGATIVE_INFINITY;
  const publish = (state: DashboardState): void => {
    latest = state;
    publishedAt = Date.now();
    const frame = `event: state\ndata: ${JSON.stringify(state)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };
  const refresh = (): Promise<void> =>
    (refreshing ??= (async () => {
      try {
        publish(await options.backend.state(AbortSignal.timeout(10_000)));
      } finally {
        refreshing = undefined;
      }
    })());

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (!isOwnHost(request.headers.host, port))
      return send(response, 421, { error: 'this server answers only to 127.0.0.1 and localhost' });
    const route = `${request.method} ${url.pathname}`;
    const staticFile = request.method === 'GET' ? STATIC_FILES[url.pathname] : undefined;
    if (staticFile) {
      const body = await readFile(isAbsolute(staticFile.file) ? staticFile.file : join(STATIC_DIR, staticFile.file));
      response.writeHead(200, { 'content-type': staticFile.type, ...SECURITY_HEADERS });
      response.end(body);
      return;
    }
    const icon = request.method === 'GET' ? /^\/favicon(?:-([a-z]+))?\.(?:svg|ico)$/.exec(url.pathname) : null;
    if (icon) {
      const level = (OVERALL_LEVELS as readonly string[]).includes(icon[1] ?? '')
        ? (icon[1] as OverallLevel)
        : 'unknown';
      response.writeHead(200, { 'content-type': 'image/svg+xml', ...SECURITY_HEADERS });
      response.end(favicon(level));
      return;
    }
    const words = request.method === 'GET' ? /^\/api\/words\/([A-Za-z-]+)$/.exec(url.pathname) : null;
    if (words) {
      const locale = LOCALES.find((known) => known === words[1]);
      if (!locale) return send(response, 404, { error: `no words for locale ${words[1]}: ${LOCALES.join(', ')}` });
      return send(response, 200, CATALOGUES[locale]);
    }
    if (route === 'GET /api/state') {
      await refresh();
      return send(response, 200, latest);
    }
    if (route === 'GET /api/citizens/impact') {
      const from = Date.parse(url.searchParams.get('from') ?? '');
      const to = Date.parse(url.searchParams.get('to') ?? '');
      if (Number.isNaN(from) || Number.isNaN(to) || from > to)
        return send(response, 400, { error: 'give from and to as ISO instants, from before to' });
      const impact = options.backend.citizensImpact?.(new Date(from), new Date(to));
      return impact ? send(response, 200, impact) : send(response, 404, { error: 'simulated citizens are off' });
    }
    if (route === 'GET /api/citizens') {
      const citizens = options.backend.citizens?.();
      return citizens ? send(response, 200, citizens) : send(response, 404, { error: 'simulated citizens are off' });
    }
    if (route === 'GET /api/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...SECURITY_HEADERS });
      response.write('retry: 2000\n\n');
      streams.add(response);
      request.once('close', () => streams.delete(response));
      if (latest) response.write(`event: state\ndata: ${JSON.stringify(latest)}\n\n`);
      void refresh().catch(() => undefined);
      return;
    }
    const report = request.method === 'GET' ? /^\/drills\/([A-Za-z0-9_-]{1,80})\/report$/.exec(url.pathname) : null;
    if (report) {
      const html = await options.backend.drillReport(report[1] as string);
      if (html === undefined) return send(response, 404, { error: `no report for drill ${report[1]} yet` });
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(html);
      return;
    }
    if (request.method !== 'POST') return send(response, 404, { error: `no such page: ${url.pathname}` });
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? ''))
      return send(response, 415, { error: 'send JSON (content-type: application/json)' });
    const body = await readJson(request);
    const ack = /^\/api\/incidents\/([A-Za-z0-9_-]{1,80})\/ack$/.exec(url.pathname);
    if (ack) {
      await options.backend.acknowledge(ack[1] as string);
      await refresh();
      return send(response, 200, { acknowledged: ack[1] });
    }
    if (url.pathname === '/api/faults') {
      const fault = parse(faultBody, body);
      await options.backend.injectFault({
        site: fault.site,
        stage: fault.stage,
        mode: fault.mode,
        ...(fault.latencyMs !== undefined ? { latencyMs: fault.latencyMs } : {}),
        ...(fault.forSeconds !== undefined ? { forMs: fault.forSeconds * 1000 } : {}),
      });
      await refresh();
      return send(response, 200, { injected: fault });
    }
    if (url.pathname === '/api/faults/clear') {
      const where = parse(clearBody, body);
      await options.backend.clearFaults(where);
      await refresh();
      return send(response, 200, { cleared: where });
    }
    if (url.pathname === '/api/drills') {
      const { scenario } = parse(drillBody, body);
      const started = await options.backend.startDrill(scenario);
      await refresh();
      return send(response, 202, started);
    }
    return send(response, 404, { error: `no such action: ${url.pathname}` });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof DashboardRequestError) return send(response, error.status, { error: error.message });
      send(response, 500, { error: errorText(error) });
    });
  });
  server.listen(options.port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    if (isAddressInUse(error)) {
      throw new PortInUseError(
        'the dashboard',
        host,
        options.port,
        'Set local.dashboardPort in the config (0 picks a free port).',
      );
    }
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  const refreshMs = options.refreshMs ?? 2_000;
  // Open pages get a state at least this often; one published meanwhile counts.
  const timer = setInterval(() => {
    if (streams.size > 0 && Date.now() - publishedAt >= refreshMs) void refresh().catch(() => undefined);
  }, refreshMs);

  return {
    url: `http://${host}:${port}/`,
    port,
    refresh,
    publish,
    async close() {
      clearInterval(timer);
      for (const stream of streams) stream.end();
      streams.clear();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
};

const isOwnHost = (hostHeader: string | undefined, port: number): boolean =>
  hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`;

const send = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  response.end(JSON.stringify(body));
};

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new DashboardRequestError(`the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new DashboardRequestError('the request body is not valid JSON');
  }
};

const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new DashboardRequestError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
  );
};
