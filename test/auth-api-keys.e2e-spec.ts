import { createHash } from 'node:crypto';
import { Role } from '../libs/auth/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { grant } from './support/requests';

const ORG = 'org_keys';
const KEYS = '/api/v1/api-keys';
const BALANCE = '/api/v1/operations/credits/balance';

interface CreatedKey {
  id: string;
  secret: string;
  prefix: string;
  scopes: string[];
  lastUsedAt: string | null;
}

describe('API keys for partners', () => {
  let t: TestApp;
  let other: TestApp;
  let owner: string;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    // A second API process on the same database: revocation must hold there at once too.
    other = await createTestApp({ RUN_WORKERS: 'false' });
    await resetState(t.config, t.dataSource);
    owner = tokenFor(t.config, { orgId: ORG, sub: 'owner_keys', role: Role.OWNER });
    member = tokenFor(t.config, { orgId: ORG, sub: 'member_keys' });
    await grant(t, ORG, 1000);
  });

  afterAll(async () => {
    await other?.close();
    await t.close();
  });

  const create = async (body: object = { name: 'CRM sync' }): Promise<CreatedKey> =>
    (await t.http().post(KEYS).set('Authorization', `Bearer ${owner}`).send(body).expect(201)).body;
  const withKey = (app: TestApp, secret: string) => app.http().get(BALANCE).set('X-API-Key', secret);

  it('an owner creates a key: the secret is shown once, with its prefix; only its SHA-256 is stored', async () => {
    const key = await create({ name: 'CRM sync' });
    expect(key.secret).toMatch(/^ce_live_[A-Za-z0-9_-]{43}$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.scopes).toEqual(['enrichment:write', 'enrichment:read', 'credits:read', 'webhooks:write']);

    const [row] = await t.dataSource.query('SELECT * FROM api_key WHERE id = $1', [key.id]);
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(key.prefix.length));
    expect(row.secret_hash).toBe(createHash('sha256').update(key.secret).digest('hex'));

    const listed = await t.http().get(KEYS).set('Authorization', `Bearer ${owner}`).expect(200);
    const mine = listed.body.find((k: { id: string }) => k.id === key.id);
    expect(mine).toMatchObject({ name: 'CRM sync', prefix: key.prefix, createdBy: 'owner_keys', revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(key.secret);
  });

  it('a key authenticates as X-API-Key or as a bearer, acts for its org, and what it creates is apikey:<id>', async () => {
    const key = await create();
    const balance = await withKey(t, key.secret).expect(200);
    expect(balance.body).toMatchObject({ balance: 1000, organizationId: ORG });
    await t.http().get(BALANCE).set('Authorization', `Bearer ${key.secret}`).expect(200);

    const [lead] = await leadIds(t.dataSource, 1, 40);
    const res = await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('X-API-Key', key.secret)
      .send({ personIds: [lead], field: 'emails' })
      .expect(201);
    const [row] = await t.dataSource.query('SELECT created_by FROM enrichment WHERE id = $1', [res.body[0].id]);
    expect(row.created_by).toBe(`apikey:${key.id}`);
  });

  it('only owners manage keys: a member is refused, and a key never manages keys', async () => {
    const key = await create();
    await t.http().post(KEYS).set('Authorization', `Bearer ${member}`).send({ name: 'x' }).expect(403);
    for (const request of [
      t.http().get(KEYS).set('X-API-Key', key.secret),
      t.http().post(KEYS).set('X-API-Key', key.secret).send({ name: 'x' }),
      t.http().delete(`${KEYS}/${key.id}`).set('X-API-Key', key.secret),
      t.http().post(`${KEYS}/${key.id}/rotate`).set('X-API-Key', key.secret).send({}),
      t.http().get(`/api/v1/admin/orgs/${ORG}`).set('X-API-Key', key.secret),
    ]) {
      const refused = await request.expect(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('scopes are enforced per route: a missing scope is a 403 naming it', async () => {
    const key = await create({ name: 'read-only', scopes: ['credits:read'] });
    await withKey(t, key.secret).expect(200);
    const [lead] = await leadIds(t.dataSource, 1, 41);
    const bulk = await t
      .http()
      .post('/api/v1/operations/enrichment/batch')
      .set('X-API-Key', key.secret)
      .send({ personIds: [lead], field: 'emails' })
      .expect(403);
    expect(bulk.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('enrichment:write') });
    const query = await t
      .http()
      .post('/api/v1/operations/enrichment/batch/query')
      .set('X-API-Key', key.secret)
      .send({ tasks: [{ entityId: lead, field: 'emails' }] })
      .expect(403);
    expect(query.body.error.message).toContain('enrichment:read');
    const hooks = await t.http().get('/api/v1/webhooks').set('X-API-Key', key.secret).expect(403);
    expect(hooks.body.error.message).toContain('webhooks:write');
  });

  it('webhooks are managed by owners, or by a key with webhooks:write; not by members', async () => {
    const writer = await create({ name: 'hooks', scopes: ['webhooks:write'] });
    await t.http().get('/api/v1/webhooks').set('Authorization', `Bearer ${member}`).expect(403);
    await t.http().get('/api/v1/webhooks').set('Authorization', `Bearer ${owner}`).expect(200);
    await t
      .http()
      .post('/api/v1/webhooks')
      .set('X-API-Key', writer.secret)
      .send({ url: 'https://hooks.example.com/enrichment' })
      .expect(201);
  });

  it('revoking stops the key at once in every process (401 with the RFC 6750 challenge), and is idempotent', async () => {
    const key = await create();
    await withKey(t, key.secret).expect(200);
    await withKey(other, key.secret).expect(200);
    await t.http().delete(`${KEYS}/${key.id}`).set('Authorization', `Bearer ${owner}`).expect(204);
    for (const app of [t, other]) {
      const res = await withKey(app, key.secret).expect(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    await t.http().delete(`${KEYS}/${key.id}`).set('Authorization', `Bearer ${owner}`).expect(204);
    const listed = await t.http().get(KEYS).set('Authorization', `Bearer ${owner}`).expect(200);
    expect(listed.body.find((k: { id: string }) => k.id === key.id).revokedAt).toEqual(expect.any(String));
    await t.http().post(`${KEYS}/${key.id}/rotate`).set('Authorization', `Bearer ${owner}`).send({}).expect(409);
  });

  it('rotating: the old secret stops at once, or after graceSeconds; the grace is at most a day', async () => {
    const key = await create();
    const rotate = (body: object) =>
      t.http().post(`${KEYS}/${key.id}/rotate`).set('Authorization', `Bearer ${owner}`).send(body);

    const first = (await rotate({}).expect(201)).body as CreatedKey;
    expect(first.id).toBe(key.id);
    await withKey(t, key.secret).expect(401);
    await withKey(t, first.secret).expect(200);

    const second = (await rotate({ graceSeconds: 60 }).expect(201)).body as CreatedKey;
    await withKey(other, first.secret).expect(200);
    await withKey(other, second.secret).expect(200);
    // The grace ending (moved into the past here) stops the old secret, the new one goes on.
    await t.dataSource.query(
      `UPDATE api_key SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [key.id],
    );
    await withKey(t, first.secret).expect(401);
    await withKey(t, second.secret).expect(200);

    for (const graceSeconds of [86_401, -1, 1.5, '60']) {
      const bad = await rotate({ graceSeconds }).expect(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('an expired key is a 401; a key cannot be created already expired', async () => {
    const past = await t
      .http()
      .post(KEYS)
      .set('Authorization', `Bearer ${owner}`)
      .send({ name: 'old', expiresAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    expect(past.body.error.details.fields[0].field).toBe('expiresAt');
    const key = await create({ name: 'short-lived', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await withKey(t, key.secret).expect(200);
    await t.dataSource.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
    const res = await withKey(t, key.secret).expect(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('creating, rotating and revoking are in the audit log', async () => {
    const key = await create({ name: 'audited' });
    await t.http().post(`${KEYS}/${key.id}/rotate`).set('Authorization', `Bearer ${owner}`).send({}).expect(201);
    await t.http().delete(`${KEYS}/${key.id}`).set('Authorization', `Bearer ${owner}`).expect(204);
    const rows: { action: string; actor_id: string; org_id: string }[] = await t.dataSource.query(
      'SELECT action, actor_id, org_id FROM audit_log WHERE target_id = $1 ORDER BY created_at',
      [key.id],
    );
    expect(rows).toEqual([
      { action: 'api_key.created', actor_id: 'owner_keys', org_id: ORG },
      { action: 'api_key.rotated', actor_id: 'owner_keys', org_id: ORG },
      { action: 'api_key.revoked', actor_id: 'owner_keys', org_id: ORG },
    ]);
  });

  it('lastUsedAt is recorded without a write per request: at most once a minute per key', async () => {
    const key = await create({ name: 'usage' });
    expect(key.lastUsedAt).toBeNull();
    await withKey(t, key.secret).expect(200);
    const [first] = await waitFor(async () => {
      const rows: { last_used_at: Date | null }[] = await t.dataSource.query(
        'SELECT last_used_at FROM api_key WHERE id = $1',
        [key.id],
      );
      return rows[0].last_used_at ? rows : null;
    });
    for (let i = 0; i < 5; i += 1) await withKey(other, key.secret).expect(200);
    // Any write would have moved it: the requests above fall within the same minute.
    const [after] = await t.dataSource.query('SELECT last_used_at FROM api_key WHERE id = $1', [key.id]);
    expect(after.last_used_at).toEqual(first.last_used_at);
  });

  it('401s carry WWW-Authenticate: Bearer, with error="invalid_token" when a credential was refused', async () => {
    const none = await t.http().get(BALANCE).expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const credential of ['ce_live_not-a-real-key', `ce_live_${'A'.repeat(43)}`]) {
      const bad = await t.http().get(BALANCE).set('X-API-Key', credential).expect(401);
      expect(bad.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
    }
    const both = await t
      .http()
      .get(BALANCE)
      .set('X-API-Key', `ce_live_${'A'.repeat(43)}`)
      .set('Authorization', `Bearer ${owner}`)
      .expect(401);
    expect(both.body.error.message).toMatch(/not both/);
  });

  it('bad ids and bodies are 400s; an unknown key is a 404', async () => {
    await t.http().delete(`${KEYS}/not-a-uuid`).set('Authorization', `Bearer ${owner}`).expect(400);
    await t
      .http()
      .delete(`${KEYS}/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', `Bearer ${owner}`)
      .expect(404);
    for (const body of [
      {},
      { name: '' },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: [] },
      { name: 'x', extra: 1 },
    ]) {
      const res = await t.http().post(KEYS).set('Authorization', `Bearer ${owner}`).send(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    // Another org's owner cannot see or touch this org's keys.
    const key = await create();
    const stranger = tokenFor(t.config, { orgId: 'org_keys_other', role: Role.OWNER });
    await t.http().delete(`${KEYS}/${key.id}`).set('Authorization', `Bearer ${stranger}`).expect(404);
    const theirs = await t.http().get(KEYS).set('Authorization', `Bearer ${stranger}`).expect(200);
    expect(theirs.body).toEqual([]);
  });
});
