import { CreditSource, CreditsService } from '../libs/credits/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

const HISTORY = '/api/v1/operations/credits/history';

interface Transaction {
  id: string;
  type: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * GET /credits/history exactly as the reference contract documents it: `limit` defaults to
 * 100,000, `count` is the number of transactions in this answer, each has `updatedAt`.
 * No workers run here (RUN_WORKERS=false): nothing settles between two reads, so every count
 * below is exact.
 */
describe('Credit history (the reference contract)', () => {
  let t: TestApp;
  const org = 'org_history';
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    member = tokenFor(t.config, { orgId: org, sub: 'user_history' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const history = (query = '') =>
    t.http().get(`${HISTORY}${query}`).set('Authorization', `Bearer ${member}`).expect(200);

  /** `entries` grants in one transaction: ledger rows the way the admin console writes them. */
  async function grants(entries: number): Promise<void> {
    const credits = t.app.get(CreditsService);
    await t.dataSource.transaction(async (manager) => {
      for (let i = 0; i < entries; i += 1) {
        await credits.grant(manager, { orgId: org, amount: 1, source: CreditSource.MANUAL, createdBy: 'test' });
      }
    });
  }

  it('limit defaults to 100,000: more than 100 entries come back without a limit', async () => {
    await grants(150);
    const res = await history();
    expect(res.body.transactions).toHaveLength(150);
    expect(res.body.count).toBe(150);
    const { body: doc } = await t.http().get('/docs-json').expect(200);
    const limit = doc.paths[HISTORY].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', default: 100_000, minimum: 1, maximum: 100_000 });
  });

  it('count is the number of transactions in this answer; total counts every entry between the dates', async () => {
    await grants(5);
    const page = await history('?limit=2&offset=1');
    expect(page.body.transactions).toHaveLength(2);
    expect(page.body.count).toBe(2);
    expect(page.body.total).toBe(5);
    const tail = await history('?limit=10&offset=4');
    expect(tail.body).toMatchObject({ count: 1, total: 5 });
    const future = await history('?startDate=2999-01-01T00:00:00Z');
    expect(future.body).toEqual({ transactions: [], count: 0, total: 0 });
  });

  it('every transaction carries updatedAt (the ledger is append-only: it equals createdAt)', async () => {
    await grants(1);
    await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${member}`)
      .send({ personIds: await leadIds(t.dataSource, 1, 2100), field: 'emails' })
      .expect(402); // one credit is not enough for 5: nothing is written
    await grants(10);
    await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${member}`)
      .send({ personIds: await leadIds(t.dataSource, 1, 2100), field: 'emails' })
      .expect(201);
    const res = await history();
    expect(res.body.count).toBe(12);
    expect(res.body.transactions.map((tx: Transaction) => tx.type)).toContain('credit_reserved');
    for (const tx of res.body.transactions as Transaction[]) {
      expect(tx.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(tx.updatedAt).toBe(tx.createdAt);
    }
  });

  it('every entry with its fields, filtered by date, only this org, bad queries refused', async () => {
    await grants(2);
    const res = await history();
    expect(res.body.transactions[0]).toMatchObject({
      organizationId: org,
      type: 'credit_added',
      amount: 1,
      operationType: null,
      source: 'manual',
    });
    const [newest] = res.body.transactions as Transaction[];
    const upTo = await history(`?endDate=${encodeURIComponent(newest.createdAt)}`);
    expect(upTo.body.total).toBe(2);
    for (const query of [
      'limit=0',
      'limit=100001',
      'limit=ten',
      'limit=1.5',
      'offset=-1',
      'startDate=yesterday',
      'startDate=-023855-09-02T04:31:51.344Z',
      'endDate=+275760-09-13T00:00:00.000Z',
    ]) {
      const bad = await t.http().get(`${HISTORY}?${query}`).set('Authorization', `Bearer ${member}`).expect(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
    const other = await t
      .http()
      .get(HISTORY)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_elsewhere' })}`)
      .expect(200);
    expect(other.body).toEqual({ transactions: [], count: 0, total: 0 });
  });
});
