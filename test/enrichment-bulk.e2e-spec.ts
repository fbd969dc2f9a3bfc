import { DataSource } from 'typeorm';
import { Role } from '../libs/auth/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

const ENRICHMENT_KEYS = [
  'createdAt',
  'createdBy',
  'creditTransactionId',
  'dataFound',
  'entityId',
  'entityType',
  'error',
  'field',
  'globalEnrichmentId',
  'id',
  'orgId',
  'status',
  'updatedAt',
].sort();

describe('POST /api/v1/operations/enrichment/bulk', () => {
  let t: TestApp;
  let db: DataSource;
  const orgId = 'org_bulk';
  let token: string;

  beforeAll(async () => {
    // No workers: these tests look at what the request itself writes.
    t = await createTestApp({ RUN_WORKERS: 'false' });
    db = t.dataSource;
    token = tokenFor(t.config, { orgId, sub: 'user_2abc123' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, db));

  async function grant(amount: number, org = orgId): Promise<void> {
    await t
      .http()
      .post(`/api/v1/admin/orgs/${org}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_admin', role: Role.ADMIN })}`)
      .send({ amount, source: 'manual' })
      .expect(201);
  }

  it('manual mode: holds credits and returns 13-key pending objects in selection order, duplicates collapsed', async () => {
    await grant(1000);
    const ids = await leadIds(db, 3, 10);
    const res = await t
      .http()
      .post('/api/v1/operations/enrichment/bulk')
      .set('Authorization', `Bearer ${token}`)
      .send({ selection: { mode: 'manual', includedIds: [ids[2], ids[0], ids[2], ids[1]] }, field: 'emails' })
      .expect(201);
    expect(res.body.map((e: { entityId: string }) => e.entityId)).toEqual([ids[2], ids[0], ids[1]]);
    for (const enrichment of res.body) {
      expect(Object.keys(enrichment).sort()).toEqual(ENRICHMENT_KEYS);
      expect(enrichment).toMatchObject({
        entityType: 'person',
        field: 'emails',
        status: 'pending',
        error: null,
        createdBy: 'user_2abc123',
        orgId,
        globalEnrichmentId: null,
        dataFound: null,
      });
    }
    const holdIds = new Set(res.body.map((e: { creditTransactionId: string }) => e.creditTransactionId));
    expect(holdIds.size).toBe(1);
    const balance = await t.http().get('/api/v1/operations/credits/balance').set('Authorization', `Bearer ${token}`);
    expect(balance.body).toEqual({ balance: 1000 - 3 * 5, organizationId: orgId });
  });
});
