import { Role } from '../libs/auth/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

/**
 * The ledger at its edges: 64-bit balances, the grant ceiling, admin actions decided under
 * the lock, and Idempotency-Keys completed in the effect's own transaction — proven with a
 * fault injected after the effect commits (FAULT_INJECT): the first attempt fails with a 500,
 * the retry with the same key must replay, not apply again.
 */
describe('Ledger edges', () => {
  let t: TestApp;
  const org = 'org_edges';
  let member: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', FAULT_INJECT: 'idempotency-after-effect' });
    member = tokenFor(t.config, { orgId: org, sub: 'user_edges' });
    admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_edges', role: Role.ADMIN });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const count = async (sql: string, params: unknown[] = [org]): Promise<number> => {
    const [row]: { n: number }[] = await t.dataSource.query(`SELECT count(*) AS n FROM ${sql}`, params);
    return row.n;
  };
  /** A first attempt that fails after its effect committed, then the retry with the same key. */
  const failThenReplay = async (send: () => import('supertest').Test, status: number) => {
    const first = await send();
    expect(first.status).toBe(500);
    const retry = await send();
    expect(retry.status).toBe(status);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    return retry;
  };
  const cancelledEnrichment = async (offset: number) => {
    const [id] = await leadIds(t.dataSource, 1, offset);
    const res = await as(member).post('/api/v1/operations/enrichment/batch', { personIds: [id], field: 'emails' });
    expect(res.status).toBe(201);
    await as(admin).post(`/api/v1/admin/operations/${res.headers['x-operation-id']}/cancel`).expect(200);
    return res.body[0].id as string;
  };

  it('balances are 64-bit: grants past 2,147,483,647 succeed and every figure comes back as a number', async () => {
    const max = t.config.MAX_GRANT;
    const grants = Math.ceil(2_147_483_647 / max) + 1;
    for (let i = 0; i < grants; i++) {
      await as(admin).post(`/api/v1/admin/orgs/${org}/credits`, { amount: max, source: 'manual' }).expect(201);
    }
    const total = grants * max;
    expect(total).toBeGreaterThan(2_147_483_647);
    const balance = await as(member).get('/api/v1/operations/credits/balance').expect(200);
    expect(balance.body).toMatchObject({ balance: total, organizationId: org });

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

  it('20 concurrent admin retries of one enrichment: one retry, one hold, one audit entry', async () => {
    await as(admin).post(`/api/v1/admin/orgs/${org}/credits`, { amount: 1000, source: 'manual' }).expect(201);
    const enrichmentId = await cancelledEnrichment(300);
    const holdsBefore = await count(`credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => as(admin).post(`/api/v1/admin/enrichments/${enrichmentId}/retry`)),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(409)]);
    expect(await count(`credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`)).toBe(holdsBefore + 1);
    expect(await count(`audit_log WHERE org_id = $1 AND action = 'enrichment.retry'`)).toBe(1);
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });

  it('10 concurrent admin cancels of one operation: one cancellation, one audit entry', async () => {
    await as(admin).post(`/api/v1/admin/orgs/${org}/credits`, { amount: 1000, source: 'manual' }).expect(201);
    const ids = await leadIds(t.dataSource, 3, 400);
    const res = await as(member).post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' });
    const operationId = res.headers['x-operation-id'];
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => as(admin).post(`/api/v1/admin/operations/${operationId}/cancel`)),
    );
    expect(answers.every((answer) => answer.status === 200 && answer.body.status === 'cancelled')).toBe(true);
    expect(await count(`audit_log WHERE org_id = $1 AND action = 'operation.cancel'`)).toBe(1);
    expect(await count(`credit_transaction WHERE org_id = $1 AND type = 'credit_released'`)).toBe(3);
  });

  it('a failure after the effect committed: the retry with the same Idempotency-Key replays (grant, retry, bulk, batch, single)', async () => {
    const grant = () =>
      as(admin)
        .post(`/api/v1/admin/orgs/${org}/credits`, { amount: 1000, source: 'manual' })
        .set('Idempotency-Key', 'grant-1');
    const granted = await failThenReplay(grant, 201);
    expect(granted.body).toMatchObject({ organizationId: org, balance: 1000 });
    expect(await count(`credit_transaction WHERE org_id = $1 AND type = 'credit_added'`)).toBe(1);
    expect(await count(`audit_log WHERE org_id = $1 AND action = 'credits.grant'`)).toBe(1);

    const [a, b, c, d] = await leadIds(t.dataSource, 4, 500);
    const holds = () => count(`credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`);
    const bulk = () =>
      as(member)
        .post('/api/v1/operations/enrichment/bulk', {
          selection: { mode: 'manual', includedIds: [a] },
          field: 'emails',
        })
        .set('Idempotency-Key', 'bulk-1');
    const bulkAnswer = await failThenReplay(bulk, 201);
    expect(bulkAnswer.body).toEqual([expect.objectContaining({ entityId: a, status: 'pending' })]);
    expect(bulkAnswer.headers.location).toMatch(/\/operations\/[0-9a-f-]{36}$/);
    expect(await count('enrichment_operation WHERE org_id = $1')).toBe(1);
    expect(await holds()).toBe(1);

    const batch = () =>
      as(member)
        .post('/api/v1/operations/enrichment/batch', { personIds: [b], field: 'emails' })
        .set('Idempotency-Key', 'batch-1');
    const batchAnswer = await failThenReplay(batch, 201);
    expect(batchAnswer.headers['x-operation-id']).toBeDefined();
    expect(await count('enrichment_operation WHERE org_id = $1')).toBe(2);
    expect(await holds()).toBe(2);

    const single = () =>
      as(member).post(`/api/v1/operations/enrichment/${c}?field=emails`).set('Idempotency-Key', 'single-1');
    expect((await failThenReplay(single, 201)).body).toMatchObject({ entityId: c });
    expect(await holds()).toBe(3);

    const batchOfD = await as(member).post('/api/v1/operations/enrichment/batch', { personIds: [d], field: 'emails' });
    await as(admin).post(`/api/v1/admin/operations/${batchOfD.headers['x-operation-id']}/cancel`).expect(200);
    const retry = () =>
      as(admin).post(`/api/v1/admin/enrichments/${batchOfD.body[0].id}/retry`).set('Idempotency-Key', 'retry-1');
    expect((await failThenReplay(retry, 200)).body).toMatchObject({ entityId: d, status: 'pending' });
    expect(await holds()).toBe(5);
    expect(await count(`audit_log WHERE org_id = $1 AND action = 'enrichment.retry'`)).toBe(1);
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });
});
