import { createHash, createHmac, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config.ts';
import {
  sandboxAddressesFromConfig,
  SandboxConfigError,
  startSandbox,
  type Sandbox,
} from '../../../local/sandbox/index.ts';
import type { Site } from '../../../lambdas/core/model/vocabulary.ts';
import configInput from '../../../hcguard.config.ts';

const KEY = 'sandbox-api-test-key';

/** A clock the test moves by hand, for fault expiry. */
const manualClock = (start = Date.parse('2026-11-26T08:00:00Z')) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
};

let sandbox: Sandbox;
const clock = manualClock();

beforeAll(async () => {
  sandbox = await startSandbox({
    sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
    transmissionKey: KEY,
    replicationLagMs: 100,
    hugeBodyBytes: 256 * 1024,
    clock,
  });
});
afterAll(() => sandbox.stop());

const call = async (site: Site, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.sites[site].url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};

/** Polls until `check` passes (replication is asynchronous), bounded. */
const eventually = async (check: () => Promise<void>, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

const declaration = (overrides: Record<string, unknown> = {}) => ({
  subjectId: 'SYN-TEST00000001',
  name: 'Synthetic Probe 0001',
  temperature: 36.6,
  symptoms: [],
  travel: ['Hangzhou'],
  declaredAt: '2026-11-26T08:00:00.000Z',
  testData: true,
  ...overrides,
});

describe('the sandbox collection API', () => {
  it('stores a declaration and reads back exactly what was submitted', async () => {
    const submitted = await call('primary', 'POST', '/collection/declarations', declaration());
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ id: expect.any(String), status: 'stored' });
    const read = await call('primary', 'GET', `/collection/declarations/${submitted.json?.id as string}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ ...declaration(), id: submitted.json?.id, origin: 'primary' });
  });

  it('refuses an invalid declaration and says which fields are wrong', async () => {
    const response = await call(
      'primary',
      'POST',
      '/collection/declarations',
      declaration({ temperature: 'hot', declaredAt: 'yesterday' }),
    );
    expect(response.status).toBe(400);
    expect(response.json?.problems).toEqual([
      expect.stringMatching(/^temperature:/),
      expect.stringMatching(/^declaredAt:/),
    ]);
  });

  it('answers 400 to a body that is not JSON and 404 to an unknown id', async () => {
    const broken = await fetch(`${sandbox.sites.primary.url}/collection/declarations`, {
      method: 'POST',
      body: '{"subjectId":',
      signal: AbortSignal.timeout(5_000),
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: 'invalid-json', detail: 'the body is not valid JSON' });
    expect((await call('primary', 'GET', '/collection/declarations/no-such-id')).status).toBe(404);
  });

  it('treats a retry with the same requestId as the same submission', async () => {
    const first = await call('primary', 'POST', '/collection/declarations', declaration({ requestId: 'retry-1' }));
    const retry = await call('primary', 'POST', '/collection/declarations', declaration({ requestId: 'retry-1' }));
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ id: first.json?.id, replayed: true });
  });

  it('replicates a declaration to the other site after the lag', async () => {
    const submitted = await call(
      'backup',
      'POST',
      '/collection/declarations',
      declaration({ requestId: 'replicated-1' }),
    );
    const id = submitted.json?.id as string;
    await eventually(async () =>
      expect((await call('primary', 'GET', `/collection/declarations/${id}`)).json).toMatchObject({
        id,
        origin: 'backup',
      }),
    );
  });
});

describe('the sandbox transmission API', () => {
  const signed = (stream: string, sequence: number, payload: string, key = KEY) => ({
    sequence,
    payload,
    hmac: createHmac('sha256', key).update(`${stream}:${sequence}:${payload}`).digest('hex'),
  });

  it('returns a receipt with the SHA-256 of the payload it received', async () => {
    const response = await call(
      'primary',
      'POST',
      '/transmission/streams/api-test/records',
      signed('api-test', 1, '{"a":1}'),
    );
    expect(response.status).toBe(201);
    expect(response.json?.receipt).toMatchObject({
      stream: 'api-test',
      sequence: 1,
      sha256: createHash('sha256').update('{"a":1}').digest('hex'),
      duplicate: false,
    });
  });

  it('refuses a record whose HMAC was made with another key', async () => {
    const response = await call(
      'primary',
      'POST',
      '/transmission/streams/api-test/records',
      signed('api-test', 2, 'x', 'wrong-key'),
    );
    expect(response.status).toBe(401);
    expect(response.json?.error).toBe('bad-hmac');
  });

  it('keeps the first copy of a sequence number and says a re-send is a duplicate', async () => {
    await call('primary', 'POST', '/transmission/streams/dup-test/records', signed('dup-test', 1, 'first'));
    const again = await call(
      'primary',
      'POST',
      '/transmission/streams/dup-test/records',
      signed('dup-test', 1, 'second'),
    );
    expect(again.status).toBe(200);
    expect(again.json?.receipt).toMatchObject({ duplicate: true });
    expect((await call('primary', 'GET', '/transmission/streams/dup-test/records/1')).json).toMatchObject({
      payload: 'first',
    });
  });

  it('reports the last contiguous sequence and the gaps in a window', async () => {
    for (const sequence of [1, 2, 4, 7])
      await call(
        'primary',
        'POST',
        '/transmission/streams/gap-test/records',
        signed('gap-test', sequence, `p${sequence}`),
      );
    const state = await call('primary', 'GET', '/transmission/streams/gap-test?from=2&to=8');
    expect(state.json).toEqual({
      stream: 'gap-test',
      lastContiguousSequence: 2,
      highestSequence: 7,
      records: 4,
      missing: [3, 5, 6, 8],
      missingTruncated: false,
    });
    expect((await call('primary', 'GET', '/transmission/streams/gap-test?from=0&to=1')).json?.missing).toEqual([]);
  });
});

describe('the sandbox verification API', () => {
  const issue = async (site: Site, subjectId = 'SYN-VERIFY000001') =>
    (await call(site, 'POST', '/verification/codes', { subjectId, testData: true })).json as {
      code: string;
      codeId: string;
      verdict: string;
    };

  it('issues an Ed25519-signed code that the published key verifies offline', async () => {
    const { code, verdict } = await issue('primary');
    expect(verdict).toBe('green');
    const [prefix, claims, signature] = code.split('.');
    const { keys } = (await call('primary', 'GET', '/verification/keys')).json as { keys: { publicKeyPem: string }[] };
    const publicKey = createPublicKey(keys[0]?.publicKeyPem ?? '');
    expect(verify(null, Buffer.from(`${prefix}.${claims}`), publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(
      true,
    );
  });

  it("derives the colour from the subject's latest declaration", async () => {
    await call(
      'primary',
      'POST',
      '/collection/declarations',
      declaration({ subjectId: 'SYN-FEVER0000001', temperature: 38.4, symptoms: ['cough'] }),
    );
    expect((await issue('primary', 'SYN-FEVER0000001')).verdict).toBe('red');
  });

  it('accepts a valid code with its verdict and refuses forged, revoked and unknown ones', async () => {
    const { code, codeId } = await issue('primary');
    expect((await call('primary', 'POST', '/verification/verify', { code })).json).toMatchObject({
      valid: true,
      verdict: 'green',
      codeId,
    });
    const forged = code.replace(/\.([A-Za-z0-9_-])/, (_, char: string) => `.${char === 'e' ? 'f' : 'e'}`);
    expect((await call('primary', 'POST', '/verification/verify', { code: forged })).json).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
    expect((await call('primary', 'POST', '/verification/verify', { code: 'not-a-code' })).json).toEqual({
      valid: false,
      reason: 'malformed-code',
    });
    expect((await call('primary', 'POST', '/verification/revocations', { codeId })).json).toEqual({
      revoked: true,
      codeId,
    });
    expect((await call('primary', 'POST', '/verification/verify', { code })).json).toEqual({
      valid: false,
      reason: 'revoked',
    });
  });

  it('verifies a code issued on the other site once it has replicated', async () => {
    const { code } = await issue('primary');
    await eventually(async () =>
      expect((await call('backup', 'POST', '/verification/verify', { code })).json).toMatchObject({ valid: true }),
    );
  });
});

describe('the sandbox fault API', () => {
  it('injects, lists and clears faults over HTTP', async () => {
    const injected = await call('primary', 'POST', '/_sandbox/faults', {
      site: 'backup',
      stage: 'collection',
      mode: 'error',
    });
    expect(injected.status).toBe(201);
    expect(injected.json?.fault).toMatchObject({
      site: 'backup',
      stage: 'collection',
      mode: 'error',
      since: clock.now().toISOString(),
    });
    expect((await call('backup', 'POST', '/collection/declarations', declaration())).status).toBe(503);
    expect((await call('backup', 'GET', '/_sandbox/faults')).json?.faults).toHaveLength(1);
    expect((await call('backup', 'DELETE', '/_sandbox/faults?site=backup')).json).toEqual({ cleared: 1 });
    expect((await call('backup', 'POST', '/collection/declarations', declaration())).status).toBe(201);
  });

  it.each([
    [{ site: 'tertiary', stage: 'collection', mode: 'error' }, /site: must be one of: primary, backup/],
    [{ site: 'primary', stage: 'collection', mode: 'explode' }, /mode: must be one of: error, latency/],
    [{ site: 'primary', stage: 'collection', mode: 'accept-all' }, /mode: accept-all applies to verification only/],
    [{ site: 'primary', stage: 'collection', mode: 'error', latencyMs: 10 }, /latencyMs: is for the latency mode only/],
  ])('refuses the invalid fault %j', async (fault, problem) => {
    const response = await call('primary', 'POST', '/_sandbox/faults', fault);
    expect(response.status).toBe(400);
    expect((response.json?.problems as string[]).join('\n')).toMatch(problem);
  });

  it('ends a fault with a duration by itself', async () => {
    await call('primary', 'POST', '/_sandbox/faults', {
      site: 'primary',
      stage: 'verification',
      mode: 'error',
      forMs: 30_000,
    });
    expect((await call('primary', 'POST', '/verification/codes', { subjectId: 'SYN-A' })).status).toBe(503);
    clock.advance(30_001);
    expect((await call('primary', 'POST', '/verification/codes', { subjectId: 'SYN-A' })).status).toBe(201);
    expect(sandbox.faults.listNow()).toEqual([]);
  });

  it('never faults its own admin API', async () => {
    sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'reset' });
    expect((await call('primary', 'GET', '/_sandbox/health')).json).toMatchObject({
      status: 'ok',
      site: 'primary',
      faults: 1,
    });
    sandbox.faults.clearNow();
  });
});

describe('the sandbox data check (records written, lost, duplicated)', () => {
  const check = async (site: Site, ids: string[]) =>
    (await call('primary', 'POST', '/_sandbox/records/check', { site, ids })).json?.counts;

  it('counts a replicated declaration once on each site, and a dropped one nowhere', async () => {
    await call('backup', 'POST', '/collection/declarations', declaration({ requestId: 'kept-1' }));
    sandbox.faults.injectNow({ site: 'backup', stage: 'collection', mode: 'drop-writes' });
    const dropped = await call('backup', 'POST', '/collection/declarations', declaration({ requestId: 'dropped-1' }));
    sandbox.faults.clearNow();
    expect(dropped.status).toBe(201);
    await eventually(async () =>
      expect(await check('primary', ['kept-1', 'dropped-1'])).toEqual({ 'kept-1': 1, 'dropped-1': 0 }),
    );
    expect(await check('backup', ['kept-1', 'dropped-1'])).toEqual({ 'kept-1': 1, 'dropped-1': 0 });
  });

  it('counts a retry that landed on both sites before replication as a duplicate', async () => {
    await call('backup', 'POST', '/collection/declarations', declaration({ requestId: 'both-sites-1' }));
    await call('primary', 'POST', '/collection/declarations', declaration({ requestId: 'both-sites-1' }));
    await eventually(async () => expect(await check('primary', ['both-sites-1'])).toEqual({ 'both-sites-1': 2 }));
  });

  it('serves reads of a stale replica as of the fault, and everything again once it is cleared', async () => {
    sandbox.faults.injectNow({ site: 'primary', stage: 'collection', mode: 'stale-replica' });
    clock.advance(1);
    const submitted = await call('primary', 'POST', '/collection/declarations', declaration());
    const path = `/collection/declarations/${submitted.json?.id as string}`;
    expect((await call('primary', 'GET', path)).status).toBe(404);
    expect(await check('primary', [submitted.json?.id as string])).toEqual({ [submitted.json?.id as string]: 1 });
    sandbox.faults.clearNow();
    expect((await call('primary', 'GET', path)).status).toBe(200);
  });
});

describe('sandboxAddressesFromConfig', () => {
  const withSites = (primary: Record<string, string>, backup: Record<string, string>) =>
    parseConfig({ ...configInput, sites: { primary: { stages: primary }, backup: { stages: backup } } });
  const stages = (origin: string, prefix = '') => ({
    collection: `${origin}${prefix}/collection`,
    transmission: `${origin}${prefix}/transmission`,
    verification: `${origin}${prefix}/verification`,
  });

  it('listens where the default config says: 127.0.0.1 and 127.0.0.2 on port 18080', () => {
    expect(sandboxAddressesFromConfig(parseConfig(configInput))).toEqual({
      primary: {
        host: '127.0.0.1',
        port: 18080,
        stagePaths: { collection: '/collection', transmission: '/transmission', verification: '/verification' },
      },
      backup: {
        host: '127.0.0.2',
        port: 18080,
        stagePaths: { collection: '/collection', transmission: '/transmission', verification: '/verification' },
      },
    });
  });

  it("keeps each stage's own base path", () => {
    expect(
      sandboxAddressesFromConfig(withSites(stages('http://127.0.0.1:9000', '/api/v2'), stages('http://127.0.0.2:9000')))
        .primary.stagePaths,
    ).toEqual({
      collection: '/api/v2/collection',
      transmission: '/api/v2/transmission',
      verification: '/api/v2/verification',
    });
  });

  it.each([
    [
      'stages on two origins',
      { ...stages('http://127.0.0.1:9000'), verification: 'http://127.0.0.1:9001/verification' },
      stages('http://127.0.0.2:9000'),
      /sites.primary: the sandbox serves a site from one origin/,
    ],
    [
      'https',
      stages('https://127.0.0.1:9000'),
      stages('http://127.0.0.2:9000'),
      /sites.primary: the sandbox serves plain http:\/\//,
    ],
    [
      // Paths apart, as the config insists the sites differ; the sandbox still needs two addresses.
      'one address for both sites',
      stages('http://127.0.0.1:9000'),
      stages('http://127.0.0.1:9000', '/b'),
      /primary and backup both use 127.0.0.1:9000/,
    ],
  ])('refuses %s with a clear error', (_, primary, backup, message) => {
    expect(() => sandboxAddressesFromConfig(withSites(primary, backup))).toThrow(SandboxConfigError);
    expect(() => sandboxAddressesFromConfig(withSites(primary, backup))).toThrow(message);
  });

  it('says which address is taken when a port is in use', async () => {
    await expect(
      startSandbox({
        sites: {
          primary: { host: '127.0.0.1', port: sandbox.sites.primary.port },
          backup: { host: '127.0.0.2', port: 0 },
        },
      }),
    ).rejects.toThrow(`primary: 127.0.0.1:${sandbox.sites.primary.port} is already in use`);
  });
});

describe('stopping the sandbox', () => {
  it('closes promptly even with a request hanging on a fault', async () => {
    const own = await startSandbox({
      sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
    });
    own.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'hang' });
    const hanging = fetch(`${own.sites.primary.stages.verification}/codes`, { method: 'POST', body: '{}' }).then(
      () => 'answered',
      () => 'connection closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await own.stop();
    expect(await hanging).toBe('connection closed');
  });
});

describe('retention', () => {
  it('drops data older than the retention period, without reporting expired records as lost', async () => {
    const submitted = await call('primary', 'POST', '/collection/declarations', declaration());
    const hmac = createHmac('sha256', KEY).update('retention-test:1:old').digest('hex');
    await call('primary', 'POST', '/transmission/streams/retention-test/records', {
      sequence: 1,
      payload: 'old',
      hmac,
    });
    clock.advance(6 * 3_600_000 + 1);
    sandbox.platform.expire();
    expect((await call('primary', 'GET', `/collection/declarations/${submitted.json?.id as string}`)).status).toBe(404);
    const next = createHmac('sha256', KEY).update('retention-test:2:new').digest('hex');
    await call('primary', 'POST', '/transmission/streams/retention-test/records', {
      sequence: 2,
      payload: 'new',
      hmac: next,
    });
    expect((await call('primary', 'GET', '/transmission/streams/retention-test?from=1&to=2')).json).toMatchObject({
      lastContiguousSequence: 2,
      records: 1,
      missing: [],
    });
  });
});
