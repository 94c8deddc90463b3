import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route53Router, Route53RouterError } from '../../../lambdas/adapters/aws/route53-router.ts';
import { ChangeNotAppliedError } from '../../../lambdas/core/errors.ts';
import type { ManagedRecord } from '../../../lambdas/core/model/routing.ts';
import { motoClients, uniqueName } from '../../support/aws.ts';
import { routerContract } from '../../contracts/router.contract.ts';
import { systemClock } from '../../../lambdas/adapters/clock.ts';

/** A lease far enough away that no test here runs out of it unless it means to. */
const soon = () => new Date(Date.now() + 30_000);

/** Counts the commands a client really sends, by name (a middleware, so moto still answers). */
const countCommands = (client: Route53Client): Map<string, number> => {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
};

const createZone = async (route53: Route53Client): Promise<{ zoneId: string; zoneName: string }> => {
  const zoneName = `${uniqueName('zone')}.example.com`;
  const created = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: uniqueName('ref') }),
  );
  return { zoneId: created.HostedZone!.Id!.replace('/hostedzone/', ''), zoneName };
};

/** Test setup only: hcguard itself never CREATEs records (least privilege allows UPSERT). */
const createRecord = async (route53: Route53Client, zoneId: string, set: ResourceRecordSet) => {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: set }] },
    }),
  );
};

const listRecord = async (
  route53: Route53Client,
  zoneId: string,
  name: string,
  type: string,
): Promise<ResourceRecordSet | undefined> => {
  const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return listed.ResourceRecordSets?.find((set) => set.Name === `${name}.` && set.Type === type);
};

routerContract('Route53Router on moto', async () => {
  const { route53 } = motoClients();
  const { zoneId, zoneName } = await createZone(route53);
  const record = (name: string): ManagedRecord => ({
    name,
    type: 'A',
    ttl: 60,
    hostedZoneId: zoneId,
    stage: 'verification',
    values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
  });
  return {
    router: new Route53Router(route53, { pollMs: 10 }),
    clock: systemClock,
    record: async () => {
      const name = `verify.${zoneName}`;
      await createRecord(route53, zoneId, {
        Name: name,
        Type: 'A',
        TTL: 60,
        ResourceRecords: [{ Value: '192.0.2.10' }],
      });
      return record(name);
    },
    missing: async () => record(`absent.${zoneName}`),
  };
});

