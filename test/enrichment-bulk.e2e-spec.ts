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
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
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
    // The timestamps are the stored ones, as ISO 8601 in UTC with milliseconds (formatted by the query).
    const stored: { id: string; created_at: Date; updated_at: Date }[] = await db.query(
      'SELECT id, created_at, updated_at FROM enrichment WHERE org_id = $1',
      [orgId],
    );
    for (const enrichment of res.body) {
      const row = stored.find((candidate) => candidate.id === enrichment.id);
      expect([enrichment.createdAt, enrichment.updatedAt]).toEqual([
        row?.created_at.toISOString(),
        row?.updated_at.toISOString(),
      ]);
    }
    const holdIds = new Set(res.body.map((e: { creditTransactionId: string }) => e.creditTransactionId));
    expect(holdIds.size).toBe(1);
    const balance = await t.http().get('/api/v1/operations/credits/balance').set('Authorization', `Bearer ${token}`);
    expect(balance.body).toEqual({ balance: 1000 - 3 * 5, organizationId: orgId, held: 3 * 5, nextExpiry: null });
  });

  function bulk(body: unknown, bearer = token) {
    return t
      .http()
      .post('/api/v1/operations/enrichment/bulk')
      .set('Authorization', `Bearer ${bearer}`)
      .send(body as object);
  }

  async function counts(org = orgId): Promise<{ enrichments: number; transactions: number }> {
    const [row] = await db.query(
      `SELECT (SELECT count(*)::int FROM enrichment WHERE org_id = $1) AS enrichments,
              (SELECT count(*)::int FROM credit_transaction WHERE org_id = $1) AS transactions`,
      [org],
    );
    return row;
  }

  it('bulk mode: the window [startIndex, startIndex + targetCount) of the filtered search, minus excludedIds', async () => {
    await grant(10_000);
    const filters = { job_title: ['software engineer', 'DEVELOPER'], location: { country: ['United States'] } };
    const expected: { id: string }[] = await db.query(
      `SELECT id FROM person WHERE lower(job_title) IN ('software engineer', 'developer') AND lower(country) = 'united states'
        ORDER BY last_name, first_name, id OFFSET 5 LIMIT 40`,
    );
    expect(expected).toHaveLength(40);
    const excluded = [expected[0].id, expected[7].id];
    const res = await bulk({
      selection: { mode: 'bulk', startIndex: 5, targetCount: 40, excludedIds: excluded, filters },
      field: 'phones',
    }).expect(201);
    expect(res.body.map((e: { entityId: string }) => e.entityId)).toEqual(
      expected.map((row) => row.id).filter((id) => !excluded.includes(id)),
    );
    const audit = await db.query(`SELECT held FROM credit_account WHERE org_id = $1`, [orgId]);
    expect(audit[0].held).toBe(38 * 20);
  });

  it('bulk mode: every filter kind narrows the search (skills, seniority, department, location, company)', async () => {
    await grant(100_000);
    const [sample] = await db.query('SELECT * FROM person ORDER BY id LIMIT 1');
    const filters = {
      job_title: [sample.job_title.toUpperCase()],
      seniority: [sample.seniority],
      department: [sample.department.toLowerCase()],
      skills: [sample.skills[0].toUpperCase(), 'no-such-skill'],
      location: { country: sample.country, city: [sample.city] },
      company: {
        name: [sample.company_name],
        domain: sample.company_domain,
        industry: [sample.company_industry],
        employee_size: { min: sample.company_employee_size, max: sample.company_employee_size },
      },
    };
    const res = await bulk({
      selection: { mode: 'bulk', startIndex: 0, targetCount: 1000, filters },
      field: 'emails',
    }).expect(201);
    const ids = res.body.map((e: { entityId: string }) => e.entityId);
    expect(ids).toContain(sample.id);
    const matching: { id: string }[] = await db.query(
      `SELECT id FROM person WHERE lower(job_title) = lower($1) AND seniority = $2 AND department = $3 AND $4 = ANY(skills)
          AND country = $5 AND city = $6 AND company_name = $7 AND company_domain = $8 AND company_industry = $9
          AND company_employee_size = $10 ORDER BY last_name, first_name, id`,
      [
        sample.job_title,
        sample.seniority,
        sample.department,
        sample.skills[0],
        sample.country,
        sample.city,
        sample.company_name,
        sample.company_domain,
        sample.company_industry,
        sample.company_employee_size,
      ],
    );
    expect(ids).toEqual(matching.map((row) => row.id));
  });

  it('an unknown filter key is a 400 naming it, never ignored, and nothing is written', async () => {
    await grant(1000);
    const res = await bulk({
      selection: { mode: 'bulk', startIndex: 0, targetCount: 10, filters: { job_titel: ['Developer'] } },
      field: 'emails',
    }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.body.error.details)).toContain('selection.filters.job_titel');
    expect(await counts()).toEqual({ enrichments: 0, transactions: 1 });
  });

  it('manual mode: unknown lead ids are a 400 that names them', async () => {
    await grant(1000);
    const [known] = await leadIds(db, 1);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await bulk({ selection: { mode: 'manual', includedIds: [known, unknown] }, field: 'emails' }).expect(
      400,
    );
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.unknownIds).toEqual([unknown]);
    expect(await counts()).toEqual({ enrichments: 0, transactions: 1 });
  });

  it('402 INSUFFICIENT_CREDITS with required and available, and nothing written', async () => {
    await grant(40);
    const ids = await leadIds(db, 3, 50);
    const res = await bulk({ selection: { mode: 'manual', includedIds: ids }, field: 'phones' }).expect(402);
    expect(res.body).toEqual({
      error: { code: 'INSUFFICIENT_CREDITS', message: expect.any(String), details: { required: 60, available: 40 } },
    });
    expect(await counts()).toEqual({ enrichments: 0, transactions: 1 });
    const balance = await db.query('SELECT available, held FROM credit_account WHERE org_id = $1', [orgId]);
    expect(balance[0]).toEqual({ available: 40, held: 0 });
  });

  it('an org without any account gets 402 and no account row is left behind', async () => {
    const ids = await leadIds(db, 1, 60);
    const res = await bulk(
      { selection: { mode: 'manual', includedIds: ids }, field: 'emails' },
      tokenFor(t.config, { orgId: 'org_new' }),
    );
    expect(res.status).toBe(402);
    expect(res.body.error.details).toEqual({ required: 5, available: 0 });
    expect(await db.query(`SELECT * FROM credit_account WHERE org_id = 'org_new'`)).toEqual([]);
  });

  it('dedupe: a second request reuses the existing enrichments, charges only the new leads, and keeps one row per lead', async () => {
    await grant(1000);
    const ids = await leadIds(db, 4, 70);
    const first = await bulk({ selection: { mode: 'manual', includedIds: ids.slice(0, 3) }, field: 'emails' }).expect(
      201,
    );
    const second = await bulk({ selection: { mode: 'manual', includedIds: ids }, field: 'emails' }).expect(201);
    expect(second.body.slice(0, 3)).toEqual(first.body);
    expect(second.body[3].creditTransactionId).not.toBe(first.body[0].creditTransactionId);
    const third = await bulk({ selection: { mode: 'manual', includedIds: ids }, field: 'emails' }).expect(201);
    expect(third.body).toEqual(second.body);
    expect(await counts()).toEqual({ enrichments: 4, transactions: 3 });
    const balance = await db.query('SELECT available, held FROM credit_account WHERE org_id = $1', [orgId]);
    expect(balance[0]).toEqual({ available: 1000 - 20, held: 20 });
    // Another field is another enrichment.
    await bulk({ selection: { mode: 'manual', includedIds: ids.slice(0, 1) }, field: 'phones' }).expect(201);
    expect((await counts()).enrichments).toBe(5);
  });

  it('50 concurrent identical requests create one enrichment per lead and one hold', async () => {
    await grant(1000);
    const ids = await leadIds(db, 5, 80);
    const body = { selection: { mode: 'manual', includedIds: ids }, field: 'emails' };
    const responses = await Promise.all(Array.from({ length: 50 }, () => bulk(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const holds = new Set(
      responses.flatMap((r) => r.body.map((e: { creditTransactionId: string }) => e.creditTransactionId)),
    );
    expect(holds.size).toBe(1);
    expect(await counts()).toEqual({ enrichments: 5, transactions: 2 });
    const balance = await db.query('SELECT available, held FROM credit_account WHERE org_id = $1', [orgId]);
    expect(balance[0]).toEqual({ available: 975, held: 25 });
  });

  it('concurrent requests over a small balance never overspend, and the ledger sums to the balance', async () => {
    await grant(100); // enough for 5 of the 20 requests below (4 leads × 5 credits each)
    const ids = await leadIds(db, 80, 200);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bulk({ selection: { mode: 'manual', includedIds: ids.slice(i * 4, i * 4 + 4) }, field: 'emails' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 402)).toHaveLength(15);
    const [ledger] = await db.query(
      `SELECT a.available, a.held,
              (SELECT coalesce(sum(CASE type WHEN 'credit_added' THEN amount WHEN 'credit_reserved' THEN -amount
                                             WHEN 'credit_released' THEN amount ELSE 0 END), 0)::int
                 FROM credit_transaction WHERE org_id = $1) AS ledger_available
         FROM credit_account a WHERE org_id = $1`,
      [orgId],
    );
    expect(ledger).toEqual({ available: 0, held: 100, ledger_available: 0 });
    expect((await counts()).enrichments).toBe(20);
  });
});
