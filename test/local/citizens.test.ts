import { describe, expect, it } from 'vitest';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { parseConfig } from '../../lambdas/core/config.ts';
import { CitizenSimulator, citizensRecord } from '../../local/citizens.ts';
import { siteOfAnswer, TtlDnsCache } from '../../local/citizens/dns.ts';
import { targetFor, type CitizenClient, type ScanOutcome } from '../../local/citizens/client.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import { provisionLocalResources } from '../../local/provision.ts';
import { startSandbox } from '../../local/sandbox/index.ts';
import { upsertInput } from '../../lambdas/adapters/aws/route53-router.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import { motoClients, uniqueName } from '../support/aws.ts';
import { testConfigInput } from '../fakes/config.ts';

const aRecord: ManagedRecord = {
  name: 'verify.hc.internal',
  type: 'A',
  ttl: 5,
  hostedZoneId: 'Z1',
  stage: 'verification',
  values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2', '127.0.0.3'] } },
};
const cnameRecord: ManagedRecord = {
  ...aRecord,
  type: 'CNAME',
  values: { primary: { values: ['p.example.net'] }, backup: { values: ['b.example.net.'] } },
};

const fakeClock = (start = Date.parse('2026-11-02T08:00:00Z')) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
};

describe('siteOfAnswer', () => {
  it.each<[string, ManagedRecord, string[], boolean, string | undefined]>([
    ['the primary address', aRecord, ['127.0.0.1'], false, 'primary'],
    ['every backup address, in any order', aRecord, ['127.0.0.3', '127.0.0.2'], false, 'backup'],
    ['only part of the backup set', aRecord, ['127.0.0.2'], false, undefined],
    ['an address of neither site', aRecord, ['10.9.9.9'], false, undefined],
    ['a CNAME with a trailing dot and capitals', cnameRecord, ['P.Example.NET.'], false, 'primary'],
    ['a CNAME written with a dot in config', cnameRecord, ['b.example.net'], false, 'backup'],
    ['an alias answer for a record of plain values', aRecord, ['127.0.0.1'], true, undefined],
  ])('maps %s', (_, record, values, alias, site) => {
    expect(siteOfAnswer(record, values, alias)).toBe(site);
  });
});

describe('targetFor', () => {
  const config = parseConfig(testConfigInput());
  it("connects to the resolved address on the port and path of the site's verification URL", () => {
    expect(targetFor(config, aRecord, { values: ['127.0.0.2', '127.0.0.3'], site: 'backup' })).toEqual({
      site: 'backup',
      baseUrl: 'http://127.0.0.2:18080/verification',
    });
  });
  it("uses the site's URL as it is for a CNAME, and nothing for an answer of neither site", () => {
    expect(targetFor(config, cnameRecord, { values: ['p.example.net'], site: 'primary' })).toEqual({
      site: 'primary',
      baseUrl: 'http://127.0.0.1:18080/verification',
    });
    expect(targetFor(config, aRecord, { values: ['10.9.9.9'] })).toBeUndefined();
  });
});

describe('citizensRecord', () => {
  const records: ManagedRecord[] = [{ ...aRecord, name: 'collect.hc.internal', stage: 'collection' }, aRecord];
  it('is the record the config names, else the first that follows verification', () => {
    expect(citizensRecord(parseConfig(testConfigInput()), records)?.name).toBe('verify.hc.internal');
    const named = parseConfig(testConfigInput({ local: { citizens: { record: 'verify.hc.example.com.' } } }));
    expect(citizensRecord(named, [{ ...aRecord, name: 'verify.hc.example.com' }])?.name).toBe('verify.hc.example.com');
  });
});

/** A zone on moto with the record at its primary value, for the cache and simulator tests. */
const provisioned = async (ttl: number) => {
  const clients = motoClients();
  const name = uniqueName('cit');
  const zone = `${name}.internal`;
  const config = parseConfig(
    testConfigInput({
      name,
      records: [
        {
          zone: { name: zone },
          name: `verify.${zone}`,
          type: 'A',
          ttl,
          values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
        },
      ],
      local: { citizens: { requestsPerSecond: 20, bucketSeconds: 1, timeoutMs: 1_000 } },
    }),
  );
  const { resources } = await provisionLocalResources({ config, clients });
  const [record] = resolveManagedRecords(config, resources);
  const switchTo = (site: 'primary' | 'backup') =>
    clients.route53.send(new ChangeResourceRecordSetsCommand(upsertInput(record!, site, 'test switch')));
  return { clients, config, record: record!, switchTo };
};

