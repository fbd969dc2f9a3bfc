import { Role } from '../libs/auth/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

/** Midnight UTC after today, and the first of next month, as the API writes them. */
function nextDay(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
}
function nextMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}

describe('Spend limits and maxCredits', () => {
  let t: TestApp;
  const org = 'org_limits';
  let owner: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    // No workers: holds stay open, so what is spent is exactly what the requests held.
    t = await createTestApp({ RUN_WORKERS: 'false' });
    owner = tokenFor(t.config, { orgId: org, sub: 'owner_1', role: Role.OWNER });
    alice = tokenFor(t.config, { orgId: org, sub: 'alice' });
    bob = tokenFor(t.config, { orgId: org, sub: 'bob' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => t.http().delete(path).set('Authorization', `Bearer ${token}`),
  });
  const grant = (amount: number) =>
    as(tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN }))
      .post(`/api/v1/admin/orgs/${org}/credits`, { amount, source: 'manual' })
      .expect(201);
  const createLimit = (body: object) => as(owner).post('/api/v1/spend-limits', body);
  const batch = (token: string, personIds: string[], extra: object = {}) =>
    as(token).post('/api/v1/operations/enrichment/batch', { personIds, field: 'emails', ...extra });
  const holds = async (): Promise<number> => {
    const [{ n }]: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`,
      [org],
    );
    return n;
  };

  it('owners create, list and delete limits; members may not; bad input is a 400, a duplicate a 409', async () => {
    const created = await createLimit({ scope: 'org', period: 'day', limit: 100 }).expect(201);
    expect(created.body).toEqual({
      limitId: expect.any(String),
      scope: 'org',
      subjectId: null,
      period: 'day',
      limit: 100,
      spent: 0,
      remaining: 100,
      resetsAt: nextDay(),
      createdAt: expect.any(String),
    });
    await createLimit({ scope: 'user', subjectId: 'alice', period: 'month', limit: 50 }).expect(201);
    const duplicate = await createLimit({ scope: 'org', period: 'day', limit: 7 }).expect(409);
    expect(duplicate.body.error).toMatchObject({ code: 'CONFLICT', details: { limitId: created.body.limitId } });

    for (const body of [
      { scope: 'user', period: 'day', limit: 10 },
      { scope: 'org', subjectId: 'alice', period: 'day', limit: 10 },
      { scope: 'team', period: 'day', limit: 10 },
      { scope: 'org', period: 'week', limit: 10 },
      { scope: 'org', period: 'month', limit: 0 },
      { scope: 'org', period: 'month', limit: 1.5 },
    ]) {
      const res = await createLimit(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    await as(alice).post('/api/v1/spend-limits', { scope: 'org', period: 'month', limit: 1 }).expect(403);
    await as(alice).get('/api/v1/spend-limits').expect(403);

    const list = await as(owner).get('/api/v1/spend-limits').expect(200);
    expect(list.body.map((l: { scope: string; period: string }) => `${l.scope}/${l.period}`)).toEqual([
      'org/day',
      'user/month',
    ]);
    expect(list.body[1]).toMatchObject({ subjectId: 'alice', limit: 50, resetsAt: nextMonth() });

    await as(owner).delete(`/api/v1/spend-limits/${created.body.limitId}`).expect(204);
    await as(owner).delete(`/api/v1/spend-limits/${created.body.limitId}`).expect(404);
    await as(owner).delete('/api/v1/spend-limits/not-a-uuid').expect(400);
    expect((await as(owner).get('/api/v1/spend-limits').expect(200)).body).toHaveLength(1);
  });

  it("a request past a user's limit is a 402 SPEND_LIMIT_EXCEEDED that writes nothing; other users are not held to it", async () => {
    await grant(10_000);
    const limit = await createLimit({ scope: 'user', subjectId: 'alice', period: 'day', limit: 50 }).expect(201);
    const ids = await leadIds(t.dataSource, 30, 2000);
    await batch(alice, ids.slice(0, 6)).expect(201); // 30 credits

    const before = await auditOrg(t.dataSource, org);
    const holdsBefore = await holds();
    const res = await batch(alice, ids.slice(6, 11)).expect(402); // 25 more: 55 > 50
    expect(res.body.error).toEqual({
      code: 'SPEND_LIMIT_EXCEEDED',
      message: expect.any(String),
      details: {
        limitId: limit.body.limitId,
        scope: 'user',
        subjectId: 'alice',
        period: 'day',
        limit: 50,
        spent: 30,
        required: 25,
        resetsAt: nextDay(),
      },
    });
    expect(await auditOrg(t.dataSource, org)).toEqual(before);
    expect(await holds()).toBe(holdsBefore);
    const [{ n }]: { n: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM enrichment WHERE org_id = $1 AND entity_id = ANY($2::uuid[])',
      [org, ids.slice(6, 11)],
    );
    expect(n).toBe(0);

    await batch(alice, ids.slice(6, 10)).expect(201); // exactly 50
    await as(alice).post(`/api/v1/operations/enrichment/${ids[10]}?field=emails`).expect(402);
    await batch(bob, ids.slice(10, 30)).expect(201); // bob has no limit: 100 credits
    const [status] = (await as(owner).get('/api/v1/spend-limits').expect(200)).body;
    expect(status).toMatchObject({ spent: 50, remaining: 0 });
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });

  it('the org limit holds every user to one budget; released credits are no longer spent', async () => {
    await grant(10_000);
    await createLimit({ scope: 'org', period: 'month', limit: 40 }).expect(201);
    const ids = await leadIds(t.dataSource, 12, 2100);
    const first = await batch(alice, ids.slice(0, 4)).expect(201); // 20
    await batch(bob, ids.slice(4, 8)).expect(201); // 40
    const refused = await batch(bob, ids.slice(8, 9)).expect(402);
    expect(refused.body.error.details).toMatchObject({ scope: 'org', subjectId: null, spent: 40, required: 5 });

    // Cancelling alice's pending work releases her 20 credits: they are no longer spent.
    await as(alice)
      .post(`/api/v1/operations/enrichment/operations/${first.headers['x-operation-id']}/cancel`)
      .expect(200);
    const [status] = (await as(owner).get('/api/v1/spend-limits').expect(200)).body;
    expect(status).toMatchObject({ spent: 20, remaining: 20 });
    await batch(bob, ids.slice(8, 12)).expect(201);
    expectLedgerConsistent(await auditOrg(t.dataSource, org));
  });

  it('maxCredits caps one request (402 with scope "request"); 0 still allows what is free', async () => {
    await grant(1000);
    const ids = await leadIds(t.dataSource, 4, 2200);
    const res = await batch(alice, ids.slice(0, 3), { maxCredits: 10 }).expect(402);
    expect(res.body.error.details).toEqual({
      limitId: null,
      scope: 'request',
      subjectId: null,
      period: null,
      limit: 10,
      spent: 0,
      required: 15,
      resetsAt: null,
    });
    expect(await holds()).toBe(0);
    await batch(alice, ids.slice(0, 3), { maxCredits: 15 }).expect(201);
    await batch(alice, ids.slice(0, 3), { maxCredits: 0 }).expect(201); // all reused: nothing to hold
    await as(alice)
      .post('/api/v1/operations/enrichment/bulk', {
        selection: { mode: 'manual', includedIds: ids },
        field: 'phones',
        maxCredits: 19,
      })
      .expect(402);
    for (const maxCredits of [-1, 2.5, '10']) {
      const bad = await batch(alice, ids, { maxCredits }).expect(400);
      expect(bad.body.error.details.fields[0].field).toBe('maxCredits');
    }
  });

  it('a dry run reports the limits that would apply and what remains under each', async () => {
    await grant(1000);
    const orgLimit = await createLimit({ scope: 'org', period: 'month', limit: 100 }).expect(201);
    await createLimit({ scope: 'user', subjectId: 'alice', period: 'day', limit: 30 }).expect(201);
    await createLimit({ scope: 'user', subjectId: 'bob', period: 'day', limit: 5 }).expect(201);
    await createLimit({ scope: 'api_key', subjectId: 'key_1', period: 'day', limit: 5 }).expect(201);
    const ids = await leadIds(t.dataSource, 10, 2300);
    await batch(alice, ids.slice(0, 2)).expect(201); // 10

    const dry = await as(alice)
      .post('/api/v1/operations/enrichment/batch?dryRun=true', { personIds: ids, field: 'emails', maxCredits: 45 })
      .expect(200);
    expect(dry.body).toMatchObject({ billable: 8, requiredCredits: 40, sufficient: true, withinLimits: false });
    expect(dry.body.limits).toEqual([
      {
        limitId: null,
        scope: 'request',
        subjectId: null,
        period: null,
        limit: 45,
        spent: 0,
        remaining: 45,
        resetsAt: null,
      },
      {
        limitId: orgLimit.body.limitId,
        scope: 'org',
        subjectId: null,
        period: 'month',
        limit: 100,
        spent: 10,
        remaining: 90,
        resetsAt: nextMonth(),
      },
      expect.objectContaining({ scope: 'user', subjectId: 'alice', spent: 10, remaining: 20, resetsAt: nextDay() }),
    ]);
    const fits = await as(alice)
      .post('/api/v1/operations/enrichment/batch?dryRun=true', { personIds: ids.slice(0, 6), field: 'emails' })
      .expect(200);
    expect(fits.body).toMatchObject({ requiredCredits: 20, withinLimits: true });
  });
});
