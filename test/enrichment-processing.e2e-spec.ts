import { isValidPhoneNumber } from 'libphonenumber-js';
import { enrich, Enrichment, grant } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { auditOrg, expectLedgerConsistent } from './support/ledger';

async function poll(t: TestApp, orgId: string, ids: string[], field = 'emails'): Promise<Enrichment[]> {
  const res = await t
    .http()
    .post('/api/v1/operations/enrichment/batch/query')
    .set('Authorization', `Bearer ${tokenFor(t.config, { orgId })}`)
    .send({ tasks: ids.map((entityId) => ({ entityId, field })) })
    .expect(200);
  return res.body;
}

function allFinal(rows: Enrichment[]): boolean {
  return rows.every((row) => ['finished', 'failed'].includes(row.status));
}

describe('Processing: waterfall, settlement, cache, retries', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', ENRICHMENT_BATCH_SIZE: '10', JOB_BACKOFF_MS: '10' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  it('finishes every enrichment and charges only the found ones', async () => {
    await grant(t, 'org_proc', 10_000);
    const ids = await leadIds(t.dataSource, 60, 100);
    await enrich(t, 'org_proc', ids);
    const rows = await waitFor(async () => {
      const polled = await poll(t, 'org_proc', ids);
      return allFinal(polled) && polled;
    });
    const found = rows.filter((row) => row.dataFound === true);
    const missed = rows.filter((row) => row.dataFound === false);
    // The simulated defaults find some leads and miss others.
    expect(found.length).toBeGreaterThan(0);
    expect(missed.length).toBeGreaterThan(0);
    expect(found.length + missed.length).toBe(60);
    for (const row of found) expect(row.globalEnrichmentId).not.toBeNull();
    for (const row of missed) expect(row.globalEnrichmentId).toBeNull();

    const audit = await auditOrg(t.dataSource, 'org_proc');
    expect(audit).toMatchObject({
      granted: 10_000,
      reserved: 300,
      consumed: found.length * 5,
      released: missed.length * 5,
    });
    expect(audit.held).toBe(0);
    expectLedgerConsistent(audit);

    // The found data is stored in the global cache, and looks real.
    const stored: { data: { emails: { address: string; verificationStatus: string }[] } }[] = await t.dataSource.query(
      'SELECT data FROM global_enrichment WHERE entity_id = $1',
      [found[0].entityId],
    );
    expect(stored[0].data.emails[0].address).toMatch(/^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/);
    expect(['verified', 'likely', 'unverified']).toContain(stored[0].data.emails[0].verificationStatus);
  });

  it('the same answer for the same lead: another org is served from the global cache, finished at once and charged', async () => {
    await grant(t, 'org_first', 1000);
    await grant(t, 'org_second', 1000);
    const ids = await leadIds(t.dataSource, 30, 400);
    await enrich(t, 'org_first', ids, 'phones');
    const first = await waitFor(async () => {
      const polled = await poll(t, 'org_first', ids, 'phones');
      return allFinal(polled) && polled;
    });
    const foundIds = first.filter((row) => row.dataFound).map((row) => row.entityId);
    expect(foundIds.length).toBeGreaterThan(0);

    const second = await enrich(t, 'org_second', foundIds, 'phones');
    for (const row of second) {
      expect(row.status).toBe('finished');
      expect(row.dataFound).toBe(true);
      expect(row.globalEnrichmentId).not.toBeNull();
    }
    const audit = await auditOrg(t.dataSource, 'org_second');
    expect(audit).toMatchObject({ consumed: foundIds.length * 20, held: 0, available: 1000 - foundIds.length * 20 });
    expectLedgerConsistent(audit);
    const phone: { data: { phones: { number: string; type: string }[] } }[] = await t.dataSource.query(
      "SELECT data FROM global_enrichment WHERE entity_id = $1 AND field = 'phones'",
      [foundIds[0]],
    );
    expect(isValidPhoneNumber(phone[0].data.phones[0].number)).toBe(true);
    expect(['mobile', 'direct', 'office']).toContain(phone[0].data.phones[0].type);
  });
});
