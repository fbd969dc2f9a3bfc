import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

interface Enrichment {
  id: string;
  entityId: string;
  status: string;
  dataFound: boolean | null;
  creditTransactionId: string | null;
}

describe('Batch, single lead, lead search, operations, dry run, admin console', () => {
  let t: TestApp;
  let queue: Queue;
  const org = 'org_res';
  let member: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', ENRICHMENT_BATCH_SIZE: '10' });
    queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
    member = tokenFor(t.config, { orgId: org, sub: 'user_res' });
    admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_res', role: Role.ADMIN });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetState(t.config, t.dataSource);
    await queue.resume(true);
  });

  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const grant = (amount: number, orgId = org) =>
    as(admin).post(`/api/v1/admin/orgs/${orgId}/credits`, { amount, source: 'manual' }).expect(201);
  const waitForOperation = (id: string, status = 'completed') =>
    waitFor(async () => {
      const res = await as(member).get(`/api/v1/operations/enrichment/operations/${id}`);
      return res.body.status === status && res.body;
    });

  it('batch: manual semantics, operation headers, 402, validation', async () => {
    await grant(100);
    const ids = await leadIds(t.dataSource, 3, 1500);
    const res = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: [ids[1], ids[0], ids[1], ids[2]], field: 'emails' })
      .expect(201);
    expect(res.body.map((e: Enrichment) => e.entityId)).toEqual([ids[1], ids[0], ids[2]]);
    const operationId = res.headers['x-operation-id'];
    expect(res.headers.location).toBe(`/api/v1/operations/enrichment/operations/${operationId}`);
    const operation = await waitForOperation(operationId);
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
    const again = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' })
      .expect(201);
    const reusedOperation = await as(member)
      .get(`/api/v1/operations/enrichment/operations/${again.headers['x-operation-id']}`)
      .expect(200);
    expect(reusedOperation.body).toMatchObject({
      status: 'completed',
      total: 3,
      reused: 3,
      created: 0,
      credits: { held: 0, captured: 0, released: 0 },
    });

    await as(member)
      .post('/api/v1/operations/enrichment/batch', {
        personIds: await leadIds(t.dataSource, 10, 1600),
        field: 'phones',
      })
      .expect(402);
    const tooMany = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const bad = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: tooMany, field: 'emails' })
      .expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('personIds');
    // Unknown ids name the field the caller sent (personIds), not bulk's selection.includedIds.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await as(member)
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
    await grant(50);
    await queue.pause(true); // keeps the ledger still while we compare it
    const ids = await leadIds(t.dataSource, 6, 1700);
    await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids.slice(0, 2), field: 'emails' })
      .expect(201);
    const before = await auditOrg(t.dataSource, org);
    const dry = await as(member)
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
    const bulkDry = await as(member)
      .post('/api/v1/operations/enrichment/bulk?dryRun=true', {
        selection: { mode: 'bulk', startIndex: 0, targetCount: 100, filters: {} },
        field: 'phones',
      })
      .expect(200);
    expect(bulkDry.body).toMatchObject({ selected: 100, billable: 100, requiredCredits: 2000, sufficient: false });
    expect(await auditOrg(t.dataSource, org)).toEqual(before);
    await as(member)
      .post('/api/v1/operations/enrichment/batch?dryRun=maybe', { personIds: ids, field: 'emails' })
      .expect(400);
  });

  it('single lead: POST creates, GET shows the found data once finished; 404s and 400s', async () => {
    await grant(1000);
    const ids = await leadIds(t.dataSource, 30, 1800);
    await as(member).get(`/api/v1/operations/enrichment/${ids[0]}?field=emails`).expect(404);
    for (const id of ids) await as(member).post(`/api/v1/operations/enrichment/${id}?field=emails`).expect(201);
    const rows = await waitFor(async () => {
      const all = await Promise.all(
        ids.map((id) => as(member).get(`/api/v1/operations/enrichment/${id}?field=emails`)),
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
    expect((await as(member).post(`/api/v1/operations/enrichment/${ids[0]}?field=emails`).expect(201)).body.id).toBe(
      rows[0].id,
    );

    await as(member)
      .post('/api/v1/operations/enrichment/00000000-0000-4000-8000-000000000000?field=emails')
      .expect(404);
    await as(member).post(`/api/v1/operations/enrichment/not-a-uuid?field=emails`).expect(400);
    await as(member).post(`/api/v1/operations/enrichment/${ids[0]}?field=fax`).expect(400);
    await as(member).post(`/api/v1/operations/enrichment/${ids[0]}`).expect(400);
    // Another org sees none of it.
    await as(tokenFor(t.config, { orgId: 'org_elsewhere' }))
      .get(`/api/v1/operations/enrichment/${ids[0]}?field=emails`)
      .expect(404);
  });

  it('lead search: the page bulk mode reproduces, with only this org’s enriched data', async () => {
    await grant(10_000);
    await grant(10_000, 'org_other');
    const filters = { department: ['Engineering'] };
    const page = await as(member).post('/api/v1/leads/search', { filters, page: 2, size: 25 }).expect(200);
    expect(page.body).toMatchObject({ number: 2, size: 25, numberOfElements: 25, first: false, empty: false });
    expect(page.body.totalPages).toBe(Math.ceil(page.body.totalElements / 25));
    const bulk = await as(member)
      .post('/api/v1/operations/enrichment/bulk', {
        selection: { mode: 'bulk', startIndex: 50, targetCount: 25, filters },
        field: 'emails',
      })
      .expect(201);
    expect(bulk.body.map((e: Enrichment) => e.entityId)).toEqual(page.body.content.map((p: { id: string }) => p.id));
    await waitForOperation(bulk.headers['x-operation-id']);

    const other = tokenFor(t.config, { orgId: 'org_other' });
    await as(other)
      .post('/api/v1/operations/enrichment/bulk', {
        selection: { mode: 'bulk', startIndex: 50, targetCount: 25, filters },
        field: 'phones',
      })
      .expect(201);
    const after = await as(member).post('/api/v1/leads/search', { filters, page: 2, size: 25 }).expect(200);
    const withEmails = after.body.content.filter((p: { emails: unknown[] }) => p.emails.length > 0);
    expect(withEmails.length).toBeGreaterThan(0);
    expect(after.body.content.every((p: { phones: unknown[] }) => p.phones.length === 0)).toBe(true);
    const fresh = await as(tokenFor(t.config, { orgId: 'org_third' }))
      .post('/api/v1/leads/search', { filters, page: 2, size: 25 })
      .expect(200);
    expect(fresh.body.content.every((p: { emails: unknown[] }) => p.emails.length === 0)).toBe(true);

    for (const body of [{ filters, size: 101 }, { filters, page: -1 }, { filters: { colour: ['red'] } }, { page: 0 }]) {
      await as(member).post('/api/v1/leads/search', body).expect(400);
    }
    const beyond = await as(member).post('/api/v1/leads/search', { filters, page: 100000, size: 100 }).expect(200);
    expect(beyond.body).toMatchObject({ empty: true, numberOfElements: 0, last: true });
  });

  it('operations: cancel releases the held credits of what has not started, at once; others’ operations are 404', async () => {
    await grant(1000);
    await queue.pause(true);
    const ids = await leadIds(t.dataSource, 20, 2000);
    const res = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'phones' })
      .expect(201);
    const operationId = res.headers['x-operation-id'];
    await as(tokenFor(t.config, { orgId: 'org_elsewhere' }))
      .get(`/api/v1/operations/enrichment/operations/${operationId}`)
      .expect(404);
    await as(tokenFor(t.config, { orgId: 'org_elsewhere' }))
      .post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`)
      .expect(404);
    await as(member).get('/api/v1/operations/enrichment/operations/nope').expect(400);

    const cancelled = await as(member)
      .post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`)
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      pending: 0,
      cancelled: 20,
      credits: { held: 0, captured: 0, released: 400 },
    });
    expect((await as(member).get('/api/v1/operations/credits/balance')).body.balance).toBe(1000);
    // Cancelling twice changes nothing.
    await as(member).post(`/api/v1/operations/enrichment/operations/${operationId}/cancel`).expect(200);
    await queue.resume(true);
    const audit = await auditOrg(t.dataSource, org);
    expect(audit).toMatchObject({ available: 1000, held: 0, released: 400 });
    expectLedgerConsistent(audit);

    // A new request retries cancelled enrichments with a new hold.
    const again = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids.slice(0, 2), field: 'phones' })
      .expect(201);
    expect(again.body.every((e: Enrichment) => e.status === 'pending')).toBe(true);
    await waitForOperation(again.headers['x-operation-id']);
  });

  it('admin console: org view, enrichment list, retry, cancel, audit log; members are refused', async () => {
    await grant(1000);
    await queue.pause(true);
    const ids = await leadIds(t.dataSource, 4, 2100);
    const res = await as(member)
      .post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' })
      .expect(201);
    const operationId = res.headers['x-operation-id'];
    const cancelled = await as(admin).post(`/api/v1/admin/operations/${operationId}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await queue.resume(true);

    const list = await as(admin)
      .get(`/api/v1/admin/enrichments?orgId=${org}&status=cancelled&field=emails&size=2`)
      .expect(200);
    expect(list.body).toMatchObject({ totalElements: 4, totalPages: 2, size: 2, numberOfElements: 2 });
    const retried = await as(admin).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ id: res.body[0].id, status: 'pending', createdBy: 'admin_res' });
    expect(retried.body.creditTransactionId).not.toBe(res.body[0].creditTransactionId);
    await as(admin).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(409);
    await as(admin).post('/api/v1/admin/enrichments/00000000-0000-4000-8000-000000000000/retry').expect(404);

    const view = await as(admin).get(`/api/v1/admin/orgs/${org}`).expect(200);
    expect(view.body).toMatchObject({ organizationId: org, enrichmentsByStatus: { cancelled: 3 } });
    expect(view.body.balance + view.body.held).toBeLessThanOrEqual(1000);

    const auditLog = await as(admin).get(`/api/v1/admin/audit?orgId=${org}`).expect(200);
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

    for (const path of [`/api/v1/admin/orgs/${org}`, '/api/v1/admin/enrichments', '/api/v1/admin/audit']) {
      await as(member).get(path).expect(403);
    }
    await as(member).post(`/api/v1/admin/enrichments/${res.body[0].id}/retry`).expect(403);
    await as(admin).get('/api/v1/admin/enrichments?status=lost').expect(400);
  });

  it('webhooks: a completed operation is POSTed, signed, to the org’s endpoints', async () => {
    await grant(1000);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const receiver = await new WebhookReceiver(secret).start();
    try {
      const owner = tokenFor(t.config, { orgId: org, sub: 'owner_res', role: Role.OWNER });
      await as(owner).post('/api/v1/webhooks', { url: receiver.url, secret }).expect(201);
      const res = await as(member)
        .post('/api/v1/operations/enrichment/batch', {
          personIds: await leadIds(t.dataSource, 5, 2200),
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
