// The sandbox health-code platform: both sites as real HTTP servers on loopback, with the
// collection, transmission and verification APIs, replication between the sites, and a fault
// API to break them on purpose. `hcguard sandbox` runs it; tests and the local runtime start it
// in-process. It has no authentication on its admin API: it listens on loopback only.
//
// Per site, under each stage's base path (defaults /collection, /transmission, /verification):
//   POST /collection/declarations                       submit → 201 { id, receivedAt, status }
//   GET  /collection/declarations/{id}                  read back → the stored declaration
//   POST /transmission/streams/{stream}/records         { sequence, payload, hmac }
//                                                       → 201 { receipt: { sha256, … } }
//   GET  /transmission/streams/{stream}?from=&to=       { lastContiguousSequence, highestSequence, missing }
//   GET  /transmission/streams/{stream}/records/{seq}   the stored record
//   POST /verification/codes                            { subjectId } → 201 { code, codeId, verdict, expiresAt }
//   POST /verification/verify                           { code } → { valid, verdict } | { valid: false, reason }
//   POST /verification/revocations                      { code } | { codeId } → { revoked: true }
//   GET  /verification/keys                             the Ed25519 public key
// Admin (both sites serve the same registry):
//   GET /_sandbox/health · GET|POST|DELETE /_sandbox/faults · POST /_sandbox/records/check
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SITES, STAGES, type Site, type Stage } from '../../lambdas/core/model/vocabulary.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import { systemClock } from '../../lambdas/adapters/clock.ts';
import type { Clock } from '../../lambdas/ports.ts';
import { createCodeSigner } from './codes.ts';
import { createFaultRegistry, type SandboxFaults } from './faults.ts';
import { SandboxPlatform } from './platform.ts';
import { createSiteServer } from './server.ts';

export const DEFAULT_REPLICATION_LAG_MS = 500;
export const DEFAULT_RETENTION_MS = 6 * 3_600_000;
/** The sandbox's development HMAC key, used when HCGUARD_TRANSMISSION_KEY is not set. Not a secret. */
export const SANDBOX_DEV_TRANSMISSION_KEY = 'hcguard-sandbox-development-key';
export const DEFAULT_STAGE_PATHS: Readonly<Record<Stage, string>> = {
  collection: '/collection',
  transmission: '/transmission',
  verification: '/verification',
};
export const DEFAULT_SITE_ADDRESSES: Readonly<Record<Site, SiteAddress>> = {
  primary: { host: '127.0.0.1', port: 18080, stagePaths: DEFAULT_STAGE_PATHS },
  backup: { host: '127.0.0.2', port: 18080, stagePaths: DEFAULT_STAGE_PATHS },
};

export interface SiteAddress {
  readonly host: string;
  /** 0 lets the OS choose (tests). */
  readonly port: number;
  readonly stagePaths: Readonly<Record<Stage, string>>;
}

export interface SandboxOptions {
  /** Where each site listens; the defaults above when absent. */
  readonly sites?: Partial<Record<Site, Partial<SiteAddress>>>;
  /** Delay before a write on one site appears on the other. Default 500 ms. */
  readonly replicationLagMs?: number;
  /** HMAC key for transmission records; default $HCGUARD_TRANSMISSION_KEY, else the development key. */
  readonly transmissionKey?: string;
  /** Lifetime of issued codes. Default 24 h. */
  readonly codeTtlSeconds?: number;
  /** Body size of the `huge-body` fault. Default 16 MiB. */
  readonly hugeBodyBytes?: number;
  /** Stored data older than this is dropped (checked every minute). Default 6 h, longer than any drill. */
  readonly retentionMs?: number;
  readonly clock?: Clock;
}

export interface SandboxSite {
  /** The site's origin, e.g. `http://127.0.0.1:18080`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Base URL of each stage's API, as a config's `sites.<site>.stages` wants them. */
  readonly stages: Readonly<Record<Stage, string>>;
}

export interface Sandbox {
  readonly sites: Readonly<Record<Site, SandboxSite>>;
  /** In-process fault API (also a FaultInjector). */
  readonly faults: SandboxFaults;
  /** In-process data access, e.g. `platform.countRecords(site, ids)`. */
  readonly platform: SandboxPlatform;
  readonly transmissionKey: string;
  readonly replicationLagMs: number;
  /** Closes both servers and every open connection; safe to call twice. */
  stop(): Promise<void>;
}

export class SandboxConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxConfigError';
  }
}

/**
 * Listen addresses from the config's site URLs. The sandbox serves a site from one server, so
 * all three stages of a site must share one http:// origin; each stage keeps its own base path.
 */
