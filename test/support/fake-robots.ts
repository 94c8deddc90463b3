// Fake DingTalk, WeCom and Feishu group robots on loopback. Each checks a request the way its
// real service documents it — DingTalk: `sign` in the query is base64(HMAC-SHA256(secret,
// timestamp + "\n" + secret)) with a millisecond timestamp under an hour old; Feishu: `sign` in
// the body is base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")) with a timestamp
// in seconds; WeCom: the `key` in the URL — and answers with the service's own error codes.
// Written from the documentation, not from hcguard's code, so a wrong signature fails here.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type FakeChannel = 'dingtalk' | 'wecom' | 'feishu';

export interface FakeRobot {
  readonly url: string;
  /** Messages accepted, as the robot parsed them. */
  readonly accepted: unknown[];
  /** Every answer given, in order: `ok`, or the reason for the refusal. */
  readonly answers: string[];
  /** The next `count` requests get the channel's "too many messages" answer. */
  rateLimitNext(count: number): void;
  /** The next `count` requests get HTTP 502. */
  failNext(count: number): void;
  close(): Promise<void>;
}

const RATE_LIMIT: Record<FakeChannel, object> = {
  dingtalk: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' },
  wecom: { errcode: 45009, errmsg: 'api freq out of limit' },
  feishu: { code: 9499, msg: 'too many request' },
};

const HOUR_MS = 3_600_000;

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export const startFakeRobot = async (
  channel: FakeChannel,
  options: {
    readonly token: string;
    readonly secret?: string;
    readonly now?: () => number;
    /** Serve https:// with this certificate, as the real robots do. */
    readonly tls?: { readonly key: string; readonly cert: string };
  },
): Promise<FakeRobot> => {
  const now = options.now ?? Date.now;
  const accepted: unknown[] = [];
  const answers: string[] = [];
  let rateLimited = 0;
  let failing = 0;
  const check = (url: URL, body: Record<string, unknown>): { answer: object; reason: string } | undefined => {
    const refuse = (answer: object, reason: string) => ({ answer, reason });
    if (channel === 'dingtalk') {
      if (url.searchParams.get('access_token') !== options.token)
        return refuse({ errcode: 300001, errmsg: 'token is not exist' }, 'bad token');
      if (options.secret) {
        const timestamp = Number(url.searchParams.get('timestamp'));
        const expected = createHmac('sha256', options.secret)
          .update(`${timestamp}\n${options.secret}`)
          .digest('base64');
        if (!timestamp || Math.abs(now() - timestamp) > HOUR_MS)
          return refuse({ errcode: 310000, errmsg: 'invalid timestamp' }, 'bad timestamp');
        if (url.searchParams.get('sign') !== expected)
          return refuse({ errcode: 310000, errmsg: 'sign not match' }, 'bad signature');
      }
      if (body.msgtype !== 'markdown') return refuse({ errcode: 40035, errmsg: 'missing msgtype' }, 'bad body');
    } else if (channel === 'wecom') {
      if (url.pathname !== '/cgi-bin/webhook/send' || url.searchParams.get('key') !== options.token)
        return refuse({ errcode: 93000, errmsg: 'invalid webhook url' }, 'bad key');
      const content = (body.markdown as { content?: unknown } | undefined)?.content;
      if (body.msgtype !== 'markdown' || typeof content !== 'string')
        return refuse({ errcode: 40008, errmsg: 'invalid message type' }, 'bad body');
      if (Buffer.byteLength(content) > 4096)
        return refuse({ errcode: 40058, errmsg: 'markdown.content exceed max length 4096' }, 'too long');
    } else {
      if (url.pathname !== `/open-apis/bot/v2/hook/${options.token}`)
        return refuse({ code: 19001, msg: 'param invalid: incoming webhook access token invalid' }, 'bad token');
      if (options.secret) {
        const timestamp = Number(body.timestamp);
        const expected = createHmac('sha256', `${timestamp}\n${options.secret}`).update('').digest('base64');
        if (!timestamp || Math.abs(now() / 1000 - timestamp) > HOUR_MS / 1000 || body.sign !== expected)
          return refuse(
            { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
            'bad signature',
          );
      }
      if (body.msg_type !== 'interactive') return refuse({ code: 19002, msg: 'params error' }, 'bad body');
    }
    return undefined;
  };
  const listener: RequestListener = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    const reply = (status: number, answer: object, note: string) => {
      answers.push(note);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    };
    if (failing > 0) {
      failing--;
      return reply(502, { error: 'bad gateway' }, 'http 502');
    }
    if (rateLimited > 0) {
      rateLimited--;
      return reply(200, RATE_LIMIT[channel], 'rate limited');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return reply(200, channel === 'feishu' ? { code: 9499, msg: 'Bad Request' } : { errcode: 40035 }, 'not json');
    }
    const refused = check(url, body);
    if (refused) return reply(200, refused.answer, refused.reason);
    accepted.push(body);
    reply(200, channel === 'feishu' ? { code: 0, msg: 'success', data: {} } : { errcode: 0, errmsg: 'ok' }, 'ok');
  };
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const url =
    channel === 'dingtalk'
      ? `${base}/robot/send?access_token=${options.token}`
      : channel === 'wecom'
        ? `${base}/cgi-bin/webhook/send?key=${options.token}`
        : `${base}/open-apis/bot/v2/hook/${options.token}`;
  return {
    url,
    accepted,
    answers,
    rateLimitNext: (count) => void (rateLimited = count),
    failNext: (count) => void (failing = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
