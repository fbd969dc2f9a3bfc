import { auditOrg } from './support/ledger';
import {
  adminToken,
  enrichAndWait,
  foundValues,
  memberToken,
  ownerToken,
  poll,
  searchPageWith,
} from './support/privacy-client';
import { enrich, grant, subscribe } from './support/requests';
import { createTestApp, leadIds, resetState, TestApp, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('Privacy: erasure with fan-out', () => {
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', WEBHOOK_BACKOFF_MS: '10' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  async function subscribed(orgId: string): Promise<WebhookReceiver> {
    const receiver = await subscribe(t, orgId, SECRET);
    receivers.push(receiver);
    return receiver;
  }

  it('refuses unclear requests and answers 404 for an unknown receipt', async () => {
    const admin = adminToken(t);
    for (const [body, field] of [
      [{}, 'personId'],
      [{ personId: 'nope' }, 'personId'],
      [{ email: 'nope' }, 'email'],
      [{ phone: '12' }, 'phone'],
      [{ email: 'a@b.com', name: 'x' }, 'name'],
    ] as const) {
      const res = await t.http().post('/api/v1/admin/erasures').set('Authorization', `Bearer ${admin}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const [{ n }]: { n: number }[] = await t.dataSource.query('SELECT count(*)::int AS n FROM erasure');
    expect(n).toBe(0);
    await t
      .http()
      .post('/api/v1/admin/erasures')
      .set('Authorization', `Bearer ${ownerToken(t, 'org_a')}`)
      .send({ email: 'a@b.com' })
      .expect(403);
    await t
      .http()
      .get('/api/v1/admin/erasures/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${admin}`)
      .expect(404);
  });

  it('erases a person everywhere, tells every org that held the data, and no answer shows it again', async () => {
    const hooksA = await subscribed('org_a');
    const hooksB = await subscribed('org_b');
    await grant(t, 'org_a', 10_000);
    await grant(t, 'org_b', 10_000);
    const candidates = await leadIds(t.dataSource, 30, 800);
    const emailsA = await enrichAndWait(t, 'org_a', candidates);
    const person = emailsA.filter((row) => row.dataFound)[0].entityId;
    const bystander = emailsA.filter((row) => row.dataFound)[1].entityId;
    const [phoneRow] = await enrichAndWait(t, 'org_a', [person], 'phones');
    await enrichAndWait(t, 'org_b', [person, bystander]);
    const emails = (await foundValues(t, [person])).get(person) ?? [];
    const phones = (await foundValues(t, [person], 'phones')).get(person) ?? [];
    const erased = [...emails, ...phones];
    expect(emails.length).toBeGreaterThan(0);
    const ledgerBefore = await Promise.all(['org_a', 'org_b'].map((org) => auditOrg(t.dataSource, org)));
    const completions = (receiver: WebhookReceiver) => receiver.received.length;
    await waitFor(async () => completions(hooksA) >= 2 && completions(hooksB) >= 1);
    const deliveredBefore = [hooksA.received.length, hooksB.received.length];

    // By email, in another case: the person who holds it is matched.
    const admin = adminToken(t);
    const erasure = await t
      .http()
      .post('/api/v1/admin/erasures')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: emails[0].toUpperCase() })
      .expect(201);
    const records = 2 + (phoneRow.dataFound ? 1 : 0);
    expect(erasure.body).toMatchObject({
      matched: { personIds: [person], email: emails[0].toLowerCase(), phone: null },
      records,
      orgs: 2,
      cacheEntries: phoneRow.dataFound ? 2 : 1,
      requestedBy: 'admin_dpo',
    });
    const receipt = await t
      .http()
      .get(`/api/v1/admin/erasures/${erasure.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(receipt.body).toEqual(erasure.body);

    // Audited, without the values.
    const audit = await t
      .http()
      .get('/api/v1/admin/audit?action=privacy.erasure')
      .set('Authorization', `Bearer ${admin}`);
    expect(audit.body.content).toEqual([
      expect.objectContaining({ targetType: 'erasure', targetId: erasure.body.id, actorId: 'admin_dpo' }),
    ]);
    for (const value of erased) expect(JSON.stringify(audit.body)).not.toContain(value);

    // Fan-out: one contact.erased event per org that held the lead, signed, naming the lead.
    const erasedEvents = (receiver: WebhookReceiver) =>
      receiver.received
        .map((hook) => JSON.parse(hook.body) as { type: string; data: Record<string, unknown> })
        .filter((event) => event.type === 'contact.erased');
    await waitFor(async () => erasedEvents(hooksA).length === 1 && erasedEvents(hooksB).length === 1);
    expect(erasedEvents(hooksA)[0].data).toMatchObject({
      erasureId: erasure.body.id,
      entityType: 'person',
      entityId: person,
      fields: phoneRow.dataFound ? ['emails', 'phones'] : ['emails'],
    });
    expect(erasedEvents(hooksB)[0].data).toMatchObject({ entityId: person, fields: ['emails'] });
    expect([...hooksA.received, ...hooksB.received].every((hook) => hook.verified)).toBe(true);

    // The ledger keeps its amounts, and holds no contact data.
    const ledgerAfter = await Promise.all(['org_a', 'org_b'].map((org) => auditOrg(t.dataSource, org)));
    expect(ledgerAfter).toEqual(ledgerBefore);
    const ledgerRows = JSON.stringify(await t.dataSource.query('SELECT * FROM credit_transaction'));
    for (const value of erased) expect(ledgerRows).not.toContain(value);
    const cache = JSON.stringify(await t.dataSource.query('SELECT data FROM global_enrichment'));
    for (const value of erased) expect(cache).not.toContain(value);

    // Every answer after the erasure, whoever asks: none holds an erased value.
    const since = t.responses.length;
    for (const orgId of ['org_a', 'org_b']) {
      const auth = `Bearer ${memberToken(t, orgId)}`;
      for (const field of ['emails', 'phones'] as const) {
        await t.http().get(`/api/v1/operations/enrichment/${person}?field=${field}`).set('Authorization', auth);
        await poll(t, orgId, [person, bystander], field);
      }
      const held = await t
        .http()
        .get(`/api/v1/operations/enrichment/${person}?field=emails`)
        .set('Authorization', auth)
        .expect(200);
      expect(held.body).toMatchObject({
        status: 'finished',
        dataFound: true,
        data: null,
        purgedAt: expect.any(String),
      });
      await searchPageWith(t, orgId, person);
      await t.http().get('/api/v1/operations/credits/history').set('Authorization', auth).expect(200);
      const operations: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM enrichment_operation WHERE org_id = $1',
        [orgId],
      );
      for (const operation of operations) {
        await t
          .http()
          .get(`/api/v1/operations/enrichment/operations/${operation.id}`)
          .set('Authorization', auth)
          .expect(200);
      }
    }
    // A new request for the erased person: never looked up again, not found, not charged.
    await grant(t, 'org_c', 1000);
    const hooksC = await subscribed('org_c');
    const [again] = await enrichAndWait(t, 'org_c', [person]);
    expect(again).toMatchObject({ status: 'finished', dataFound: false, globalEnrichmentId: null });
    expect((await auditOrg(t.dataSource, 'org_c')).consumed).toBe(0);
    await enrich(t, 'org_a', [person, bystander], 'phones');
    await waitFor(async () => hooksC.received.length >= 1 && hooksA.received.length > deliveredBefore[0] + 1);

    const answers = t.responses.slice(since).map((response) => JSON.stringify(response.body));
    expect(answers.length).toBeGreaterThan(10);
    const later = [...hooksA.received, ...hooksB.received, ...hooksC.received].map((hook) => hook.body);
    for (const value of erased) {
      for (const text of [...answers, ...later]) expect(text).not.toContain(value);
    }
  });
});
