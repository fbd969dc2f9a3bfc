import { Role } from '../libs/auth/src';
import { EnrichmentResources } from './support/enrichment-resources';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import type { Enrichment } from './support/requests';
import { leadIds, tokenFor, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/** The operation resource: progress, cancel, and its completion webhook. */
describe('Operations', () => {
  const r = new EnrichmentResources('org_res');

  it('operations: cancel releases the held credits of what has not started, at once; others’ operations are 404', async () => {
    await r.grant(1000);
    await r.queue.pause(true);
    const ids = await leadIds(r.t.dataSource, 20, 2000);
    const res = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'phones' })
      .expect(201);
    const operationId = res.headers['x-operation-id'];
    await r
      .as(tokenFor(r.t.config, { orgId: 'org_elsewhere' }))
      .get(`/api/v1/operations/enrichment/operations/${operationId}`)
      .expect(404);
    await r
      .as(tokenFor(r.t.config, { orgId: 'org_elsewhere' }))
      .post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`)
      .expect(404);
    await r.as(r.member).get('/api/v1/operations/enrichment/operations/nope').expect(400);

    const cancelled = await r
      .as(r.member)
      .post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`)
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      pending: 0,
      cancelled: 20,
      credits: { held: 0, captured: 0, released: 400 },
    });
    expect((await r.as(r.member).get('/api/v1/operations/credits/balance')).body.balance).toBe(1000);
    // Cancelling twice changes nothing.
    await r.as(r.member).post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`).expect(200);
    await r.queue.resume(true);
    const audit = await auditOrg(r.t.dataSource, r.org);
    expect(audit).toMatchObject({ available: 1000, held: 0, released: 400 });
    expectLedgerConsistent(audit);

    // A new request retries cancelled enrichments with a new hold.
    const again = await r
      .as(r.member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids.slice(0, 2), field: 'phones' })
      .expect(201);
    expect(again.body.every((e: Enrichment) => e.status === 'pending')).toBe(true);
    await r.waitForOperation(again.headers['x-operation-id']);
  });

  it('webhooks: a completed operation is POSTed, signed, to the r.org’s endpoints', async () => {
    await r.grant(1000);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const receiver = await new WebhookReceiver(secret).start();
    try {
      const owner = tokenFor(r.t.config, { orgId: r.org, sub: 'owner_res', role: Role.OWNER });
      await r.as(owner).post('/api/v1/webhooks', { url: receiver.url, secret }).expect(201);
      const res = await r
        .as(r.member)
        .post('/api/v1/operations/enrichment/batch', {
          personIds: await leadIds(r.t.dataSource, 5, 2200),
          field: 'emails',
        })
        .expect(201);
      const operationId = res.headers['x-operation-id'];
      const delivery = await waitFor(async () =>
        receiver.received.find((call) => JSON.parse(call.body).data.operationId === operationId),
      );
      expect(delivery.verified).toBe(true);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'operation.completed',
        data: { operationId, kind: 'batch', field: 'emails', total: 5, created: 5 },
      });
    } finally {
      await receiver.stop();
    }
  });
});
