import { EnrichmentResources } from './support/enrichment-resources';
import { auditOrg } from './support/ledger';
import type { Enrichment } from './support/requests';
import { leadIds } from './support/test-app';

/** POST /enrichment/batch (manual semantics, operation headers, 402, validation) and `?dryRun=true` on bulk and batch. */
describe('Batch requests and dry runs', () => {
  const r = new EnrichmentResources('org_res');

  it('batch: manual semantics, operation headers, 402, validation', async () => {
    await r.grant(100);
    const ids = await leadIds(r.t.dataSource, 3, 1500);
    const res = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: [ids[1], ids[0], ids[1], ids[2]], field: 'emails' })
      .expect(201);
    expect(res.body.map((e: Enrichment) => e.entityId)).toEqual([ids[1], ids[0], ids[2]]);
    const operationId = res.headers['x-operation-id'];
    expect(res.headers.location).toBe(`/api/v1/operations/enrichment/operations/${operationId}`);
    const operation = await r.waitForOperation(operationId);
    expect(operation).toMatchObject({
      kind: 'batch',
      field: 'emails',
      total: 3,
      reused: 0,
      created: 3,
      pending: 0,
      finished: 3,
    });
    expect(operation.credits.held).toBe(0);
    expect(operation.credits.captured + operation.credits.released).toBe(15);
    expect(operation.credits.captured).toBe(operation.found * 5);
    // Everything reused and final: the new operation is complete at once, and charges nothing.
    const again = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' })
      .expect(201);
    const reusedOperation = await r
      .as(r.member)
      .get(`/api/v1/operations/enrichment/operations/${again.headers['x-operation-id']}`)
      .expect(200);
    expect(reusedOperation.body).toMatchObject({
      status: 'completed',
      total: 3,
      reused: 3,
      created: 0,
      credits: { held: 0, captured: 0, released: 0 },
    });

    await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', {
        personIds: await leadIds(r.t.dataSource, 10, 1600),
        field: 'phones',
      })
      .expect(402);
    const tooMany = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const bad = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: tooMany, field: 'emails' })
      .expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('personIds');
    // Unknown ids name the field the caller sent (personIds), not bulk's selection.includedIds.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: [ids[0], unknown], field: 'emails' })
      .expect(400);
    expect(missing.body.error.details).toEqual({
      fields: [{ field: 'personIds', messages: ['1 unknown lead id(s), listed in unknownIds'] }],
      field: 'personIds',
      unknownIds: [unknown],
      unknownCount: 1,
    });
  });

  it('dry run on bulk and batch: what it would select and cost, and nothing written', async () => {
    await r.grant(50);
    await r.queue.pause(true); // keeps the ledger still while we compare it
    const ids = await leadIds(r.t.dataSource, 6, 1700);
    await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids.slice(0, 2), field: 'emails' })
      .expect(201);
    const before = await auditOrg(r.t.dataSource, r.org);
    const dry = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch?dryRun=true', { personIds: ids, field: 'emails' })
      .expect(200);
    expect(dry.body).toEqual({
      selected: 6,
      reused: 2,
      billable: 4,
      requiredCredits: 20,
      availableCredits: 40,
      sufficient: true,
      limits: [],
      withinLimits: true,
    });
    const bulkDry = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/bulk?dryRun=true', {
        selection: { mode: 'bulk', startIndex: 0, targetCount: 100, filters: {} },
        field: 'phones',
      })
      .expect(200);
    expect(bulkDry.body).toMatchObject({ selected: 100, billable: 100, requiredCredits: 2000, sufficient: false });
    expect(await auditOrg(r.t.dataSource, r.org)).toEqual(before);
    await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch?dryRun=maybe', { personIds: ids, field: 'emails' })
      .expect(400);
  });
});
