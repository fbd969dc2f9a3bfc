import { Role } from '../libs/auth/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';

interface Item {
  position: number;
  personId: string;
  status: string;
  dataFound: boolean | null;
  reused: boolean;
  charge: number;
  provider: string | null;
  receipt: { holdId: string; held: number; captured: number; released: number; provider: string | null };
}

describe('Receipts: per lead and per operation item', () => {
  let t: TestApp;
  const org = 'org_receipts';
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true' });
    member = tokenFor(t.config, { orgId: org, sub: 'user_receipts' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const get = (path: string, token = member) => t.http().get(path).set('Authorization', `Bearer ${token}`);
  const batch = (personIds: string[]) =>
    t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${member}`)
      .send({ personIds, field: 'emails' })
      .expect(201);

  it('every lead of an operation with its status, charge and provider; the receipt of one lead', async () => {
    await t
      .http()
      .post(`/api/v1/admin/orgs/${org}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
      .send({ amount: 1000, source: 'manual' })
      .expect(201);
    const ids = await leadIds(t.dataSource, 8, 2700);
    const first = await batch(ids.slice(0, 6));
    const operationId = first.headers['x-operation-id'];
    const operation = await waitFor(async () => {
      const res = await get(`/api/v1/operations/enrichment/operations/${operationId}`);
      return res.body.status === 'completed' && res.body;
    });

    const page0 = await get(`/api/v1/operations/enrichment/operations/${operationId}/items?page=0&size=4`).expect(200);
    expect(page0.body).toMatchObject({ totalElements: 6, totalPages: 2, number: 0, size: 4, numberOfElements: 4 });
    const page1 = await get(`/api/v1/operations/enrichment/operations/${operationId}/items?page=1&size=4`).expect(200);
    const items: Item[] = [...page0.body.content, ...page1.body.content];
    expect(items.map((item) => item.personId)).toEqual(ids.slice(0, 6));
    expect(items.map((item) => item.position)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const item of items) {
      expect(item.status).toBe('finished');
      expect(item.reused).toBe(false);
      expect(item.charge).toBe(item.dataFound ? 5 : 0);
      expect(item.receipt).toMatchObject({ held: 5, captured: item.charge, released: 5 - item.charge });
      expect(item.provider === null).toBe(!item.dataFound);
    }
    // The lines add up to the operation's captured credits: an invoice reconciles line by line.
    expect(items.reduce((sum, item) => sum + item.charge, 0)).toBe(operation.credits.captured);

    const one = await get(`/api/v1/operations/enrichment/${ids[0]}?field=emails`).expect(200);
    expect(one.body.receipt).toEqual({
      holdId: one.body.creditTransactionId,
      held: 5,
      captured: items[0].charge,
      released: 5 - items[0].charge,
      provider: items[0].provider,
      answeredAt: items[0].dataFound ? expect.any(String) : null,
      settledAt: expect.any(String),
    });

    // Asked again, the leads are reused: this operation charges nothing for them.
    const again = await batch(ids.slice(4, 8));
    const againId = again.headers['x-operation-id'];
    await waitFor(
      async () => (await get(`/api/v1/operations/enrichment/operations/${againId}`)).body.status === 'completed',
    );
    const lines: Item[] = (await get(`/api/v1/operations/enrichment/operations/${againId}/items`).expect(200)).body
      .content;
    expect(lines.map((line) => [line.reused, line.reused ? line.charge : 'new'])).toEqual([
      [true, 0],
      [true, 0],
      [false, 'new'],
      [false, 'new'],
    ]);

    await get('/api/v1/operations/enrichment/operations/00000000-0000-4000-8000-000000000000/items').expect(404);
    await get(
      `/api/v1/operations/enrichment/operations/${operationId}/items`,
      tokenFor(t.config, { orgId: 'org_other' }),
    ).expect(404);
    for (const query of ['size=0', 'size=1001', 'page=-1', 'page=x']) {
      await get(`/api/v1/operations/enrichment/operations/${operationId}/items?${query}`).expect(400);
    }
  });
});
