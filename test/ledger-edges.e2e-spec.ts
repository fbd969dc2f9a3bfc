import { Role } from '../libs/auth/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

/** The ledger at its edges: 64-bit balances, the grant ceiling. */
describe('Ledger edges', () => {
  let t: TestApp;
  const org = 'org_edges';
  let member: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    member = tokenFor(t.config, { orgId: org, sub: 'user_edges' });
    admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_edges', role: Role.ADMIN });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
  });

  it('balances are 64-bit: grants past 2,147,483,647 succeed and every figure comes back as a number', async () => {
    const max = t.config.MAX_GRANT;
    const grants = Math.ceil(2_147_483_647 / max) + 1;
    for (let i = 0; i < grants; i++) {
      await as(admin).post(`/api/v1/admin/orgs/${org}/credits`, { amount: max, source: 'manual' }).expect(201);
    }
    const total = grants * max;
    expect(total).toBeGreaterThan(2_147_483_647);
    const balance = await as(member).get('/api/v1/operations/credits/balance').expect(200);
    expect(balance.body).toEqual({ balance: total, organizationId: org });

    // Holding and settling still work on a 64-bit balance, and the figures stay numbers.
    const ids = await leadIds(t.dataSource, 2);
    await as(member).post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'phones' }).expect(201);
    const view = await as(admin).get(`/api/v1/admin/orgs/${org}`).expect(200);
    expect(view.body).toMatchObject({ balance: total - 40, held: 40 });
    const history = await as(member).get('/api/v1/operations/credits/history').expect(200);
    expect(history.body.transactions.map((entry: { amount: unknown }) => entry.amount)).toEqual([
      40,
      ...Array<number>(grants).fill(max),
    ]);
    const [account]: { available: unknown; held: unknown }[] = await t.dataSource.query(
      'SELECT available, held FROM credit_account WHERE org_id = $1',
      [org],
    );
    expect(account).toEqual({ available: total - 40, held: 40 });
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });

  it('a grant above MAX_GRANT is a 400 naming amount, and nothing is written', async () => {
    const res = await as(admin)
      .post(`/api/v1/admin/orgs/${org}/credits`, { amount: t.config.MAX_GRANT + 1, source: 'manual' })
      .expect(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { fields: [{ field: 'amount', messages: [expect.stringContaining('MAX_GRANT')] }] },
    });
    await as(admin)
      .post(`/api/v1/admin/orgs/${org}/credits`, { amount: Number.MAX_SAFE_INTEGER + 2, source: 'manual' })
      .expect(400);
    expect(await t.dataSource.query('SELECT * FROM credit_transaction WHERE org_id = $1', [org])).toEqual([]);
    const audit = await as(admin).get(`/api/v1/admin/audit?orgId=${org}`).expect(200);
    expect(audit.body.totalElements).toBe(0);
  });
});