describe('TtlDnsCache on moto', () => {
  it('reads the zone once per TTL and sees a switch only after the cached answer expires', async () => {
    const { clients, record, switchTo } = await provisioned(10);
    const clock = fakeClock();
    const cache = new TtlDnsCache(clients.route53, record, clock);

    const first = await cache.resolve();
    expect(first).toEqual({
      values: ['127.0.0.1'],
      ttlSeconds: 10,
      site: 'primary',
      fetchedAt: '2026-11-02T08:00:00.000Z',
      expiresAt: '2026-11-02T08:00:10.000Z',
    });
    await switchTo('backup');
    clock.advance(9_999);
    expect((await cache.resolve()).site).toBe('primary');
    expect(cache.lookups).toBe(1);
    clock.advance(1);
    expect(await cache.resolve()).toMatchObject({
      values: ['127.0.0.2'],
      site: 'backup',
      fetchedAt: '2026-11-02T08:00:10.000Z',
    });
    expect(cache.lookups).toBe(2);
  });

  it('shares one read among concurrent lookups', async () => {
    const { clients, record } = await provisioned(10);
    const cache = new TtlDnsCache(clients.route53, record, fakeClock());
    const answers = await Promise.all([cache.resolve(), cache.resolve(), cache.resolve()]);
    expect(new Set(answers).size).toBe(1);
    expect(cache.lookups).toBe(1);
  });
});

/** A citizen client whose verdict per site the test sets; it records where requests went. */
const scriptedClient = () => {
  const verdicts: Record<string, ScanOutcome> = { primary: { ok: true }, backup: { ok: true } };
  const calls: string[] = [];
  const client: CitizenClient = {
    scan: async (target) => {
      calls.push(target.baseUrl);
      return verdicts[target.site ?? 'none'] ?? { ok: false, reason: 'no site' };
    },
  };
  return { client, verdicts, calls };
};

describe('CitizenSimulator', () => {
  it(
    'counts successes and failures in time buckets and measures the outage window ' + 'from first failure to recovery',
    async () => {
      const { clients, config, record, switchTo } = await provisioned(2);
      const clock = fakeClock();
      const { client, verdicts, calls } = scriptedClient();
      const citizens = new CitizenSimulator({ config, record, route53: clients.route53, client, clock });
      const tick = async (times: number) => {
        for (let i = 0; i < times; i++) {
          await citizens.once();
          clock.advance(250);
        }
      };

      await tick(4); // 08:00:00.000 – 00.750, primary fine
      verdicts.primary = { ok: false, reason: 'HTTP 503' };
      await tick(4); // 08:00:01.000 – 01.750, primary broken
      await switchTo('backup');
      await tick(4); // 08:00:02.000 – 02.750, cached answer expires at 02.000: on the backup
      const snapshot = citizens.snapshot();

      expect(calls).toEqual([
        ...Array(8).fill('http://127.0.0.1:18080/verification'),
        ...Array(4).fill('http://127.0.0.2:18080/verification'),
      ]);
      expect(snapshot.buckets).toEqual([
        { start: '2026-11-02T08:00:00.000Z', ok: 4, failed: 0, primary: 4, backup: 0 },
        { start: '2026-11-02T08:00:01.000Z', ok: 0, failed: 4, primary: 4, backup: 0 },
        { start: '2026-11-02T08:00:02.000Z', ok: 4, failed: 0, primary: 0, backup: 4 },
      ]);
      expect(snapshot.totals).toEqual({ ok: 8, failed: 4 });
      expect(snapshot.outages).toEqual([
        { start: '2026-11-02T08:00:01.000Z', end: '2026-11-02T08:00:02.000Z', durationMs: 1_000, failed: 4 },
      ]);
      expect(snapshot.failureReasons).toEqual([{ reason: 'HTTP 503', count: 4 }]);
      expect(snapshot.answer).toMatchObject({ site: 'backup', values: ['127.0.0.2'] });
      expect(snapshot.recent).toEqual({ seconds: 30, ok: 8, failed: 4, successRate: 8 / 12 });
      expect(citizens.impact(new Date('2026-11-02T08:00:01.500Z'), new Date('2026-11-02T08:00:02.000Z'))).toEqual([
        { at: '2026-11-02T08:00:01.000Z', ok: 0, failed: 4 },
        { at: '2026-11-02T08:00:02.000Z', ok: 4, failed: 0 },
      ]);
    },
  );

  it(
    'keeps an outage open until enough successes in a row, and counts a record that ' + 'is neither site as a failure',
    async () => {
      const { clients, config, record } = await provisioned(60);
      const clock = fakeClock();
      const { client, verdicts } = scriptedClient();
      const citizens = new CitizenSimulator({
        config,
        record,
        route53: clients.route53,
        client,
        clock,
        recoverAfterSuccesses: 3,
      });
      verdicts.primary = { ok: false, reason: 'timed out' };
      await citizens.once();
      verdicts.primary = { ok: true };
      await citizens.once();
      await citizens.once();
      expect(citizens.snapshot().outages).toEqual([{ start: '2026-11-02T08:00:00.000Z', failed: 1 }]);
      clock.advance(1_000);
      await citizens.once();
      expect(citizens.snapshot().outages).toEqual([
        { start: '2026-11-02T08:00:00.000Z', end: '2026-11-02T08:00:00.000Z', durationMs: 0, failed: 1 },
      ]);

      const elsewhere = new CitizenSimulator({
        config,
        record: { ...record, values: { primary: { values: ['10.0.0.1'] }, backup: { values: ['10.0.0.2'] } } },
        route53: clients.route53,
        client,
        clock,
      });
      await elsewhere.once();
      expect(elsewhere.snapshot().failureReasons).toEqual([{ reason: 'answer 127.0.0.1 is neither site', count: 1 }]);
    },
  );

  it('sends at the configured rate until stopped and leaves no timer behind', async () => {
    const { clients, config, record } = await provisioned(60);
    const { client, calls } = scriptedClient();
    const citizens = new CitizenSimulator({ config, record, route53: clients.route53, client });
    citizens.start();
    await expect.poll(() => calls.length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(5);
    await citizens.stop();
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.length).toBe(after);
    expect(citizens.snapshot().totals.failed).toBe(0);
  });
});

