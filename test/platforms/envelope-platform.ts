// A second health-code platform for tests, unlike the sandbox on purpose: every stage behind one
// base URL (/hc/api), every answer HTTP 200 with a {code, msg, data} envelope, every request
// signed (HMAC-SM3 over app id, timestamp, nonce and the body as sent, replays refused), each
// site with its own app id and secret, records MACed in base64url, passes issued as
// `HC1:<base64url payload>.<base64url HMAC>` QR payloads, and declarations readable only after
// a replication lag. examples/envelope-platform/hcguard.config.json is written against it.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site, Stage } from '../../lambdas/core/model/vocabulary.ts';

/** Faults this platform can show; the first group also comes through its fault hook (hcguard's names). */
export const ENVELOPE_FAULTS = [
  'error',
  'latency',
  'wrong-verdict',
  'accept-all',
  'tamper',
  'drop-writes',
  'malformed',
  'sign-error',
  'http-500',
  'expired-pass',
  'bad-mac',
] as const;
export type EnvelopeFault = (typeof ENVELOPE_FAULTS)[number];
const HOOK_FAULTS: readonly string[] = ENVELOPE_FAULTS.slice(0, 7);

export interface EnvelopeSiteCredentials {
  readonly appId: string;
  readonly appSecret: string;
}

export interface EnvelopePlatformOptions {
  readonly credentials: Readonly<Record<Site, EnvelopeSiteCredentials>>;
  /** Key of the MAC on transmitted records (base64url HMAC-SHA256). */
  readonly recordKey: string;
  /** Key of the MAC on issued passes. */
  readonly passKey: string;
  /** A declaration can be read back this long after it was accepted. */
  readonly replicationLagMs?: number;
  readonly latencyMs?: number;
  readonly hosts?: Readonly<Record<Site, string>>;
  /** Both sites listen on this port (each on its own host); 0 picks free ones. */
  readonly port?: number;
}

export interface EnvelopePlatform {
  /** Each site's base URL, shared by all three stages: http://host:port/hc/api */
  readonly baseUrls: Readonly<Record<Site, string>>;
  /** The fault hook (hcguard's drills.faultHookUrl protocol), on the primary's server. */
  readonly hookUrl: string;
  inject(site: Site, stage: Stage, fault: EnvelopeFault): void;
  clear(): void;
  /** Requests refused for a bad signature or a replayed nonce: a probe that signs right sends none. */
  readonly refusedSignatures: () => number;
  /** Forget every stream, as a restarted platform does (a new stream epoch). */
  resetStreams(): void;
  stop(): Promise<void>;
}

interface Envelope {
  readonly code: number;
  readonly msg: string;
  readonly data?: unknown;
}

const OK = (data: unknown): Envelope => ({ code: 0, msg: 'success', data });
const BUSY: Envelope = { code: 50000, msg: '系统繁忙，请稍后再试' };
const BAD_SIGN: Envelope = { code: 40100, msg: '签名错误' };
const NOT_FOUND: Envelope = { code: 40400, msg: '记录不存在' };
const BAD_PASS: Envelope = { code: 40301, msg: '二维码无效' };
const EXPIRED_PASS: Envelope = { code: 40302, msg: '二维码已过期' };
const BAD_REQUEST: Envelope = { code: 40000, msg: '参数错误' };

const STAGE_OF: Readonly<Record<string, Stage>> = {
  '/hc/api/declare': 'collection',
  '/hc/api/declare/query': 'collection',
  '/hc/api/transmit': 'transmission',
  '/hc/api/transmit/status': 'transmission',
  '/hc/api/pass/issue': 'verification',
  '/hc/api/pass/verify': 'verification',
};

const sm3Hmac = (key: string, text: string): string => createHmac('sm3', key).update(text, 'utf8').digest('hex');
const mac = (key: string, text: string): string => createHmac('sha256', key).update(text, 'utf8').digest('base64url');
const sameText = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

interface SiteState {
  declarations: Map<string, { readonly visibleAt: number; readonly record: Record<string, unknown> }>;
  streams: Map<string, { readonly epoch: string; readonly records: Map<number, string> }>;
  nonces: Set<string>;
}

