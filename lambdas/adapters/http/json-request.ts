// One JSON call to a platform's API (sandbox admin, fault hook, collection read-back).

export interface JsonReply {
  readonly status: number;
  /** The parsed body; undefined when it was empty or not JSON. */
  readonly body: unknown;
}

/** Bounded by its own timeout and by the caller's signal, whichever comes first. */
export const requestJson = async (
  fetcher: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<JsonReply> => {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetcher(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: undefined };
  }
};