export const sandboxAddressesFromConfig = (config: Pick<HcguardConfig, 'sites'>): Record<Site, SiteAddress> => {
  const addresses = Object.fromEntries(
    SITES.map((site) => {
      const urls = STAGES.map((stage) => ({ stage, url: new URL(config.sites[site].stages[stage]) }));
      const origins = [...new Set(urls.map(({ url }) => url.origin))];
      if (origins.length !== 1) {
        throw new SandboxConfigError(
          `sites.${site}: the sandbox serves a site from one origin, but its stages use ` +
            `${origins.join(', ')}; give all three stages the same scheme, host and port`,
        );
      }
      const [first] = urls;
      if (!first || first.url.protocol !== 'http:')
        throw new SandboxConfigError(
          `sites.${site}: the sandbox serves plain http://, not ${first?.url.protocol ?? 'nothing'}`,
        );
      const stagePaths = Object.fromEntries(
        urls.map(({ stage, url }) => [stage, url.pathname.replace(/\/+$/, '') || '/']),
      ) as Record<Stage, string>;
      if (new Set(Object.values(stagePaths)).size !== STAGES.length || Object.values(stagePaths).includes('/')) {
        throw new SandboxConfigError(
          `sites.${site}: each stage needs its own base path (e.g. /collection), got ` +
            `${Object.values(stagePaths).join(', ')}`,
        );
      }
      const host = first.url.hostname.replace(/^\[|\]$/g, '');
      return [site, { host, port: first.url.port ? Number(first.url.port) : 80, stagePaths }];
    }),
  ) as Record<Site, SiteAddress>;
  if (
    addresses.primary.host === addresses.backup.host &&
    addresses.primary.port === addresses.backup.port &&
    addresses.primary.port !== 0
  ) {
    throw new SandboxConfigError(
      `primary and backup both use ` +
        `${addresses.primary.host}:${addresses.primary.port}; the sandbox needs a ` +
        `separate address for each site`,
    );
  }
  return addresses;
};

const listen = async (server: Server, site: Site, address: SiteAddress): Promise<AddressInfo> => {
  server.listen(address.port, address.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${address.host}:${address.port}`;
    if (code === 'EADDRINUSE')
      throw new SandboxConfigError(
        `${site}: ${where} is already in use (is another sandbox or \`npm start\` running?)`,
      );
    if (code === 'EADDRNOTAVAIL')
      throw new SandboxConfigError(
        `${site}: cannot listen on ${address.host}: no such address on this machine (on ` +
          `macOS: sudo ifconfig lo0 alias ${address.host})`,
      );
    if (code === 'EACCES')
      throw new SandboxConfigError(`${site}: not allowed to listen on ${where} (ports below 1024 need privileges)`);
    throw error;
  }
  return server.address() as AddressInfo;
};

const closeServer = async (server: Server): Promise<void> => {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  // Keep-alive, hanging and slow connections would hold close() open: end them now.
  server.closeAllConnections();
  await closed;
};

export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const clock = options.clock ?? systemClock;
  const faults = createFaultRegistry(clock);
  const transmissionKey =
    options.transmissionKey ?? (process.env[TRANSMISSION_KEY_ENV] || SANDBOX_DEV_TRANSMISSION_KEY);
  const replicationLagMs = options.replicationLagMs ?? DEFAULT_REPLICATION_LAG_MS;
  const platform = new SandboxPlatform({
    clock,
    faults,
    signer: createCodeSigner(),
    transmissionKey,
    replicationLagMs,
    codeTtlSeconds: options.codeTtlSeconds ?? 24 * 3600,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
  });
  const expiry = setInterval(() => platform.expire(), 60_000);
  expiry.unref();
  const stopping = new AbortController();
  const addresses = Object.fromEntries(
    SITES.map((site) => [site, { ...DEFAULT_SITE_ADDRESSES[site], ...options.sites?.[site] }]),
  ) as Record<Site, SiteAddress>;
  const sites = {} as Record<Site, SandboxSite>;
  const servers: Server[] = [];
  const stop = async (): Promise<void> => {
    clearInterval(expiry);
    stopping.abort();
    platform.stop();
    await Promise.all(servers.map(closeServer));
  };
  try {
    for (const site of SITES) {
      const address = addresses[site];
      const server = createSiteServer({
        site,
        stagePaths: address.stagePaths,
        platform,
        faults,
        hugeBodyBytes: options.hugeBodyBytes ?? 16 * 1024 * 1024,
        stopping: stopping.signal,
        origins: () => Object.fromEntries(SITES.map((each) => [each, sites[each]?.url ?? ''])) as Record<Site, string>,
      });
      servers.push(server);
      const bound = await listen(server, site, address);
      const host = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
      const url = `http://${host}:${bound.port}`;
      sites[site] = {
        url,
        host: bound.address,
        port: bound.port,
        stages: Object.fromEntries(STAGES.map((stage) => [stage, `${url}${address.stagePaths[stage]}`])) as Record<
          Stage,
          string
        >,
      };
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { sites, faults, platform, transmissionKey, replicationLagMs, stop };
};

export type { SandboxFaults } from './faults.ts';
export { FaultSpecError } from './faults.ts';