export const startEnvelopePlatform = async (options: EnvelopePlatformOptions): Promise<EnvelopePlatform> => {
  const lagMs = options.replicationLagMs ?? 150;
  const faults = new Map<string, Set<EnvelopeFault>>();
  const has = (site: Site, stage: Stage, fault: EnvelopeFault) => faults.get(`${site}#${stage}`)?.has(fault) ?? false;
  let refused = 0;
  const state: Record<Site, SiteState> = {
    primary: { declarations: new Map(), streams: new Map(), nonces: new Set() },
    backup: { declarations: new Map(), streams: new Map(), nonces: new Set() },
  };

  const signed = (site: Site, request: IncomingMessage, body: string): boolean => {
    const { appId, appSecret } = options.credentials[site];
    const header = (name: string) => String(request.headers[name] ?? '');
    const timestamp = Number(header('x-timestamp'));
    const nonce = header('x-nonce');
    const expected = sm3Hmac(appSecret, `${appId}\n${header('x-timestamp')}\n${nonce}\n${body}`);
    const fresh = Number.isFinite(timestamp) && Math.abs(Date.now() - timestamp) < 5 * 60_000;
    const ok =
      header('x-app-id') === appId &&
      fresh &&
      nonce.length >= 8 &&
      !state[site].nonces.has(nonce) &&
      sameText(header('x-sign'), expected);
    if (ok) state[site].nonces.add(nonce);
    return ok;
  };

  const serve = (site: Site, path: string, input: Record<string, unknown>): Envelope => {
    const stage = STAGE_OF[path] as Stage;
    const site_ = state[site];
    if (has(site, stage, 'error')) return BUSY;
    if (has(site, stage, 'sign-error')) return BAD_SIGN;
    switch (path) {
      case '/hc/api/declare': {
        const id = randomUUID();
        if (!has(site, stage, 'drop-writes'))
          site_.declarations.set(id, { visibleAt: Date.now() + lagMs, record: { ...input, declarationId: id } });
        return OK({ declarationId: id });
      }
      case '/hc/api/declare/query': {
        const found = site_.declarations.get(String(input.declarationId));
        return found && found.visibleAt <= Date.now() ? OK(found.record) : NOT_FOUND;
      }
      case '/hc/api/transmit': {
        const {
          stream,
          seq,
          payload,
          mac: given,
        } = input as { stream?: string; seq?: number; payload?: string; mac?: string };
        if (
          typeof stream !== 'string' ||
          !Number.isInteger(seq) ||
          typeof payload !== 'string' ||
          typeof given !== 'string'
        )
          return BAD_REQUEST;
        if (!sameText(given, mac(options.recordKey, `${stream}:${seq}:${payload}`))) return BAD_SIGN;
        let entry = site_.streams.get(stream);
        if (!entry) site_.streams.set(stream, (entry = { epoch: randomUUID(), records: new Map() }));
        if (!has(site, stage, 'drop-writes')) entry.records.set(seq as number, payload);
        const digest = createHash('sm3')
          .update(has(site, stage, 'tamper') ? `${payload} ` : payload, 'utf8')
          .digest('hex');
        return OK({ receipt: { seq, digest }, epoch: entry.epoch });
      }
      case '/hc/api/transmit/status': {
        const { stream, from, to } = input as { stream?: string; from?: number; to?: number };
        if (typeof stream !== 'string' || !Number.isInteger(from) || !Number.isInteger(to)) return BAD_REQUEST;
        const entry = site_.streams.get(stream);
        const missing: number[] = [];
        for (let seq = Math.max(1, from as number); seq <= (to as number) && missing.length < 100; seq++)
          if (!entry?.records.has(seq)) missing.push(seq);
        return OK({ missing, epoch: entry?.epoch ?? null });
      }
      case '/hc/api/pass/issue': {
        if (typeof input.subjectId !== 'string') return BAD_REQUEST;
        const now = Math.floor(Date.now() / 1000);
        const exp = has(site, stage, 'expired-pass') ? now - 60 : now + 86_400;
        const claims = JSON.stringify({ sub: input.subjectId, col: 'green', iat: now, exp });
        const body = `HC1:${Buffer.from(claims).toString('base64url')}`;
        const signature = has(site, stage, 'bad-mac') ? mac('not-the-key', body) : mac(options.passKey, body);
        return OK({ qr: `${body}.${signature}` });
      }
      case '/hc/api/pass/verify': {
        const qr = String(input.qr ?? '');
        const dot = qr.lastIndexOf('.');
        const valid = dot > 0 && sameText(qr.slice(dot + 1), mac(options.passKey, qr.slice(0, dot)));
        if (!valid && !has(site, stage, 'accept-all')) return BAD_PASS;
        let payload: { exp?: number; col?: string } = {};
        try {
          payload = JSON.parse(Buffer.from(qr.slice(4, dot), 'base64url').toString('utf8'));
        } catch {
          if (!has(site, stage, 'accept-all')) return BAD_PASS;
        }
        if ((payload.exp ?? 0) < Date.now() / 1000 && !has(site, stage, 'accept-all')) return EXPIRED_PASS;
        return OK({ valid: true, colour: has(site, stage, 'wrong-verdict') ? 'red' : (payload.col ?? 'green') });
      }
    }
    return BAD_REQUEST;
  };

  const reply = (response: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8') => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(body);
  };

  const hook = (input: Record<string, unknown>): { status: number; body: unknown } => {
    if (input.action === 'list') {
      const list = [...faults].flatMap(([key, set]) => {
        const [site, stage] = key.split('#');
        return [...set].map((mode) => ({ site, stage, mode }));
      });
      return { status: 200, body: { faults: list } };
    }
    if (input.action === 'clear') {
      for (const key of [...faults.keys()])
        if (
          (!input.site || key.startsWith(`${String(input.site)}#`)) &&
          (!input.stage || key.endsWith(`#${String(input.stage)}`))
        )
          faults.delete(key);
      return { status: 200, body: { cleared: true } };
    }
    const stages: readonly unknown[] = ['collection', 'transmission', 'verification'];
    const sites: readonly unknown[] = ['primary', 'backup'];
    if (
      input.action === 'inject' &&
      HOOK_FAULTS.includes(String(input.mode)) &&
      sites.includes(input.site) &&
      stages.includes(input.stage)
    ) {
      platform.inject(input.site as Site, input.stage as Stage, input.mode as EnvelopeFault);
      return { status: 200, body: { injected: true } };
    }
    return { status: 422, body: { problems: [`cannot ${String(input.action)} ${String(input.mode ?? '')}`] } };
  };

  const handler = (site: Site) => async (request: IncomingMessage, response: ServerResponse) => {
    try {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const body = await readBody(request);
      if (site === 'primary' && path === '/_hook' && request.method === 'POST') {
        const answer = hook(JSON.parse(body || '{}') as Record<string, unknown>);
        return reply(response, answer.status, JSON.stringify(answer.body));
      }
      const stage = STAGE_OF[path];
      if (!stage || request.method !== 'POST')
        return reply(response, 404, JSON.stringify({ code: 40400, msg: 'no such API' }));
      if (has(site, stage, 'latency')) await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 2_000));
      if (has(site, stage, 'http-500')) return reply(response, 500, 'Internal Server Error', 'text/plain');
      if (has(site, stage, 'malformed')) return reply(response, 200, '<html>gateway error</html>', 'text/html');
      if (!signed(site, request, body)) {
        refused++;
        return reply(response, 200, JSON.stringify(BAD_SIGN));
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return reply(response, 200, JSON.stringify(BAD_REQUEST));
      }
      return reply(response, 200, JSON.stringify(serve(site, path, input)));
    } catch {
      if (!response.headersSent) reply(response, 200, JSON.stringify(BAD_REQUEST));
    }
  };

  const servers: Partial<Record<Site, Server>> = {};
  const baseUrls: Partial<Record<Site, string>> = {};
  for (const site of ['primary', 'backup'] as const) {
    const server = createServer((request, response) => void handler(site)(request, response));
    server.keepAliveTimeout = 1_000;
    const host = options.hosts?.[site] ?? (site === 'primary' ? '127.0.0.1' : '127.0.0.2');
    server.listen(options.port ?? 0, host);
    await once(server, 'listening');
    servers[site] = server;
    baseUrls[site] = `http://${host}:${(server.address() as AddressInfo).port}/hc/api`;
  }

  const platform: EnvelopePlatform = {
    baseUrls: baseUrls as Record<Site, string>,
    hookUrl: `${new URL(baseUrls.primary as string).origin}/_hook`,
    inject: (site, stage, fault) => {
      const key = `${site}#${stage}`;
      faults.set(key, new Set([...(faults.get(key) ?? []), fault]));
    },
    clear: () => faults.clear(),
    refusedSignatures: () => refused,
    resetStreams: () => {
      for (const site of ['primary', 'backup'] as const) state[site].streams.clear();
    },
    stop: async () => {
      await Promise.all(
        Object.values(servers).map(async (server) => {
          server.closeAllConnections();
          server.close();
          await once(server, 'close');
        }),
      );
    },
  };
  return platform;
};
