import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { AppConfig } from '@app/core';
import { DataSource } from 'typeorm';
import { CreditOperationType, CreditSource } from '../../credit.types';
import { CreditsService, SettlementOutcome } from '../../credits.service';
import { CreditExpirySweepService } from './credit-expiry-sweep.service';
import { CreditLotsService } from './credit-lots.service';

const enrichment = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('Credit lots (PostgreSQL): draw order, releases after expiry, the sweep', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let credits: CreditsService;
  let lots: CreditLotsService;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('credit_lots_spec'));
    lots = new CreditLotsService(dataSource);
    credits = CreditsService.standalone(dataSource, Object.assign(new AppConfig(), { PRICE_EMAILS: 5 }));
  });
  afterAll(() => drop?.());

  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);
  const grant = (orgId: string, amount: number, expiresAt: Date | null) =>
    dataSource.transaction((manager) =>
      credits.grant(manager, { orgId, amount, source: CreditSource.STRIPE_SUBSCRIPTION, createdBy: 'spec', expiresAt }),
    );
  const hold = (orgId: string, amount: number) =>
    dataSource.transaction(async (manager) => {
      await credits.lockAccount(manager, orgId);
      const { holdId } = await credits.hold(manager, {
        orgId,
        amount,
        operationType: CreditOperationType.ENRICHMENT_EMAIL,
        referenceId: null,
        createdBy: 'spec',
      });
      return holdId;
    });
  /** Releases `shares` of 10 credits of a hold, numbered from `first`. */
  const release = (orgId: string, holdId: string, first: number, shares: number) =>
    dataSource.transaction(async (manager) => {
      await credits.lockAccount(manager, orgId);
      return credits.settle(
        manager,
        Array.from({ length: shares }, (_, i) => ({
          orgId,
          holdId,
          enrichmentId: enrichment(first + i),
          amount: 10,
          operationType: CreditOperationType.ENRICHMENT_EMAIL,
          outcome: SettlementOutcome.RELEASE,
        })),
      );
    });
  const lotsOf = (orgId: string) =>
    dataSource.query<{ granted: number; remaining: number; expired: boolean; drawn: number }[]>(
      `SELECT l.granted::int, l.remaining::int, l.expired_at IS NOT NULL AS expired,
              coalesce((SELECT sum(amount)::int FROM credit_hold_lot WHERE lot_id = l.id), 0) AS drawn
         FROM credit_lot l WHERE org_id = $1 ORDER BY granted`,
      [orgId],
    );
  const expireNow = (orgId: string, granted: number) =>
    dataSource.query(
      `UPDATE credit_lot SET expires_at = now() - interval '1 second' WHERE org_id = $1 AND granted = $2`,
      [orgId, granted],
    );
  const ledger = async (orgId: string, type: string) => {
    const [{ total }]: { total: number }[] = await dataSource.query(
      'SELECT coalesce(sum(amount), 0)::int AS total FROM credit_transaction WHERE org_id = $1 AND type = $2',
      [orgId, type],
    );
    return total;
  };

  it('a hold draws from the lots that expire first, then the oldest; lots without expiry last', async () => {
    await grant('org_draw', 300, null);
    await grant('org_draw', 100, inMinutes(60));
    await grant('org_draw', 50, inMinutes(10));
    await hold('org_draw', 120);
    expect(await lotsOf('org_draw')).toEqual([
      { granted: 50, remaining: 0, expired: false, drawn: 50 },
      { granted: 100, remaining: 30, expired: false, drawn: 70 },
      { granted: 300, remaining: 300, expired: false, drawn: 0 },
    ]);
    expect(await credits.nextExpiry('org_draw')).toEqual({ amount: 30, expiresAt: expect.any(String) });
  });

  it('releases go back to the lots they came from; a share whose lot expired meanwhile expires at once', async () => {
    await grant('org_late', 50, inMinutes(10)); // drawn first: parts [0, 50)
    await grant('org_late', 100, inMinutes(60)); // then [50, 120)
    const holdId = await hold('org_late', 120);
    await expireNow('org_late', 50);
    await new CreditExpirySweepService(dataSource, new AppConfig(), credits, lots).sweep();
    expect(await ledger('org_late', 'credit_expired')).toBe(0); // the lot was fully drawn: nothing to write off

    await release('org_late', holdId, 0, 3); // 30 from the end: back to the 100-lot
    expect(await credits.getBalance('org_late')).toEqual({ available: 60, held: 90 });
    await release('org_late', holdId, 3, 8); // 80: 40 more to the 100-lot, 40 to the expired 50-lot
    expect(await credits.getBalance('org_late')).toEqual({ available: 100, held: 10 });
    expect(await ledger('org_late', 'credit_expired')).toBe(40);
    expect(await lotsOf('org_late')).toEqual([
      { granted: 50, remaining: 0, expired: true, drawn: 50 },
      { granted: 100, remaining: 100, expired: false, drawn: 70 },
    ]);
    // A release that lands before the sweep, on a lot past its expiry, expires at once too.
    await grant('org_late2', 20, inMinutes(10));
    const second = await hold('org_late2', 20);
    await expireNow('org_late2', 20);
    await release('org_late2', second, 0, 1);
    expect(await credits.getBalance('org_late2')).toEqual({ available: 0, held: 10 });
    expect(await ledger('org_late2', 'credit_expired')).toBe(10);
  });

  it('a hold never spends credits past their expiry, even before the sweep', async () => {
    await grant('org_due', 40, inMinutes(10));
    await grant('org_due', 10, null);
    await expireNow('org_due', 40);
    await expect(hold('org_due', 20)).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    // The refused hold rolled back its own expiry; the sweep (or the next hold) writes it.
    await hold('org_due', 10);
    expect(await ledger('org_due', 'credit_expired')).toBe(40);
    expect(await credits.getBalance('org_due')).toEqual({ available: 0, held: 10 });
  });

  it('two sweeps at once expire each lot exactly once', async () => {
    const orgs = Array.from({ length: 30 }, (_, i) => `org_sweep_${i}`);
    for (const orgId of orgs) {
      await grant(orgId, 70, inMinutes(10));
      await grant(orgId, 30, inMinutes(20));
      await hold(orgId, 50);
    }
    await dataSource.query(
      `UPDATE credit_lot SET expires_at = now() - interval '1 second' WHERE org_id LIKE 'org_sweep_%'`,
    );
    const sweeper = () => new CreditExpirySweepService(dataSource, new AppConfig(), credits, lots);
    await Promise.all([sweeper().sweep(), sweeper().sweep()]);
    const [{ live }]: { live: number }[] = await dataSource.query(
      `SELECT count(*)::int AS live FROM credit_lot WHERE org_id LIKE 'org_sweep_%' AND expired_at IS NULL`,
    );
    expect(live).toBe(0);
    const rows: { org_id: string; n: number; total: number }[] = await dataSource.query(
      `SELECT org_id, count(*)::int AS n, sum(amount)::int AS total FROM credit_transaction
        WHERE type = 'credit_expired' AND org_id LIKE 'org_sweep_%' GROUP BY org_id`,
    );
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row).toMatchObject({ n: 2, total: 50 });
    for (const orgId of orgs) expect(await credits.getBalance(orgId)).toEqual({ available: 0, held: 50 });
  });
});
