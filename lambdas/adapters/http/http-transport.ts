// The probe engine's HTTP I/O, on Node's global fetch (undici). It must survive whatever the
// platform sends back: the body is read with a byte cap (counted after decompression, so a gzip
// bomb stops at the cap too) under one deadline that covers connect, headers and body (so a slow
// drip cannot hold the prober), and every failure is classified from undici's error cause.
import type {
  HttpExchange,
  HttpRequestSpec,
  HttpTransport,
  SendOptions,
  TransportFailureClass,
} from '../../core/probe/http.ts';

export type { HttpTransport, SendOptions };

export interface HttpTransportDeps {
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Monotonic milliseconds for durations; defaults to performance.now. */
  readonly monotonicMs?: () => number;
}

// undici reports connection problems through error.cause.code (Node's errno names or its own).
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
}

/** The innermost error with a code (undici nests: TypeError('fetch failed') → cause → cause). */
const rootCause = (error: unknown): ErrorLike => {
  let current = error as ErrorLike;
  for (let depth = 0; depth < 5 && current?.cause && typeof current.cause === 'object'; depth++) {
    current = current.cause as ErrorLike;
  }
  return current ?? {};
};

export const classifyFetchError = (error: unknown): { failureClass: TransportFailureClass; detail: string } => {
  const cause = rootCause(error);
  const code = cause.code ?? '';
  const message = cause.message ?? String(error);
  if (/redirect count exceeded|redirect loop/i.test(message))
    return { failureClass: 'redirect', detail: 'too many redirects (a redirect loop?)' };
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /certificate|SSL routines|TLS/i.test(message)
  ) {
    return { failureClass: 'tls', detail: `TLS handshake failed (${code || message.split('\n')[0]})` };
  }
  if (TIMEOUT_CODES.has(code)) return { failureClass: 'timeout', detail: `timed out (${code})` };
  if (CONNECT_CODES.has(code))
    return {
      failureClass: 'connect',
      detail: code === 'UND_ERR_SOCKET' ? 'the connection was closed by the other side' : `connection failed (${code})`,
    };
  return { failureClass: 'connect', detail: `network error (${code || message.split('\n')[0]})` };
};

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
};

// The host appears only in failure messages: a healthy answer never pays for parsing the URL.
const failure = (
  failureClass: TransportFailureClass,
  message: string,
  durationMs: number,
  status?: number,
): HttpExchange =>
  status === undefined
    ? { ok: false, failureClass, message, durationMs }
    : { ok: false, failureClass, message, durationMs, status };

/** Lower-case name → value (undici already lower-cases names; a fetch stand-in may not). */
const headerRecord = (headers: Headers): Record<string, string> => {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name.toLowerCase()] = value;
  });
  return record;
};

/**
 * A received answer. Most steps assert no header, so the header record is built the first time
 * it is read (a getter on the class: an object literal with a getter is slow to create).
 */
class Answer implements Extract<HttpExchange, { ok: true }> {
  readonly ok = true;
  readonly #received: Headers;
  #headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    received: Headers,
    readonly body: Uint8Array,
    readonly durationMs: number,
  ) {
    this.#received = received;
  }

  get headers(): Readonly<Record<string, string>> {
    return (this.#headers ??= headerRecord(this.#received));
  }
}

export const createHttpTransport = (deps: HttpTransportDeps = {}): HttpTransport => {
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const monotonicMs = deps.monotonicMs ?? (() => performance.now());

  const send = async (request: HttpRequestSpec, options: SendOptions): Promise<HttpExchange> => {
    const started = monotonicMs();
    const caller = options.signal;
    if (caller?.aborted)
      return failure(
        'aborted',
        `not sent to ${hostOf(request.url)}: the prober's deadline had passed`,
        monotonicMs() - started,
      );

    // One controller for both deadlines (cheaper than AbortSignal.any on every request).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const onCallerAbort = caller ? () => controller.abort() : undefined;
    if (onCallerAbort) caller?.addEventListener('abort', onCallerAbort, { once: true });
    let status: number | undefined;
    try {
      const response = await fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        redirect: 'follow',
        signal: controller.signal,
      });
      status = response.status;
      const { headers } = response;
      // A declared length over the cap fails without reading; with compression only the decoded count matters.
      const encoded = Boolean(headers.get('content-encoding'));
      const length = headers.get('content-length');
      const declared = encoded || length === null ? Number.NaN : Number(length);
      if (declared > options.maxBodyBytes) {
        await response.body?.cancel().catch(() => undefined);
        return failure(
          'too-large',
          `body of ${declared} bytes from ${hostOf(request.url)} is over the ${options.maxBodyBytes}-byte cap`,
          monotonicMs() - started,
          status,
        );
      }
      // A declared, unencoded length within the cap bounds the read already: take it in one piece.
      const body = Number.isFinite(declared)
        ? new Uint8Array(await response.arrayBuffer())
        : await readCapped(response, options.maxBodyBytes);
      if (body === 'too-large')
        return failure(
          'too-large',
          `body from ${hostOf(request.url)} is over the ${options.maxBodyBytes}-byte cap`,
          monotonicMs() - started,
          status,
        );
      return new Answer(status, headers, body, monotonicMs() - started);
    } catch (error) {
      // Which deadline ended the step decides the class: ours is the platform's fault, the caller's is not.
      const durationMs = monotonicMs() - started;
      const host = hostOf(request.url);
      if (caller?.aborted)
        return failure('aborted', `stopped: the prober's deadline came while waiting for ${host}`, durationMs);
      if (timedOut)
        return failure('timeout', `no complete answer from ${host} within ${options.timeoutMs} ms`, durationMs);
      const { failureClass, detail } = classifyFetchError(error);
      return failure(failureClass, `${host}: ${detail}`, durationMs, failureClass === 'connect' ? status : undefined);
    } finally {
      clearTimeout(timer);
      if (onCallerAbort) caller?.removeEventListener('abort', onCallerAbort);
    }
  };
  return { send };
};

/** Reads the (decoded) body up to `maxBytes`; beyond that it cancels the stream and says so. */
const readCapped = async (response: Response, maxBytes: number): Promise<Uint8Array | 'too-large'> => {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
};
