import { EnrichmentResources } from './support/enrichment-resources';
import type { Enrichment } from './support/requests';
import { tokenFor } from './support/test-app';

/** POST /leads/search: the page bulk mode reproduces, with the org’s own enriched data. */
describe('Lead search', () => {
  const r = new EnrichmentResources('org_res');

  it('lead search: the page bulk mode reproduces, with only this org’s enriched data', async () => {
    await r.grant(10_000);
    await r.grant(10_000, 'org_other');
    const filters = { department: ['Engineering'] };
    const page = await r.as(r.member).post('/api/v1/leads/search', { filters, page: 2, size: 25 }).expect(200);
    expect(page.body).toMatchObject({ number: 2, size: 25, numberOfElements: 25, first: false, empty: false });
    expect(page.body.totalPages).toBe(Math.ceil(page.body.totalElements / 25));
    const bulk = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/bulk', {
        selection: { mode: 'bulk', startIndex: 50, targetCount: 25, filters },
        field: 'emails',
      })
      .expect(201);
    expect(bulk.body.map((e: Enrichment) => e.entityId)).toEqual(page.body.content.map((p: { id: string }) => p.id));
    await r.waitForOperation(bulk.headers['x-operation-id']);

    const other = tokenFor(r.t.config, { orgId: 'org_other' });
    await r
      .as(other)
      .post('/api/v1/operations/enrichment/bulk', {
        selection: { mode: 'bulk', startIndex: 50, targetCount: 25, filters },
        field: 'phones',
      })
      .expect(201);
    const after = await r.as(r.member).post('/api/v1/leads/search', { filters, page: 2, size: 25 }).expect(200);
    const withEmails = after.body.content.filter((p: { emails: unknown[] }) => p.emails.length > 0);
    expect(withEmails.length).toBeGreaterThan(0);
    expect(after.body.content.every((p: { phones: unknown[] }) => p.phones.length === 0)).toBe(true);
    const fresh = await r
      .as(tokenFor(r.t.config, { orgId: 'org_third' }))
      .post('/api/v1/leads/search', { filters, page: 2, size: 25 })
      .expect(200);
    expect(fresh.body.content.every((p: { emails: unknown[] }) => p.emails.length === 0)).toBe(true);

    for (const body of [{ filters, size: 101 }, { filters, page: -1 }, { filters: { colour: ['red'] } }, { page: 0 }]) {
      await r.as(r.member).post('/api/v1/leads/search', body).expect(400);
    }
    const beyond = await r.as(r.member).post('/api/v1/leads/search', { filters, page: 100000, size: 100 }).expect(200);
    expect(beyond.body).toMatchObject({ empty: true, numberOfElements: 0, last: true });
  });
});
