import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Role } from '../libs/auth/src';
import { CONTRACT_EXAMPLE_LEAD_IDS } from '../libs/leads/src';
import { createTestApp, resetState, TestApp, tokenFor } from './support/test-app';

const BULK = '/api/v1/operations/enrichment/bulk';
const VALID_BODY = { selection: { mode: 'manual', includedIds: [CONTRACT_EXAMPLE_LEAD_IDS[0]] }, field: 'emails' };

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('The API contract: errors, auth, polling, credits, OpenAPI', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', MAX_BODY_SIZE: '64kb' });
    token = tokenFor(t.config, { orgId: 'org_contract' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));

  const post = (body: unknown, bearer: string | null = token) => {
    const req = t.http().post(BULK).set('Content-Type', 'application/json');
    if (bearer) req.set('Authorization', `Bearer ${bearer}`);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };

  async function nothingWritten(): Promise<void> {
    const [row] = await t.dataSource.query(
      'SELECT (SELECT count(*)::int FROM enrichment) AS e, (SELECT count(*)::int FROM credit_transaction) AS c',
    );
    expect(row).toEqual({ e: 0, c: 0 });
  }

  describe('400 VALIDATION_ERROR for each kind of bad body, naming the field', () => {
    const cases: [string, unknown, string][] = [
      ['missing selection', { field: 'emails' }, 'selection'],
      ['missing field', { selection: VALID_BODY.selection }, 'field'],
      ['field not emails/phones', { ...VALID_BODY, field: 'addresses' }, 'field'],
      ['unknown mode', { selection: { mode: 'all', includedIds: [] }, field: 'emails' }, 'selection.mode'],
      [
        'missing mode',
        { selection: { includedIds: [CONTRACT_EXAMPLE_LEAD_IDS[0]] }, field: 'emails' },
        'selection.mode',
      ],
      ['selection not an object', { selection: 'all', field: 'emails' }, 'selection'],
      [
        'a lead id that is not a uuid',
        { selection: { mode: 'manual', includedIds: ['42'] }, field: 'emails' },
        'selection.includedIds',
      ],
      [
        'empty includedIds',
        { selection: { mode: 'manual', includedIds: [] }, field: 'emails' },
        'selection.includedIds',
      ],
      [
        'more than 1000 ids',
        {
          selection: {
            mode: 'manual',
            includedIds: Array.from(
              { length: 1001 },
              (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            ),
          },
          field: 'emails',
        },
        'selection.includedIds',
      ],
      [
        'bulk without filters',
        { selection: { mode: 'bulk', startIndex: 0, targetCount: 10 }, field: 'emails' },
        'selection.filters',
      ],
      [
        'targetCount over 1000',
        { selection: { mode: 'bulk', startIndex: 0, targetCount: 1001, filters: {} }, field: 'emails' },
        'selection.targetCount',
      ],
      [
        'negative startIndex',
        { selection: { mode: 'bulk', startIndex: -1, targetCount: 10, filters: {} }, field: 'emails' },
        'selection.startIndex',
      ],
      [
        'startIndex as a string',
        { selection: { mode: 'bulk', startIndex: '0', targetCount: 10, filters: {} }, field: 'emails' },
        'selection.startIndex',
      ],
      [
        'a bulk-only key in manual mode',
        { selection: { ...VALID_BODY.selection, filters: {} }, field: 'emails' },
        'selection.filters',
      ],
      ['an unknown top-level key', { ...VALID_BODY, priority: 'high' }, 'priority'],
      [
        'employee_size min above max',
        {
          selection: {
            mode: 'bulk',
            startIndex: 0,
            targetCount: 10,
            filters: { company: { employee_size: { min: 50, max: 10 } } },
          },
          field: 'emails',
        },
        'selection.filters.company.employee_size',
      ],
      ['a body that is an array', [VALID_BODY], 'selection'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const res = await post(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      const fields = (res.body.error.details?.fields ?? []).map((f: { field: string }) => f.field);
      expect(fields).toContain(field);
      await nothingWritten();
    });
  });

  it('prototype keys and absurd nesting are 400s naming the place, and nothing is written', async () => {
    const sneaky = await post(
      '{"selection":{"mode":"bulk","startIndex":0,"targetCount":10,"filters":{"__proto__":{"job_title":["x"]}}},"field":"emails"}',
    ).expect(400);
    expect(sneaky.body.error.details.fields[0].field).toBe('selection.filters.__proto__');
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const nested = await post(`{"selection":${deep},"field":"emails"}`).expect(400);
    expect(nested.body.error.details.fields[0].messages[0]).toMatch(/nested deeper/);
    await nothingWritten();
  });

  it('malformed JSON is a 400 in the envelope', async () => {
    const res = await post('{"selection": ').expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    await nothingWritten();
  });

  it('an oversized body is a 413 in the envelope', async () => {
    const res = await post({ ...VALID_BODY, padding: 'x'.repeat(100 * 1024) }).expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an unknown route is a 404 in the envelope', async () => {
    const res = await t.http().get('/api/v1/nowhere').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), details: null } });
  });

  describe('401 UNAUTHORIZED', () => {
    const claims = { sub: 'user_x', org_id: 'org_contract', role: 'member' };
    const cases: [string, () => string | null][] = [
      ['no token', () => null],
      ['a wrong signature', () => sign(claims, 'another-secret-of-enough-length', { expiresIn: 60 })],
      [
        'alg none',
        () =>
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 })}.`,
      ],
      ['an expired token', () => tokenFor(t.config, { orgId: 'org_contract' }, -10)],
      ['a token without exp', () => sign(claims, t.config.JWT_SECRET)],
      ['a token without org_id', () => sign({ sub: 'user_x' }, t.config.JWT_SECRET, { expiresIn: 60 })],
      ['an unknown role', () => sign({ ...claims, role: 'superuser' }, t.config.JWT_SECRET, { expiresIn: 60 })],
      [
        'RS256 when HS256 is pinned',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return sign(claims, privateKey, { algorithm: 'RS256', expiresIn: 60 });
        },
      ],
      ['garbage', () => 'not.a.jwt'],
    ];
    it.each(cases)('%s', async (_name, make) => {
      const res = await post(VALID_BODY, make()).expect(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      await nothingWritten();
    });
  });

  it('403 FORBIDDEN: a member on an admin route', async () => {
    const res = await t
      .http()
      .post('/api/v1/admin/orgs/org_contract/credits')
      .set('Authorization', `Bearer ${token}`)
      .send({ amount: 100, source: 'manual' })
      .expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    await nothingWritten();
  });

  it('credits: an admin grant shows in the balance and the ledger; bad grants are 400', async () => {
    const admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_1', role: Role.ADMIN });
    const granted = await t
      .http()
      .post('/api/v1/admin/orgs/org_contract/credits')
      .set('Authorization', `Bearer ${admin}`)
      .send({ amount: 250, source: 'stripe_purchase', description: 'Invoice 42' })
      .expect(201);
    expect(granted.body).toMatchObject({ organizationId: 'org_contract', balance: 250, held: 0 });
    const balance = await t
      .http()
      .get('/api/v1/operations/credits/balance')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(balance.body).toEqual({ balance: 250, organizationId: 'org_contract', held: 0, nextExpiry: null });
    const [entry] = await t.dataSource.query('SELECT type, amount, source, created_by FROM credit_transaction');
    expect(entry).toEqual({ type: 'credit_added', amount: 250, source: 'stripe_purchase', created_by: 'admin_1' });

    for (const body of [
      { amount: 0, source: 'manual' },
      { amount: 10, source: 'gift' },
      { amount: 1.5, source: 'manual' },
    ]) {
      const res = await t
        .http()
        .post('/api/v1/admin/orgs/org_contract/credits')
        .set('Authorization', `Bearer ${admin}`)
        .send(body);
      expect(res.status).toBe(400);
    }
    const badOrg = await t
      .http()
      .post('/api/v1/admin/orgs/bad%20org/credits')
      .set('Authorization', `Bearer ${admin}`)
      .send({ amount: 1, source: 'manual' });
    expect(badOrg.status).toBe(400);
  });

  it('polling: batch/query returns the org’s enrichments for the tasks, leaving out tasks without a record and other orgs’ records', async () => {
    const admin = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN });
    for (const org of ['org_contract', 'org_other']) {
      await t
        .http()
        .post(`/api/v1/admin/orgs/${org}/credits`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ amount: 100, source: 'manual' });
    }
    const [a, b, c] = CONTRACT_EXAMPLE_LEAD_IDS;
    await post({ selection: { mode: 'manual', includedIds: [a, b] }, field: 'emails' }).expect(201);
    await post(
      { selection: { mode: 'manual', includedIds: [c] }, field: 'emails' },
      tokenFor(t.config, { orgId: 'org_other' }),
    ).expect(201);
    const res = await t
      .http()
      .post('/api/v1/operations/enrichment/batch/query')
      .set('Authorization', `Bearer ${token}`)
      .send({
        tasks: [
          { entityId: b, field: 'emails' },
          { entityId: a, field: 'phones' },
          { entityId: c, field: 'emails' },
          { entityId: a, field: 'emails', entityType: 'person' },
        ],
      })
      .expect(200);
    expect(res.body.map((e: { entityId: string; field: string }) => `${e.entityId}:${e.field}`)).toEqual([
      `${b}:emails`,
      `${a}:emails`,
    ]);

    for (const tasks of [
      [],
      Array.from({ length: 201 }, () => ({ entityId: a, field: 'emails' })),
      [{ entityId: 'x', field: 'emails' }],
    ]) {
      const bad = await t
        .http()
        .post('/api/v1/operations/enrichment/batch/query')
        .set('Authorization', `Bearer ${token}`)
        .send({ tasks });
      expect(bad.status).toBe(400);
    }
  });

  it('OpenAPI: /docs serves Swagger UI; /docs-json documents the selection as oneOf with a discriminator, bearer auth and every error code', async () => {
    await t.http().get('/docs').expect(200).expect('Content-Type', /html/);
    const { body: doc } = await t.http().get('/docs-json').expect(200);
    const bulk = doc.paths[BULK].post;
    expect(Object.keys(bulk.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '402', '413', '500']),
    );
    const request = doc.components.schemas.BulkEnrichmentRequestDto;
    expect(request.properties.selection.oneOf).toHaveLength(2);
    expect(request.properties.selection.discriminator.propertyName).toBe('mode');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(bulk.requestBody.content['application/json'].examples.manual.value.selection.includedIds).toEqual(
      CONTRACT_EXAMPLE_LEAD_IDS.slice(0, 2),
    );
    expect(Object.keys(doc.components.schemas.EnrichmentResponseDto.properties)).toHaveLength(13);
    expect(doc.paths['/api/v1/admin/orgs/{orgId}/credits'].post.responses['403']).toBeDefined();
  });
});
