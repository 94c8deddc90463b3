// What the probe engine asks of the network and what comes back: plain data, so the core can
// render requests and judge responses while the HTTP adapter does the I/O.
import type { FailureClass } from '../model/vocabulary.ts';

export interface HttpRequestSpec {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Failure classes the transport itself decides (the rest come from judging a response). */
export const TRANSPORT_FAILURE_CLASSES = [
  'timeout',
  'connect',
  'tls',
  'redirect',
  'too-large',
  'aborted',
] as const satisfies readonly FailureClass[];
export type TransportFailureClass = (typeof TRANSPORT_FAILURE_CLASSES)[number];

export type HttpExchange =
  | {
      readonly ok: true;
      readonly status: number;
      /** Lower-case header names. */
      readonly headers: Readonly<Record<string, string>>;
      /** The decoded body, never longer than the step's byte cap. */
      readonly body: Uint8Array;
      readonly durationMs: number;
    }
  | {
      readonly ok: false;
      readonly failureClass: TransportFailureClass;
      /** Safe to show: no body content, no header values. */
      readonly message: string;
      readonly durationMs: number;
      /** Known when the failure came after the status line (e.g. a body over the cap). */
      readonly status?: number;
    };

export interface SendOptions {
  /** The step's own deadline: when it passes the step fails as `timeout`. */
  readonly timeoutMs: number;
  /** Bodies longer than this (decoded) fail as `too-large`; reading stops there. */
  readonly maxBodyBytes: number;
  /** The caller's deadline (the Lambda's): when it fires the step ends as `aborted`. */
  readonly signal?: AbortSignal;
}

/** Sends one request; never throws for anything the network or the platform does. */
export interface HttpTransport {
  send(request: HttpRequestSpec, options: SendOptions): Promise<HttpExchange>;
}