describe('Route53Router against Route 53 on moto', () => {
  const cases: {
    type: ManagedRecord['type'];
    values: ManagedRecord['values'];
    created: (name: string) => ResourceRecordSet;
    expectAfter: (name: string) => Partial<ResourceRecordSet>;
  }[] = [
    {
      type: 'A',
      values: { primary: { values: ['192.0.2.10', '192.0.2.11'] }, backup: { values: ['198.51.100.10'] } },
      created: (name) => ({
        Name: name,
        Type: 'A',
        TTL: 60,
        ResourceRecords: [{ Value: '192.0.2.11' }, { Value: '192.0.2.10' }],
      }),
      expectAfter: () => ({ TTL: 60, ResourceRecords: [{ Value: '198.51.100.10' }] }),
    },
    {
      type: 'AAAA',
      values: { primary: { values: ['2001:db8::10'] }, backup: { values: ['2001:db8:0:0:0:0:0:20'] } },
      created: (name) => ({
        Name: name,
        Type: 'AAAA',
        TTL: 60,
        ResourceRecords: [{ Value: '2001:0db8:0000:0000:0000:0000:0000:0010' }],
      }),
      expectAfter: () => ({ TTL: 60, ResourceRecords: [{ Value: '2001:db8:0:0:0:0:0:20' }] }),
    },
    {
      type: 'CNAME',
      values: {
        primary: { values: ['verify.primary.example.net'] },
        backup: { values: ['verify.backup.example.net'] },
      },
      created: (name) => ({
        Name: name,
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: 'VERIFY.primary.example.net.' }],
      }),
      expectAfter: () => ({ TTL: 60, ResourceRecords: [{ Value: 'verify.backup.example.net' }] }),
    },
    {
      type: 'A',
      values: {
        primary: {
          alias: {
            dnsName: 'd111111abcdef8.cloudfront.net',
            hostedZoneId: 'Z2FDTNDATAQYW2',
            evaluateTargetHealth: false,
          },
        },
        backup: {
          alias: {
            dnsName: 'd222222abcdef8.cloudfront.net',
            hostedZoneId: 'Z2FDTNDATAQYW2',
            evaluateTargetHealth: false,
          },
        },
      },
      created: (name) => ({
        Name: name,
        Type: 'A',
        AliasTarget: {
          DNSName: 'd111111abcdef8.cloudfront.net.',
          HostedZoneId: 'Z2FDTNDATAQYW2',
          EvaluateTargetHealth: false,
        },
      }),
      expectAfter: () => ({
        AliasTarget: {
          DNSName: 'd222222abcdef8.cloudfront.net',
          HostedZoneId: 'Z2FDTNDATAQYW2',
          EvaluateTargetHealth: false,
        },
      }),
    },
  ];

  it.each(
    cases.map((testCase) => ({
      ...testCase,
      label: 'alias' in testCase.values.primary ? `${testCase.type} alias` : testCase.type,
    })),
  )(
    '$label: reads the serving site, switches to the backup (the value really changes), and a second switch is a no-op',
    async ({ type, values, created, expectAfter }) => {
      const { route53 } = motoClients();
      const sent = countCommands(route53);
      const { zoneId, zoneName } = await createZone(route53);
      const name = `verify.${zoneName}`;
      await createRecord(route53, zoneId, created(name));
      const record: ManagedRecord = { name, type, ttl: 60, hostedZoneId: zoneId, stage: 'verification', values };
      const router = new Route53Router(route53, { pollMs: 10 });

      expect(await router.read(record)).toMatchObject({ exists: true, site: 'primary' });

      const result = await router.route(record, 'backup', {
        comment: 'hcguard failover: incident INC-7QX',
        notAfter: soon(),
      });
      expect(result).toMatchObject({ changed: true, status: 'INSYNC', reading: { site: 'backup' } });
      expect(result.changeId).toMatch(/\S/);
      expect(await listRecord(route53, zoneId, name, type)).toMatchObject(expectAfter(name));
      expect(sent.get('ChangeResourceRecordSetsCommand')).toBe(2); // the test's CREATE and one UPSERT

      expect(await router.route(record, 'backup', { comment: 'again', notAfter: soon() })).toMatchObject({
        changed: false,
        reading: { site: 'backup' },
      });
      expect(sent.get('ChangeResourceRecordSetsCommand')).toBe(2);

      route53.destroy();
    },
  );

  it('reports a missing record and a value that belongs to neither site', async () => {
    const { route53 } = motoClients();
    const { zoneId, zoneName } = await createZone(route53);
    const record: ManagedRecord = {
      name: `verify.${zoneName}`,
      type: 'A',
      ttl: 60,
      hostedZoneId: zoneId,
      stage: 'verification',
      values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
    };
    const router = new Route53Router(route53);
    // A record of another type with the same name must not be mistaken for it.
    await createRecord(route53, zoneId, {
      Name: record.name,
      Type: 'TXT',
      TTL: 60,
      ResourceRecords: [{ Value: '"hello"' }],
    });
    expect(await router.read(record)).toEqual({ exists: false, description: `no A record ${record.name}` });
    await createRecord(route53, zoneId, {
      Name: record.name,
      Type: 'A',
      TTL: 60,
      ResourceRecords: [{ Value: '203.0.113.5' }],
    });
    expect(await router.read(record)).toEqual({ exists: true, description: 'A 203.0.113.5' });
    route53.destroy();
  });
});

