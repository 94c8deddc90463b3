// The router's contract: every Router (the fake, Route53Router on moto) must behave exactly like
// this. Run it with `routerContract(name, setup)` from a *.test.ts file.
import { beforeEach, describe, expect, it } from 'vitest';
import { ChangeNotAppliedError } from '../../lambdas/core/errors.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import type { Clock, Router } from '../../lambdas/ports.ts';

export interface RouterUnderTest {
  readonly router: Router;
  /** The clock the router's budget is checked against. */
  readonly clock: Clock;
  /** A managed A record, present and serving the primary. */
  readonly record: () => Promise<ManagedRecord>;
  /** A managed A record of a name that has no such record. */
  readonly missing: () => Promise<ManagedRecord>;
}

export const routerContract = (name: string, setup: () => Promise<RouterUnderTest>): void => {
  describe(`Router contract: ${name}`, () => {
    let under: RouterUnderTest;
    let record: ManagedRecord;
    const soon = () => new Date(under.clock.now().getTime() + 30_000);
    beforeEach(async () => {
      under = await setup();
      record = await under.record();
    });

    it('reads which site a record serves', async () => {
      expect(await under.router.read(record)).toMatchObject({ exists: true, site: 'primary' });
    });

    it('reports a record that does not exist', async () => {
      const missing = await under.missing();
      expect(await under.router.read(missing)).toEqual({
        exists: false,
        description: `no A record ${missing.name}`,
      });
    });

    it('moves a record to the other site, reads it back, and follows the change until INSYNC', async () => {
      const result = await under.router.route(record, 'backup', {
        comment: 'hcguard failover: INC-7QX',
        notAfter: soon(),
      });
      expect(result).toMatchObject({ changed: true, reading: { exists: true, site: 'backup' } });
      expect(result.changeId).toMatch(/\S/);
      expect(await under.router.read(record)).toMatchObject({ site: 'backup' });
      expect(await under.router.awaitChange(result.changeId!, { timeoutMs: 10_000 })).toBe('INSYNC');
    });

    it('changes nothing for a record already serving the site', async () => {
      const result = await under.router.route(record, 'primary', { comment: 'no-op', notAfter: soon() });
      expect(result).toEqual({
        changed: false,
        status: 'INSYNC',
        reading: expect.objectContaining({ site: 'primary' }),
      });
    });

    it('sends nothing after notAfter or once the caller gave up: ChangeNotAppliedError', async () => {
      const late = { comment: 'too late', notAfter: new Date(under.clock.now().getTime() - 1) };
      await expect(under.router.route(record, 'backup', late)).rejects.toBeInstanceOf(ChangeNotAppliedError);
      const aborted = { comment: 'gave up', notAfter: soon(), signal: AbortSignal.abort() };
      await expect(under.router.route(record, 'backup', aborted)).rejects.toBeInstanceOf(ChangeNotAppliedError);
      expect(await under.router.read(record)).toMatchObject({ site: 'primary' });
    });
  });
};
