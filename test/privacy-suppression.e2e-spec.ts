import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { QueueName } from '../libs/enrichment/src';
import { EnrichmentProcessingService } from '../libs/enrichment/src/services/enrichment-processing.service';
import { ProvidersService } from '../libs/providers/src';
import { auditOrg, expectLedgerConsistent } from './support/ledger';
import {
  adminToken,
  enrichAndWait,
  foundValues,
  memberToken,
  ownerToken,
  poll,
  searchPageWith,
} from './support/privacy-client';
import { enrich, grant } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp } from './support/test-app';

describe('Privacy: suppression lists', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', JOB_BACKOFF_MS: '10' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));
  afterEach(() => jest.restoreAllMocks());

  /** Leads the simulated email providers find, found once by a throwaway org so their values are known. */
  async function knownLeads(count: number, offset: number): Promise<{ ids: string[]; values: Map<string, string[]> }> {
    await grant(t, 'org_scout', 10_000);
    const candidates = await leadIds(t.dataSource, 40, offset);
    const rows = await enrichAndWait(t, 'org_scout', candidates);
    const ids = rows
      .filter((row) => row.dataFound)
      .map((row) => row.entityId)
      .slice(0, count);
    expect(ids).toHaveLength(count);
    return { ids, values: await foundValues(t, ids) };
  }

  it('admin and org lists: normalised values, paging by kind, scoped deletes, clear errors', async () => {
    const admin = adminToken(t);
    const phone = await t
      .http()
      .post('/api/v1/admin/suppressions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'phone', value: '+1 (415) 555-0123', reason: 'Art. 21 objection' })
      .expect(201);
    expect(phone.body).toMatchObject({ kind: 'phone', value: '+14155550123', orgId: null, createdBy: 'admin_dpo' });
    const again = await t
      .http()
      .post('/api/v1/admin/suppressions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'phone', value: '+14155550123', reason: 'twice' })
      .expect(201);
    expect(again.body.id).toBe(phone.body.id);
    await t
      .http()
      .post('/api/v1/admin/suppressions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'email_domain', value: '@Example.COM', reason: 'a whole company objected' })
      .expect(201)
      .expect((res) => expect(res.body.value).toBe('example.com'));

    for (const [body, field] of [
      [{ kind: 'phone', value: '4155550123', reason: 'x' }, 'value'],
      [{ kind: 'email', value: 'nobody', reason: 'x' }, 'value'],
      [{ kind: 'person', value: 'not-a-uuid', reason: 'x' }, 'value'],
      [{ kind: 'fax', value: '+14155550123', reason: 'x' }, 'kind'],
      [{ kind: 'email', value: 'a@b.com' }, 'reason'],
    ] as const) {
      const res = await t.http().post('/api/v1/admin/suppressions').set('Authorization', `Bearer ${admin}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const [{ n }]: { n: number }[] = await t.dataSource.query('SELECT count(*)::int AS n FROM suppression');
    expect(n).toBe(2);

    const phones = await t
      .http()
      .get('/api/v1/admin/suppressions?kind=phone')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(phones.body).toMatchObject({ totalElements: 1, content: [{ id: phone.body.id }] });

    // Members and owners do not reach the platform list; members do not manage the org list.
    await t
      .http()
      .get('/api/v1/admin/suppressions')
      .set('Authorization', `Bearer ${ownerToken(t, 'org_a')}`)
      .expect(403);
    await t
      .http()
      .post('/api/v1/suppressions')
      .set('Authorization', `Bearer ${memberToken(t, 'org_a')}`)
      .send({ kind: 'email', value: 'jane@acme.com', reason: 'x' })
      .expect(403);

    const own = await t
      .http()
      .post('/api/v1/suppressions')
      .set('Authorization', `Bearer ${ownerToken(t, 'org_a')}`)
      .send({ kind: 'email', value: ' Jane.Doe@ACME.com ', reason: 'asked us by mail' })
      .expect(201);
    expect(own.body).toMatchObject({ value: 'jane.doe@acme.com', orgId: 'org_a' });
    const listB = await t
      .http()
      .get('/api/v1/suppressions')
      .set('Authorization', `Bearer ${ownerToken(t, 'org_b')}`)
      .expect(200);
    expect(listB.body.totalElements).toBe(0);
    await t
      .http()
      .delete(`/api/v1/suppressions/${own.body.id}`)
      .set('Authorization', `Bearer ${ownerToken(t, 'org_b')}`)
      .expect(404);
    // An org's entry is not the platform's either.
    await t
      .http()
      .delete(`/api/v1/admin/suppressions/${own.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
    await t
      .http()
      .delete(`/api/v1/suppressions/${own.body.id}`)
      .set('Authorization', `Bearer ${ownerToken(t, 'org_a')}`)
      .expect(204);
    await t
      .http()
      .delete(`/api/v1/admin/suppressions/${phone.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(204);
    await t.http().delete(`/api/v1/admin/suppressions/not-a-uuid`).set('Authorization', `Bearer ${admin}`).expect(400);

    const audit = await t.http().get('/api/v1/admin/audit').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(audit.body.content.map((entry: { action: string }) => entry.action).sort()).toEqual([
      'suppression.create',
      'suppression.create',
      'suppression.create',
      'suppression.delete',
    ]);
  });

  it('a suppressed lead never reaches a provider, ends finished and not found, and is not charged — even when cached', async () => {
    const { ids } = await knownLeads(2, 0);
    const [suppressed, other] = ids;
    await t
      .http()
      .post('/api/v1/suppressions')
      .set('Authorization', `Bearer ${ownerToken(t, 'org_quiet')}`)
      .send({ kind: 'person', value: suppressed.toUpperCase(), reason: 'do not enrich' })
      .expect(201);
    const waterfall = jest.spyOn(t.app.get(ProvidersService), 'runWaterfall');
    const fresh = (await leadIds(t.dataSource, 3, 200)).filter((id) => !ids.includes(id));

    await grant(t, 'org_quiet', 1000);
    const rows = await enrichAndWait(t, 'org_quiet', [suppressed, other, ...fresh]);
    const byLead = new Map(rows.map((row) => [row.entityId, row]));
    // Indistinguishable from not found; the other (cached) lead is served and charged as usual.
    expect(byLead.get(suppressed)).toMatchObject({ status: 'finished', dataFound: false, globalEnrichmentId: null });
    expect(byLead.get(other)).toMatchObject({ status: 'finished', dataFound: true });
    for (const call of waterfall.mock.calls) expect(call[1].map((lead) => lead.id)).not.toContain(suppressed);
    const audit = await auditOrg(t.dataSource, 'org_quiet');
    const found = rows.filter((row) => row.dataFound).length;
    expect(audit).toMatchObject({ held: 0, consumed: found * 5, released: (rows.length - found) * 5 });
    expectLedgerConsistent(audit);
    await t
      .http()
      .get(`/api/v1/operations/enrichment/${suppressed}?field=emails`)
      .set('Authorization', `Bearer ${memberToken(t, 'org_quiet')}`)
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ dataFound: false, data: null }));

    // Another org is not affected by org_quiet's list.
    await grant(t, 'org_loud', 1000);
    const [loud] = await enrich(t, 'org_loud', [suppressed]);
    expect(loud).toMatchObject({ status: 'finished', dataFound: true });
  });

  it('a suppressed email is dropped from a provider answer before it is stored, cached or returned', async () => {
    const { ids, values } = await knownLeads(1, 300);
    const [lead] = ids;
    const [email] = values.get(lead) ?? [];
    await t
      .http()
      .post('/api/v1/admin/suppressions')
      .set('Authorization', `Bearer ${adminToken(t)}`)
      .send({ kind: 'email', value: email.toUpperCase(), reason: 'objection' })
      .expect(201);

    // A new org gets the cached copy without it: not found (and not charged) when it was the only value.
    const others = (values.get(lead) ?? []).filter((value) => value !== email);
    await grant(t, 'org_cached', 1000);
    const [cached] = await enrichAndWait(t, 'org_cached', [lead]);
    expect(cached).toMatchObject({ status: 'finished', dataFound: others.length > 0 });
    expect((await auditOrg(t.dataSource, 'org_cached')).consumed).toBe(others.length > 0 ? 5 : 0);
    // Neither it nor the org that had it before sees the value.
    for (const orgId of ['org_cached', 'org_scout']) {
      const res = await t
        .http()
        .get(`/api/v1/operations/enrichment/${lead}?field=emails`)
        .set('Authorization', `Bearer ${memberToken(t, orgId)}`)
        .expect(200);
      expect(JSON.stringify(res.body)).not.toContain(email);
      expect(JSON.stringify(await searchPageWith(t, orgId, lead))).not.toContain(email);
    }

    // A provider answering it again: nothing of it is stored.
    await t.dataSource.query('DELETE FROM global_enrichment WHERE entity_id = $1', [lead]);
    await grant(t, 'org_fresh', 1000);
    const [fresh] = await enrichAndWait(t, 'org_fresh', [lead]);
    const stored = await foundValues(t, [lead]);
    expect(stored.get(lead) ?? []).not.toContain(email);
    expect(fresh.dataFound).toBe((stored.get(lead) ?? []).length > 0);
    const audit = await auditOrg(t.dataSource, 'org_fresh');
    expect(audit).toMatchObject({ held: 0, consumed: fresh.dataFound ? 5 : 0 });
    expectLedgerConsistent(audit);
  });

  it('takes effect for pending work, and for work whose providers are answering', async () => {
    const { ids } = await knownLeads(2, 500);
    const queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
    // Hold the queue so the test, not the worker, runs the batch.
    await queue.pause(true);
    try {
      await t.dataSource.query('DELETE FROM global_enrichment');
      const [pending, inFlight] = ids;
      await grant(t, 'org_late', 1000);
      const created = await enrich(t, 'org_late', [pending, inFlight]);
      expect(created.every((row) => row.status === 'pending')).toBe(true);

      // Suppressed while pending: never looked up.
      await t
        .http()
        .post('/api/v1/suppressions')
        .set('Authorization', `Bearer ${ownerToken(t, 'org_late')}`)
        .send({ kind: 'person', value: pending, reason: 'objection while queued' })
        .expect(201);
      // Suppressed while the providers are answering: their answer is dropped.
      const providers = t.app.get(ProvidersService);
      const original = providers.runWaterfall.bind(providers);
      const seen: string[] = [];
      jest.spyOn(providers, 'runWaterfall').mockImplementation(async (field, leads) => {
        seen.push(...leads.map((lead) => lead.id));
        const answer = await original(field, leads);
        await t
          .http()
          .post('/api/v1/suppressions')
          .set('Authorization', `Bearer ${ownerToken(t, 'org_late')}`)
          .send({ kind: 'person', value: inFlight, reason: 'objection while looked up' })
          .expect(201);
        return answer;
      });
      await t.app.get(EnrichmentProcessingService).processBatch(
        'job-late',
        created.map((row) => row.id),
      );
      expect(seen).toEqual([inFlight]);
      const rows = await poll(t, 'org_late', [pending, inFlight]);
      for (const row of rows)
        expect(row).toMatchObject({ status: 'finished', dataFound: false, globalEnrichmentId: null });
      const audit = await auditOrg(t.dataSource, 'org_late');
      expect(audit).toMatchObject({ held: 0, consumed: 0, released: 10 });
      expectLedgerConsistent(audit);
    } finally {
      await queue.resume(true);
    }
  });
});