describe('Route53Router retries, waiter and requests (aws-sdk-client-mock)', () => {
  let route53Mock: AwsClientStub<Route53Client>;
  beforeEach(() => {
    route53Mock = mockClient(Route53Client);
  });
  afterEach(() => route53Mock.restore());

  const record: ManagedRecord = {
    name: 'verify.hc.example.com',
    type: 'A',
    ttl: 30,
    hostedZoneId: 'Z0HCGUARD',
    stage: 'verification',
    values: { primary: { values: ['192.0.2.10'] }, backup: { values: ['198.51.100.10'] } },
  };
  const recordSet = (value: string): ResourceRecordSet => ({
    Name: 'verify.hc.example.com.',
    Type: 'A',
    TTL: 30,
    ResourceRecords: [{ Value: value }],
  });
  const serving = (value: string) => ({ ResourceRecordSets: [recordSet(value)], IsTruncated: false, MaxItems: 10 });
  const throttling = () =>
    new Route53ServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
  const priorRequest = () =>
    new PriorRequestNotComplete({
      message: 'The request was rejected because Route 53 was still processing a prior request.',
      $metadata: {},
    });
  const accepted = (status: 'PENDING' | 'INSYNC' = 'PENDING') => ({
    ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: status, SubmittedAt: new Date() },
  });

  it(
    'sends one UPSERT with the site value and the comment, retrying Throttling and ' +
      'PriorRequestNotComplete with jittered backoff',
    async () => {
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolvesOnce(serving('192.0.2.10'))
        .resolves(serving('198.51.100.10'));
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .rejectsOnce(throttling())
        .rejectsOnce(priorRequest())
        .resolves(accepted());
      route53Mock
        .on(GetChangeCommand)
        .resolvesOnce({ ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date() } })
        .resolves(accepted('INSYNC'));
      const jitter: number[] = [];
      const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
        baseDelayMs: 8,
        pollMs: 1,
        random: () => {
          jitter.push(jitter.length);
          return 0.5;
        },
      });
      const signal = new AbortController().signal;

      const result = await router.route(record, 'backup', {
        comment: 'hcguard failover verify.hc.example.com primary→backup; incident INC-7QX',
        signal,
        notAfter: soon(),
      });

      expect(result).toEqual({
        changed: true,
        changeId: 'C2682N5HXP0BZ4',
        status: 'PENDING',
        reading: { exists: true, site: 'backup', description: 'A 198.51.100.10' },
      });
      expect(await router.awaitChange('C2682N5HXP0BZ4', { timeoutMs: 10_000, signal })).toBe('INSYNC');
      expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
      expect(jitter).toHaveLength(2); // one jittered delay per retry
      for (const call of route53Mock.commandCalls(ChangeResourceRecordSetsCommand)) {
        expect(call.args[0].input).toEqual({
          HostedZoneId: 'Z0HCGUARD',
          ChangeBatch: {
            Comment: 'hcguard failover verify.hc.example.com primary→backup; incident INC-7QX',
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'verify.hc.example.com',
                  Type: 'A',
                  TTL: 30,
                  ResourceRecords: [{ Value: '198.51.100.10' }],
                },
              },
            ],
          },
        });
        // The caller's signal, cut at the lease's end.
        expect((call.args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
      }
      expect(route53Mock).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C2682N5HXP0BZ4' });
      expect(route53Mock).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
        HostedZoneId: 'Z0HCGUARD',
        StartRecordName: 'verify.hc.example.com',
        StartRecordType: 'A',
        MaxItems: 10,
      });
    },
  );

  /** Time that passes only when the router waits: budgets are checked against it, not the wall clock. */
  const virtualTime = () => {
    const start = Date.parse('2026-11-20T08:00:00.000Z');
    let now = start;
    return {
      clock: { now: () => new Date(now) },
      sleep: async (ms: number, signal?: AbortSignal) => {
        if (signal?.aborted) throw signal.reason;
        now += ms;
      },
      at: (seconds: number) => new Date(start + seconds * 1000),
      elapsedMs: () => now - start,
    };
  };
  const internalError = () =>
    new Route53ServiceException({
      name: 'InternalFailure',
      $fault: 'server',
      message: 'oops',
      $metadata: { httpStatusCode: 500 },
    });

  it('gives up after maxAttempts of throttling (not applied) and does not retry other refusals', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
    route53Mock.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), { maxAttempts: 3, baseDelayMs: 1 });
    const throttled = router.route(record, 'backup', { comment: 'x', notAfter: soon() });
    await expect(throttled).rejects.toBeInstanceOf(ChangeNotAppliedError);
    await expect(throttled).rejects.toMatchObject({ cause: { name: 'Throttling' } });
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);

    route53Mock.reset();
    route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new InvalidChangeBatch({ message: 'Invalid value', $metadata: {} }));
    const invalid = router.route(record, 'backup', { comment: 'x', notAfter: soon() });
    await expect(invalid).rejects.toBeInstanceOf(ChangeNotAppliedError);
    await expect(invalid).rejects.toMatchObject({ cause: expect.any(InvalidChangeBatch) });
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });

  it(
    'throttled forever: stops within the lease, says the change was not applied, and ' + 'never sends after it',
    async () => {
      route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
      route53Mock.on(ChangeResourceRecordSetsCommand).rejects(throttling());
      const time = virtualTime();
      const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
        maxAttempts: 1_000,
        clock: time.clock,
        sleep: time.sleep,
        random: () => 0.99,
      });
      const routing = router.route(record, 'backup', { comment: 'x', notAfter: time.at(30) });
      await expect(routing).rejects.toBeInstanceOf(ChangeNotAppliedError);
      expect(time.elapsedMs()).toBeLessThanOrEqual(30_000);
      const attempts = route53Mock.commandCalls(ChangeResourceRecordSetsCommand).length;
      expect(attempts).toBeGreaterThan(3);
      expect(attempts).toBeLessThan(1_000);
    },
  );

  it('sends nothing once the lease has ended', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
    route53Mock.on(ChangeResourceRecordSetsCommand).resolves(accepted());
    const time = virtualTime();
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
      clock: time.clock,
      sleep: time.sleep,
    });
    await expect(router.route(record, 'backup', { comment: 'x', notAfter: time.at(0) })).rejects.toBeInstanceOf(
      ChangeNotAppliedError,
    );
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
  });

  it(
    'a 5xx leaves the outcome unknown: the change may have applied, so it is not ' + 'reported as not applied',
    async () => {
      route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
      route53Mock.on(ChangeResourceRecordSetsCommand).rejectsOnce(internalError()).rejects(throttling());
      const time = virtualTime();
      const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
        maxAttempts: 1_000,
        clock: time.clock,
        sleep: time.sleep,
      });
      const routing = router.route(record, 'backup', { comment: 'x', notAfter: time.at(10) });
      // The last answer was a refusal, but the first attempt's 500 may have applied it.
      await expect(routing).rejects.toMatchObject({ name: 'Throttling' });
      await expect(routing).rejects.not.toBeInstanceOf(ChangeNotAppliedError);

      route53Mock.reset();
      route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
      route53Mock.on(ChangeResourceRecordSetsCommand).rejects(internalError());
      const failing = new Route53Router(new Route53Client({ region: 'us-east-1' }), { maxAttempts: 2, baseDelayMs: 1 });
      const unknown = failing.route(record, 'backup', { comment: 'x', notAfter: soon() });
      await expect(unknown).rejects.toMatchObject({ name: 'InternalFailure' });
      expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
    },
  );

  it('stops retrying when the caller’s signal aborts during the backoff', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
    route53Mock.on(ChangeResourceRecordSetsCommand).rejects(priorRequest());
    const controller = new AbortController();
    const time = virtualTime();
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
      maxAttempts: 1_000,
      clock: time.clock,
      sleep: async (ms, signal) => {
        // The deadline comes during the third backoff.
        if (route53Mock.commandCalls(ChangeResourceRecordSetsCommand).length === 3)
          controller.abort(new Error('deadline'));
        await time.sleep(ms, signal);
      },
    });
    const routing = router.route(record, 'backup', { comment: 'x', signal: controller.signal, notAfter: time.at(600) });
    await expect(routing).rejects.toThrow('deadline');
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
  });

  it('awaitChange reports PENDING when INSYNC does not come within the timeout', async () => {
    route53Mock.on(GetChangeCommand).resolves(accepted('PENDING'));
    const time = virtualTime();
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(await router.awaitChange('C2682N5HXP0BZ4', { timeoutMs: 60_000 })).toBe('PENDING');
    expect(route53Mock.commandCalls(GetChangeCommand).length).toBeGreaterThan(0);
    expect(time.elapsedMs()).toBeLessThanOrEqual(60_000);
  });

  it('awaitChange ends when the caller’s deadline signal fires, long before the timeout', async () => {
    route53Mock.on(GetChangeCommand).resolves(accepted('PENDING'));
    const controller = new AbortController();
    const time = virtualTime();
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), {
      clock: time.clock,
      sleep: async (ms, signal) => {
        if (route53Mock.commandCalls(GetChangeCommand).length === 2) controller.abort(new Error('lambda deadline'));
        await time.sleep(ms, signal);
      },
    });
    const waiting = router.awaitChange('C2682N5HXP0BZ4', { timeoutMs: 3_600_000, signal: controller.signal });
    await expect(waiting).resolves.toBe('PENDING');
    expect(time.elapsedMs()).toBeLessThan(3_600_000);
  });

  it('fails loudly when the record does not read back as the new site', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).resolves(serving('192.0.2.10'));
    route53Mock.on(ChangeResourceRecordSetsCommand).resolves(accepted('INSYNC'));
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }));
    const routing = router.route(record, 'backup', { comment: 'x', notAfter: soon() });
    await expect(routing).rejects.toBeInstanceOf(Route53RouterError);
    await expect(routing).rejects.toThrow(
      'change C2682N5HXP0BZ4 to backup was accepted but verify.hc.example.com reads back as A 192.0.2.10',
    );
  });

  it(
    'sends changes to one zone one at a time: the second starts after the first is ' + 'accepted and read back',
    async () => {
      const order: string[] = [];
      const other: ManagedRecord = { ...record, name: 'collect.hc.example.com' };
      const values = new Map([
        ['verify.hc.example.com', '192.0.2.10'],
        ['collect.hc.example.com', '192.0.2.10'],
      ]);
      route53Mock.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName: string }) => {
        order.push(`read ${input.StartRecordName}`);
        return {
          ResourceRecordSets: [{ ...recordSet(values.get(input.StartRecordName)!), Name: `${input.StartRecordName}.` }],
        };
      });
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .callsFake(async (input: { ChangeBatch: { Changes: { ResourceRecordSet: { Name: string } }[] } }) => {
          const name = input.ChangeBatch.Changes[0]!.ResourceRecordSet.Name;
          order.push(`change ${name}`);
          await Promise.resolve();
          values.set(name, '198.51.100.10');
          return { ChangeInfo: { Id: `/change/${name}`, Status: 'PENDING' } };
        });
      const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), { pollMs: 1 });
      await Promise.all([
        router.route(record, 'backup', { comment: 'a', notAfter: soon() }),
        router.route(other, 'backup', { comment: 'b', notAfter: soon() }),
      ]);
      expect(order).toEqual([
        'read verify.hc.example.com',
        'change verify.hc.example.com',
        'read verify.hc.example.com',
        'read collect.hc.example.com',
        'change collect.hc.example.com',
        'read collect.hc.example.com',
      ]);
    },
  );

  it('retries a throttled read', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(serving('198.51.100.10'));
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }), { baseDelayMs: 1 });
    expect(await router.read(record)).toEqual({ exists: true, site: 'backup', description: 'A 198.51.100.10' });
  });

  it('truncates a comment to the 256 characters Route 53 accepts', async () => {
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(serving('192.0.2.10'))
      .resolves(serving('198.51.100.10'));
    route53Mock.on(ChangeResourceRecordSetsCommand).resolves(accepted('INSYNC'));
    const router = new Route53Router(new Route53Client({ region: 'us-east-1' }));
    await router.route(record, 'backup', { comment: 'r'.repeat(400), notAfter: soon() });
    const comment = route53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch?.Comment;
    expect(comment).toHaveLength(256);
  });
});
