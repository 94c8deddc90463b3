// What a citizen sends: a verification to the address its DNS answer gave, against the sandbox,
// judged as the person at the checkpoint would judge it.
import type { DnsAnswer } from './dns.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import type { Site } from '../../lambdas/core/model/vocabulary.ts';

/** Where one verification goes: the site the answer maps to and the URL built from the answer. */
export interface CitizenTarget {
  readonly site?: Site;
  /** The site's verification base URL with its host replaced by the resolved address. */
  readonly baseUrl: string;
}

export type ScanOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** How a citizen's device talks to the verification API. */
export interface CitizenClient {
  scan(target: CitizenTarget, signal: AbortSignal): Promise<ScanOutcome>;
}

/**
 * The URL a client that resolved `answer` would call. For A and AAAA records the resolved
 * address replaces the host of the site's verification URL (as a browser would connect to it);
 * for CNAME and alias records the site's URL is used as it is.
 */
export const targetFor = (
  config: Pick<HcguardConfig, 'sites'>,
  record: Pick<ManagedRecord, 'type'>,
  answer: Pick<DnsAnswer, 'values' | 'site'>,
): CitizenTarget | undefined => {
  if (!answer.site) return undefined;
  const base = new URL(config.sites[answer.site].stages.verification);
  const address = answer.values[0];
  if (address && (record.type === 'A' || record.type === 'AAAA'))
    base.hostname = record.type === 'AAAA' ? `[${address}]` : address;
  return { site: answer.site, baseUrl: base.toString().replace(/\/$/, '') };
};

/**
 * A citizen's device on the sandbox's verification API (the one the built-in verification probe
 * uses): a code is issued once per site to a synthetic subject, then every scan is
 * `POST /verify { code }`, which must answer 200 with `valid: true`.
 */
export const sandboxCitizenClient = (subjectId = 'synthetic-citizen-0001'): CitizenClient => {
  const codes = new Map<string, string>();
  const post = async (url: string, body: unknown, signal: AbortSignal) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json: json as Record<string, unknown> | undefined };
  };
  return {
    async scan(target, signal) {
      let code = codes.get(target.baseUrl);
      if (!code) {
        const issued = await post(`${target.baseUrl}/codes`, { subjectId, testData: true }, signal);
        if (issued.status >= 300 || typeof issued.json?.code !== 'string')
          return { ok: false, reason: `no code issued (HTTP ${issued.status})` };
        code = issued.json.code;
        codes.set(target.baseUrl, code);
      }
      const verified = await post(`${target.baseUrl}/verify`, { code }, signal);
      if (verified.status !== 200) return { ok: false, reason: `HTTP ${verified.status}` };
      if (verified.json === undefined) return { ok: false, reason: 'unreadable answer' };
      if (verified.json.valid !== true) {
        // A refused code may be an expired one: ask for a new code next time.
        codes.delete(target.baseUrl);
        return { ok: false, reason: 'code refused' };
      }
      return { ok: true };
    },
  };
};

export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return error.message.slice(0, 120);
};
