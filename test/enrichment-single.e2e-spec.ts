import { EnrichmentResources } from './support/enrichment-resources';
import { leadIds, tokenFor, waitFor } from './support/test-app';

/** POST and GET /enrichment/:personId. */
describe('Single-lead enrichment', () => {
  const r = new EnrichmentResources('org_res');

  it('single lead: POST creates, GET shows the found data once finished; 404s and 400s', async () => {
    await r.grant(1000);
    const ids = await leadIds(r.t.dataSource, 30, 1800);
    await r.as(r.member).get(`/api/v1/operations/enrichment/${ids[0]}?field=emails`).expect(404);
    for (const id of ids) await r.as(r.member).post(`/api/v1/operations/enrichment/${id}?field=emails`).expect(201);
    const rows = await waitFor(async () => {
      const all = await Promise.all(
        ids.map((id) => r.as(r.member).get(`/api/v1/operations/enrichment/${id}?field=emails`)),
      );
      return all.every((r) => r.body.status === 'finished') && all.map((r) => r.body);
    });
    const found = rows.find((row) => row.dataFound);
    const missed = rows.find((row) => row.dataFound === false);
    expect(found.data.emails[0]).toEqual({
      address: expect.stringContaining('@'),
      verificationStatus: expect.stringMatching(/verified|likely|unverified/),
      // Provenance (GDPR Art. 14): which provider, found and last confirmed when.
      source: expect.stringMatching(/^sim-email-/),
      foundAt: expect.any(String),
      lastConfirmedAt: expect.any(String),
    });
    expect(missed.data).toBeNull();
    expect(
      (await r.as(r.member).post(`/api/v1/operations/enrichment/${ids[0]}?field=emails`).expect(201)).body.id,
    ).toBe(rows[0].id);

    await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/00000000-0000-4000-8000-000000000000?field=emails')
      .expect(404);
    await r.as(r.member).post(`/api/v1/operations/enrichment/not-a-uuid?field=emails`).expect(400);
    await r.as(r.member).post(`/api/v1/operations/enrichment/${ids[0]}?field=fax`).expect(400);
    await r.as(r.member).post(`/api/v1/operations/enrichment/${ids[0]}`).expect(400);
    // Another r.org sees none of it.
    await r
      .as(tokenFor(r.t.config, { orgId: 'org_elsewhere' }))
      .get(`/api/v1/operations/enrichment/${ids[0]}?field=emails`)
      .expect(404);
  });
});
