import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { EnrichmentProcessingService } from '../libs/enrichment/src/services/enrichment-processing.service';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';

describe('Guarantees: Idempotency-Key, holds that end, JSON only', () => {
  let t: TestApp;
  let queue: Queue;
  const org = 'org_idem';
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', ENRICHMENT_MAX_AGE_MS: '60000' });
    queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
    member = tokenFor(t.config, { orgId: org });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetState(t.config, t.dataSource);
    // The test decides when work happens.
    await queue.pause(true);
  });

  const grant = (amount: number, orgId = org) =>
    t
      .http()
      .post(`/api/v1/admin/orgs/${orgId}/credits`)
      .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
      .send({ amount, source: 'manual' })
      .expect(201);
  const batch = (body: object, key?: string, token = member) => {
    const req = t.http().post('/api/v1/operations/enrichment/batch').set('Authorization', `Bearer ${token}`);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const holds = async (orgId = org) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM credit_transaction WHERE org_id = $1 AND type = 'credit_reserved'`,
        [orgId],
      )
    )[0].n;

  it('the same key and body replay the first answer; no second hold', async () => {
    await grant(1000);
    const body = { personIds: await leadIds(t.dataSource, 3, 2300), field: 'emails' };
    const first = await batch(body, 'key-1').expect(201);
    const again = await batch({ field: 'emails', personIds: body.personIds }, 'key-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['x-operation-id']).toBe(first.headers['x-operation-id']);
    expect(await holds()).toBe(1);
  });

  it('the same key with another body is 422; invalid keys are 400', async () => {
    await grant(1000);
    const ids = await leadIds(t.dataSource, 2, 2310);
    await batch({ personIds: ids, field: 'emails' }, 'key-2').expect(201);
    const res = await batch({ personIds: ids, field: 'phones' }, 'key-2').expect(422);
    expect(res.body.error.code).toBe('UNPROCESSABLE');
    await batch({ personIds: ids, field: 'phones' }, 'key with spaces').expect(400);
    await batch({ personIds: ids, field: 'phones' }, 'x'.repeat(256)).expect(400);
    expect(await holds()).toBe(1);
  });

  it('concurrent retries with one key: one does the work, the others get 409 or the replay', async () => {
    await grant(1000);
    const body = { personIds: await leadIds(t.dataSource, 3, 2320), field: 'phones' };
    const responses = await Promise.all(Array.from({ length: 10 }, () => batch(body, 'key-3')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(await holds()).toBe(1);
  });

  it('failures are not stored: a 400 or a 402 releases the key for a corrected retry', async () => {
    const ids = await leadIds(t.dataSource, 2, 2330);
    await batch({ personIds: ids, field: 'fax' }, 'key-4').expect(400);
    await batch({ personIds: ids, field: 'emails' }, 'key-4').expect(402);
    await grant(1000);
    await batch({ personIds: ids, field: 'emails' }, 'key-4').expect(201);
    expect(await holds()).toBe(1);
  });

  it('keys are scoped to the org and forgotten after 24 hours', async () => {
    await grant(1000);
    await grant(1000, 'org_idem_b');
    const body = { personIds: await leadIds(t.dataSource, 1, 2340), field: 'emails' };
    await batch(body, 'key-5').expect(201);
    await batch(body, 'key-5', tokenFor(t.config, { orgId: 'org_idem_b' })).expect(201);
    expect(await holds('org_idem_b')).toBe(1);
    await t.dataSource.query(`UPDATE idempotency_key SET created_at = now() - interval '25 hours'`);
    const later = await batch(body, 'key-5').expect(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('holds that end: work not finished in time times out, releases its credits, and a late answer changes nothing', async () => {
    await grant(1000);
    const res = await batch({ personIds: await leadIds(t.dataSource, 4, 2350), field: 'phones' }).expect(201);
    const ids = res.body.map((e: { id: string }) => e.id);
    const processing = t.app.get(EnrichmentProcessingService);
    // One batch got as far as `processing` before the deadline.
    await t.dataSource.query(`UPDATE enrichment SET status = 'processing', job_id = 'late-job' WHERE id = $1`, [
      ids[0],
    ]);
    // Requested two minutes ago: past ENRICHMENT_MAX_AGE_MS without waiting for it.
    await t.dataSource.query(
      `UPDATE enrichment SET requested_at = now() - interval '2 minutes' WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(await processing.expireOverdue()).toBe(4);
    const rows: { status: string; error: string }[] = await t.dataSource.query('SELECT status, error FROM enrichment');
    expect(rows.every((row) => row.status === 'timeout' && /Not finished/.test(row.error))).toBe(true);
    await processing.processBatch('late-job', ids);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM enrichment WHERE status = 'timeout'`))[0].n).toBe(
      4,
    );
    const audit = await auditOrg(t.dataSource, org);
    expect(audit).toMatchObject({ available: 1000, held: 0, released: 80, consumed: 0 });
    expectLedgerConsistent(audit);
    const operation = await t
      .http()
      .get(`/api/v1/operations/enrichment/operations/${res.headers['x-operation-id']}`)
      .set('Authorization', `Bearer ${member}`)
      .expect(200);
    expect(operation.body).toMatchObject({ status: 'completed', failed: 4 });
  });

  it('a body that is not JSON is 415', async () => {
    const res = await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('Authorization', `Bearer ${member}`)
      .set('Content-Type', 'text/plain')
      .send('personIds=1')
      .expect(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('clean shutdown: closing the app lets the running batch finish and starts no new one', async () => {
    const slow = await createTestApp({
      RUN_WORKERS: 'true',
      SIM_LATENCY_MS: '800',
      ENRICHMENT_BATCH_SIZE: '2',
      WORKER_CONCURRENCY: '1',
    });
    let ids: string[] = [];
    try {
      await slow
        .http()
        .post('/api/v1/admin/orgs/org_drain/credits')
        .set('Authorization', `Bearer ${tokenFor(slow.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
        .send({ amount: 1000, source: 'manual' })
        .expect(201);
      const res = await slow
        .http()
        .post('/api/v1/operations/enrichment/batch')
        .set('Authorization', `Bearer ${tokenFor(slow.config, { orgId: 'org_drain' })}`)
        .send({ personIds: await leadIds(slow.dataSource, 6, 2400), field: 'emails' })
        .expect(201);
      ids = res.body.map((e: { id: string }) => e.id);
      await waitFor(async () => {
        const [{ n }] = await slow.dataSource.query(
          `SELECT count(*)::int AS n FROM enrichment WHERE status = 'processing'`,
        );
        return n > 0;
      });
    } finally {
      await slow.close();
    }
    const rows: { status: string }[] = await t.dataSource.query(
      'SELECT status FROM enrichment WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const statuses = rows.map((row) => row.status);
    // The batch that was running finished; nothing is left half-done; the rest waits, pending, for the next worker.
    expect(statuses).not.toContain('processing');
    expect(statuses.filter((status) => status === 'finished').length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((status) => status === 'pending').length).toBeGreaterThanOrEqual(2);
  });

  it('a pooled connection that fails while checked out is logged, not fatal to the process', async () => {
    const pool = (t.dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    try {
      // What node-postgres does when PostgreSQL terminates the backend between two queries:
      // with no listener, Node would turn this into an uncaught exception and kill the API.
      expect(() =>
        client.emit('error', new Error('terminating connection due to administrator command')),
      ).not.toThrow();
    } finally {
      client.release(true);
    }
    await t.http().get('/api/v1/operations/credits/balance').set('Authorization', `Bearer ${member}`).expect(200);
  });
});