describe('citizens against the sandbox platform and moto', () => {
  it('follow the record to the backup after its TTL, and the outage window spans fault to recovery', async () => {
    const clients = motoClients();
    const name = uniqueName('cit');
    const zone = `${name}.internal`;
    const sandbox = await startSandbox({
      sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
      replicationLagMs: 10,
    });
    try {
      const site = (which: 'primary' | 'backup') => ({ stages: sandbox.sites[which].stages });
      const config = parseConfig(
        testConfigInput({
          name,
          sites: { primary: site('primary'), backup: site('backup') },
          records: [
            {
              zone: { name: zone },
              name: `verify.${zone}`,
              type: 'A',
              ttl: 1,
              values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
            },
          ],
          local: { citizens: { requestsPerSecond: 20, bucketSeconds: 1, timeoutMs: 1_000 } },
        }),
      );
      const { resources } = await provisionLocalResources({ config, clients });
      const [record] = resolveManagedRecords(config, resources);
      const citizens = new CitizenSimulator({ config, record: record!, route53: clients.route53 });
      citizens.start();
      try {
        const sent = (target: 'primary' | 'backup') =>
          citizens.snapshot().buckets.reduce((sum, bucket) => sum + bucket[target], 0);
        await expect
          .poll(() => citizens.snapshot().totals.ok, { timeout: 15_000, interval: 100 })
          .toBeGreaterThanOrEqual(10);
        expect(citizens.snapshot().totals.failed).toBe(0);

        sandbox.faults.injectNow({ site: 'primary', stage: 'verification', mode: 'error' });
        await expect
          .poll(() => citizens.snapshot().totals.failed, { timeout: 15_000, interval: 100 })
          .toBeGreaterThanOrEqual(5);
        expect(citizens.snapshot().outages).toEqual([expect.objectContaining({ failed: expect.any(Number) })]);
        expect(citizens.snapshot().outages[0]?.end).toBeUndefined();
        const backupBefore = sent('backup');

        await clients.route53.send(
          new ChangeResourceRecordSetsCommand(upsertInput(record!, 'backup', 'test failover')),
        );
        await expect.poll(() => citizens.snapshot().outages[0]?.end, { timeout: 15_000, interval: 100 }).toBeDefined();
        const snapshot = citizens.snapshot();
        expect(snapshot.answer?.site).toBe('backup');
        expect(sent('backup')).toBeGreaterThan(backupBefore);
        expect(snapshot.failureReasons[0]?.reason).toMatch(/^HTTP 5\d\d$/);
        const outage = snapshot.outages[0]!;
        expect(outage.durationMs).toBe(Date.parse(outage.end!) - Date.parse(outage.start));
        expect(outage.durationMs).toBeGreaterThan(0);
      } finally {
        await citizens.stop();
      }
    } finally {
      await sandbox.stop();
    }
  });
});
