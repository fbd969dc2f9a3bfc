import { Role } from '../libs/auth/src';
import { CreditExpirySweepService, CreditLotsService, CreditsService } from '../libs/credits/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

describe('Expiring grants: lots, balance, expiry sweep', () => {
  let t: TestApp;
  const org = 'org_lots';
  let member: string;
  let admin: string;

  beforeAll(async () => {
    // No workers: holds stay open while we look at the lots; the sweep is built by hand below.
    t = await createTestApp({ RUN_WORKERS: 'false' });
    member = tokenFor(t.config, { orgId: org, sub: 'user_lots' });
    admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_lots', role: Role.ADMIN });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const grant = (body: object) =>
    t
      .http()
      .post(`/api/v1/admin/orgs/${org}/credits`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ source: 'stripe_subscription', ...body });
  const balance = async () =>
    (await t.http().get('/api/v1/operations/credits/balance').set('Authorization', `Bearer ${member}`).expect(200))
      .body;

  it('a grant takes an optional future expiresAt; the balance shows held and the next expiry', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const later = new Date(Date.now() + 7_200_000).toISOString();
    await grant({ amount: 100, expiresAt: later }).expect(201);
    await grant({ amount: 40, expiresAt: soon }).expect(201);
    await grant({ amount: 500, source: 'stripe_purchase' }).expect(201);
    expect(await balance()).toEqual({
      balance: 640,
      organizationId: org,
      held: 0,
      nextExpiry: { amount: 40, expiresAt: soon },
    });

    // 10 leads × 5 credits: the 40 that expire first, then 10 of the next lot.
    const ids = await leadIds(t.dataSource, 10, 2500);
    await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${member}`)
      .send({ personIds: ids, field: 'emails' })
      .expect(201);
    expect(await balance()).toEqual({
      balance: 590,
      organizationId: org,
      held: 50,
      nextExpiry: { amount: 90, expiresAt: later },
    });

    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), 'tomorrow', '2026-13-01T00:00:00Z']) {
      const res = await grant({ amount: 10, expiresAt }).expect(400);
      expect(res.body.error.details.fields[0].field).toBe('expiresAt');
    }
  });

  it('at expiry the unspent remainder leaves the balance as one credit_expired entry, once', async () => {
    await grant({ amount: 70, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(201);
    await grant({ amount: 30 }).expect(201);
    await t.dataSource.query(
      `UPDATE credit_lot SET expires_at = now() - interval '1 second' WHERE org_id = $1 AND granted = 70`,
      [org],
    );
    const sweep = new CreditExpirySweepService(
      t.dataSource,
      t.config,
      t.app.get(CreditsService),
      t.app.get(CreditLotsService),
    );
    await Promise.all([sweep.sweep(), sweep.sweep()]);
    await sweep.sweep();
    expect(await balance()).toEqual({ balance: 30, organizationId: org, held: 0, nextExpiry: null });
    const history = await t
      .http()
      .get('/api/v1/operations/credits/history')
      .set('Authorization', `Bearer ${member}`)
      .expect(200);
    const expired = history.body.transactions.filter((e: { type: string }) => e.type === 'credit_expired');
    expect(expired).toEqual([expect.objectContaining({ amount: 70, organizationId: org })]);
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });
});
