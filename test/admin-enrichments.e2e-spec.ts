import { EnrichmentResources } from './support/enrichment-resources';
import { leadIds } from './support/test-app';

/** The admin console’s org view, enrichment list, retry, operation cancel and audit log. */
describe('Admin console: enrichments and operations', () => {
  const r = new EnrichmentResources('org_res');

  it('admin console: org view, enrichment list, retry, cancel, audit log; members are refused', async () => {
    await r.grant(1000);
    await r.queue.pause(true);
    const ids = await leadIds(r.t.dataSource, 4, 2100);
    const res = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' })
      .expect(201);
    const operationId = res.headers['x-operation-id'];
    const cancelled = await r.as(r.admin).post(`/api/v1/admin/operations/${operationId}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await r.queue.resume(true);

    const list = await r
      .as(r.admin)
      .get(`/api/v1/admin/enrichments?orgId=${r.org}&status=cancelled&field=emails&size=2`)
      .expect(200);
    expect(list.body).toMatchObject({ totalElements: 4, totalPages: 2, size: 2, numberOfElements: 2 });
    const retried = await r.as(r.admin).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ id: res.body[0].id, status: 'pending', createdBy: 'admin_res' });
    expect(retried.body.creditTransactionId).not.toBe(res.body[0].creditTransactionId);
    await r.as(r.admin).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(409);
    await r.as(r.admin).post('/api/v1/admin/enrichments/00000000-0000-4000-8000-000000000000/retry').expect(404);

    const view = await r.as(r.admin).get(`/api/v1/admin/orgs/${r.org}`).expect(200);
    expect(view.body).toMatchObject({ organizationId: r.org, enrichmentsByStatus: { cancelled: 3 } });
    expect(view.body.balance + view.body.held).toBeLessThanOrEqual(1000);

    const auditLog = await r.as(r.admin).get(`/api/v1/admin/audit?orgId=${r.org}`).expect(200);
    expect(auditLog.body.content.map((e: { action: string }) => e.action)).toEqual([
      'enrichment.retry',
      'operation.cancel',
      'credits.grant',
    ]);
    expect(auditLog.body.content[0]).toMatchObject({
      actorId: 'admin_res',
      actorOrgId: 'org_ops',
      targetType: 'enrichment',
      targetId: res.body[0].id,
    });

    for (const path of [`/api/v1/admin/orgs/${r.org}`, '/api/v1/admin/enrichments', '/api/v1/admin/audit']) {
      await r.as(r.member).get(path).expect(403);
    }
    await r.as(r.member).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(403);
    await r.as(r.admin).get('/api/v1/admin/enrichments?status=lost').expect(400);
  });
});
