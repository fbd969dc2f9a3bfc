import { Role } from '../libs/auth/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';

describe('GET /api/v1/operations/credits/usage', () => {
  let t: TestApp;
  const org = 'org_usage';

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const as = (sub: string) => tokenFor(t.config, { orgId: org, sub });
  const get = (path: string, accept = 'application/json') =>
    t
      .http()
      .get(path)
      .set('Authorization', `Bearer ${as('user_a')}`)
      .set('Accept', accept);

  it('credits consumed and enrichments charged per day and field or user, as JSON or CSV', async () => {
    await t
      .http()
      .post(`/api/v1/admin/orgs/${org}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
      .send({ amount: 1000, source: 'manual' })
      .expect(201);
    const ids = await leadIds(t.dataSource, 10, 2750);
    let captured = 0;
    for (const [sub, personIds] of [
      ['user_a', ids.slice(0, 5)],
      ['user_b', ids.slice(5, 10)],
    ] as const) {
      const res = await t
        .http()
        .post('/api/v1/operations/enrichment/batch')
        .set('Authorization', `Bearer ${as(sub)}`)
        .send({ personIds, field: 'emails' })
        .expect(201);
      const operation = await waitFor(async () => {
        const op = await get(`/api/v1/operations/enrichment/operations/${res.headers['x-operation-id']}`);
        return op.body.status === 'completed' && op.body;
      });
      captured += operation.credits.captured;
    }
    const today = new Date().toISOString().slice(0, 10);

    const byField = await get('/api/v1/operations/credits/usage?groupBy=day&by=field').expect(200);
    expect(byField.body).toMatchObject({ groupBy: 'day', by: 'field' });
    const total = (rows: { creditsConsumed: number }[]) => rows.reduce((sum, row) => sum + row.creditsConsumed, 0);
    expect(total(byField.body.rows)).toBe(captured);
    for (const row of byField.body.rows) {
      expect(row).toMatchObject({ period: today, key: 'emails' });
      expect(row.creditsConsumed).toBe(row.enrichmentsCharged * 5);
    }

    const byUser = await get('/api/v1/operations/credits/usage?groupBy=month&by=user').expect(200);
    expect(total(byUser.body.rows)).toBe(captured);
    expect(
      byUser.body.rows.every((row: { key: string; period: string }) => ['user_a', 'user_b'].includes(row.key)),
    ).toBe(true);
    expect(byUser.body.rows[0].period).toBe(today.slice(0, 7));

    const csv = await get('/api/v1/operations/credits/usage?by=user', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('period,user,creditsConsumed,enrichmentsCharged');
    expect(lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[2]), 0)).toBe(captured);

    for (const query of [
      'groupBy=week',
      'by=team',
      'from=yesterday',
      'from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    ]) {
      const bad = await get(`/api/v1/operations/credits/usage?${query}`).expect(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});
