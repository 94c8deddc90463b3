// FaultInjectors that act over HTTP: the sandbox's fault API (/_sandbox/faults, served by every
// sandbox site), and a real platform's fault hook (`config.drills.faultHookUrl`), which gets
// POST { action: 'inject' | 'clear' | 'list', site, stage, mode, latencyMs?, forMs? }.
import { FaultListingUnsupportedError } from '../../core/errors.ts';
import { parseFaultSpec } from '../../core/probe/fault-modes.ts';
import type { ActiveFault, FaultSpec } from '../../core/model/faults.ts';
import type { FaultInjector } from '../../ports.ts';
import { requestJson, type JsonReply } from './json-request.ts';

/** The target refused the fault (it is invalid there); the problems say why. */
export class FaultRejectedError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the fault was refused: ${problems.join('; ')}`);
    this.name = 'FaultRejectedError';
  }
}

/** Nothing answered at the fault API's address. */
export class FaultTargetUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultTargetUnreachableError';
  }
}

export interface HttpFaultInjectorOptions {
  readonly fetch?: typeof fetch;
  /** Each request gives up after this long. Default 5 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

const validated = (fault: FaultSpec): FaultSpec => {
  const parsed = parseFaultSpec(fault);
  if ('problems' in parsed) throw new FaultRejectedError(parsed.problems);
  return parsed.spec;
};

const request = async (
  url: string,
  init: RequestInit,
  options: HttpFaultInjectorOptions,
  describeTarget: string,
  signal?: AbortSignal,
): Promise<JsonReply> => {
  try {
    return await requestJson(options.fetch ?? fetch, url, init, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new FaultTargetUnreachableError(
      `cannot reach ${describeTarget} at ${new URL(url).origin} (${cause ?? (error as Error).message})`,
    );
  }
};

const problemsIn = (body: unknown, status: number): string[] => {
  const problems = (body as { problems?: unknown } | undefined)?.problems;
  if (Array.isArray(problems) && problems.every((problem) => typeof problem === 'string')) return problems;
  const error = (body as { error?: unknown } | undefined)?.error;
  return [typeof error === 'string' ? `HTTP ${status}: ${error}` : `HTTP ${status}`];
};

/** The sandbox's fault API; `baseUrl` is any sandbox site's origin (they share one registry). */
export const createSandboxFaultInjector = (baseUrl: string, options: HttpFaultInjectorOptions = {}): FaultInjector => {
  const endpoint = `${baseUrl.replace(/\/+$/, '')}/_sandbox/faults`;
  const target = 'the sandbox (is `hcguard sandbox` or `npm start` running?)';
  const expectOk = (response: { status: number; body: unknown }) => {
    if (response.status === 400) throw new FaultRejectedError(problemsIn(response.body, response.status));
    if (response.status === 404)
      throw new Error(
        `no sandbox fault API at ${endpoint}: is this the sandbox? (a real platform ` +
          `needs drills.faultHookUrl in the config)`,
      );
    if (response.status < 200 || response.status > 299)
      throw new Error(`the sandbox answered ${problemsIn(response.body, response.status).join('; ')}`);
    return response.body;
  };
  return {
    inject: async (fault, signal) => {
      expectOk(
        await request(
          endpoint,
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(validated(fault)) },
          options,
          target,
          signal,
        ),
      );
    },
    clear: async (where = {}, signal) => {
      const query = new URLSearchParams();
      if (where.site) query.set('site', where.site);
      if (where.stage) query.set('stage', where.stage);
      expectOk(
        await request(`${endpoint}${query.size ? `?${query}` : ''}`, { method: 'DELETE' }, options, target, signal),
      );
    },
    list: async (signal) => {
      const body = expectOk(await request(endpoint, { method: 'GET' }, options, target, signal)) as
        { faults?: ActiveFault[] } | undefined;
      if (!Array.isArray(body?.faults)) throw new Error('the sandbox answered without a fault list');
      return body.faults;
    },
  };
};

/**
 * A real platform's fault hook. The hook must answer 2xx to inject and clear; answering `list`
 * with `{ faults: [...] }` is optional (a 4xx there means the hook cannot list).
 */
export const createHookFaultInjector = (hookUrl: string, options: HttpFaultInjectorOptions = {}): FaultInjector => {
  const target = 'the fault hook';
  const post = async (body: Record<string, unknown>, signal?: AbortSignal) => {
    const response = await request(
      hookUrl,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      options,
      target,
      signal,
    );
    if (response.status === 400 || response.status === 422)
      throw new FaultRejectedError(problemsIn(response.body, response.status));
    if (response.status < 200 || response.status > 299)
      throw new Error(
        `the fault hook answered ${problemsIn(response.body, response.status).join('; ')} to ${String(body.action)}`,
      );
    return response.body;
  };
  return {
    inject: async (fault, signal) => {
      await post({ action: 'inject', ...validated(fault) }, signal);
    },
    clear: async (where = {}, signal) => {
      await post({ action: 'clear', ...where }, signal);
    },
    list: async (signal) => {
      const body = (await post({ action: 'list' }, signal)) as { faults?: ActiveFault[] } | undefined;
      if (!Array.isArray(body?.faults))
        throw new FaultListingUnsupportedError('the fault hook (it answered without { faults: [...] })');
      return body.faults;
    },
  };
};
