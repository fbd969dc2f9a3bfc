import type { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { Role } from '../libs/auth/src';
import { leadIds, createTestApp, resetState, TestApp, tokenFor } from './support/test-app';
import { grant } from './support/requests';
import { launchChromium, servePage } from './support/browser';

const ORG = 'org_cors';
const BULK_PATH = '/api/v1/operations/enrichment/bulk';

/** What a SaaS frontend does: call the API from its own origin with fetch and a bearer token. */
const FRONTEND_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Partner frontend</title></head>
<body><script>
  window.callBulk = async (apiBase, token, body) => {
    try {
      const res = await fetch(apiBase + '${BULK_PATH}', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify(body),
      });
      return {
        ok: true,
        status: res.status,
        operationId: res.headers.get('X-Operation-Id'),
        location: res.headers.get('Location'),
        requestId: res.headers.get('X-Request-Id'),
        rateLimitRemaining: res.headers.get('RateLimit-Remaining'),
        count: (await res.json()).length,
      };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  };
</script></body></html>`;

interface BulkCall {
  ok: boolean;
  status?: number;
  operationId?: string | null;
  location?: string | null;
  requestId?: string | null;
  rateLimitRemaining?: string | null;
  count?: number;
  error?: string;
}

describe('CORS: a browser frontend on a listed origin, and only there', () => {
  let t: TestApp;
  let browser: Browser;
  let frontend: { port: number; close: () => Promise<void> };
  let apiBase: string;
  let listedOrigin: string;
  let member: string;

  beforeAll(async () => {
    frontend = await servePage(FRONTEND_PAGE);
    // The same page server is a listed origin as 127.0.0.1 and an unlisted one as localhost.
    listedOrigin = `http://127.0.0.1:${frontend.port}`;
    t = await createTestApp({ RUN_WORKERS: 'false', CORS_ORIGINS: `https://app.example.com,${listedOrigin}` });
    await resetState(t.config, t.dataSource);
    await t.app.listen(0, '127.0.0.1');
    apiBase = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await grant(t, ORG, 1000);
    member = tokenFor(t.config, { orgId: ORG });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await frontend?.close();
    await t.close();
  });

  const preflight = (origin: string) =>
    t
      .http()
      .options(BULK_PATH)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key,x-request-id,x-api-key');

  it('answers a listed origin’s preflight with 204, the methods, the request headers and a max age', async () => {
    const res = await preflight('https://app.example.com').expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']?.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'DELETE']),
    );
    expect(res.headers['access-control-allow-headers']?.split(',')).toEqual(
      expect.arrayContaining(['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-API-Key']),
    );
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('exposes the API’s own response headers to a listed origin', async () => {
    const res = await t
      .http()
      .get('/api/v1/operations/credits/balance')
      .set('Origin', 'https://app.example.com')
      .set('Authorization', `Bearer ${member}`)
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-expose-headers']?.split(',')).toEqual([
      'Location',
      'X-Operation-Id',
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Idempotent-Replayed',
    ]);
  });

  it.each(['https://evil.example.com', 'https://app.example.com.evil.example', 'null'])(
    'gives an origin not listed (%s) no CORS header at all',
    async (origin) => {
      const pre = await preflight(origin);
      const actual = await t
        .http()
        .get('/api/v1/operations/credits/balance')
        .set('Origin', origin)
        .set('Authorization', `Bearer ${member}`)
        .expect(200);
      for (const res of [pre, actual]) {
        expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      }
      expect(pre.status).not.toBe(204);
    },
  );

  it('a page on the listed origin calls bulk with fetch and a bearer token, and reads X-Operation-Id', async () => {
    const [first, second] = await leadIds(t.dataSource, 2);
    const page = await browser.newPage();
    await page.goto(`${listedOrigin}/`);
    const result = await page.evaluate<BulkCall, [string, string, object]>(
      ([base, token, body]) =>
        (window as unknown as { callBulk: (...a: unknown[]) => Promise<BulkCall> }).callBulk(base, token, body),
      [apiBase, member, { selection: { mode: 'manual', includedIds: [first, second] }, field: 'emails' }],
    );
    await page.close();
    expect(result).toMatchObject({ ok: true, status: 201, count: 2 });
    expect(result.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.location).toBe(`${BULK_PATH.replace('/bulk', '')}/operations/${result.operationId}`);
    expect(result.requestId).toBeTruthy();
    expect(Number(result.rateLimitRemaining)).toBeGreaterThan(0);
    const [{ count }] = await t.dataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM enrichment_operation WHERE id = $1 AND org_id = $2',
      [result.operationId, ORG],
    );
    expect(count).toBe(1);
  });

  it('the same page from an origin not listed is blocked by the browser, and nothing is written', async () => {
    const [, , third] = await leadIds(t.dataSource, 3);
    const before = await operationCount();
    const page = await browser.newPage();
    await page.goto(`http://localhost:${frontend.port}/`);
    const result = await page.evaluate<BulkCall, [string, string, object]>(
      ([base, token, body]) =>
        (window as unknown as { callBulk: (...a: unknown[]) => Promise<BulkCall> }).callBulk(base, token, body),
      [apiBase, member, { selection: { mode: 'manual', includedIds: [third] }, field: 'emails' }],
    );
    await page.close();
    expect(result).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    expect(await operationCount()).toBe(before);
  });

  it('every response carries the security headers and none says X-Powered-By: API, errors, docs, dashboard', async () => {
    const admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_cors', role: Role.ADMIN });
    const dashboard = await t.http().get('/admin/queues').set('Authorization', `Bearer ${admin}`).expect(200);
    const asset = /src="(static\/js\/main\.[^"]+\.js)"/.exec(dashboard.text)?.[1] ?? 'missing';
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const calls: Array<[string, number, Record<string, string>]> = [
      ['/api/v1/operations/credits/balance', 200, bearer(member)],
      ['/api/v1/operations/credits/balance', 401, {}],
      ['/api/v1/nowhere', 404, {}],
      ['/health', 200, {}],
      ['/docs', 200, {}],
      ['/docs-json', 200, {}],
      ['/admin/queues', 200, bearer(admin)],
      [`/admin/queues/${asset}`, 200, bearer(admin)],
      ['/admin/queues/api/queues', 200, bearer(admin)],
      ['/admin/queues/login', 200, {}],
    ];
    for (const [where, status, headers] of calls) {
      const res = await t.http().get(where).set(headers).expect(status);
      expect([where, res.headers['x-powered-by']]).toEqual([where, undefined]);
      expect([where, res.headers['x-content-type-options']]).toEqual([where, 'nosniff']);
      expect([where, res.headers['x-frame-options']]).toEqual([where, 'DENY']);
      expect([where, res.headers['content-security-policy']]).toEqual([
        where,
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
      // HSTS only in production (see http-security.spec.ts): over plain http it would pin browsers to https.
      expect([where, res.headers['strict-transport-security']]).toEqual([where, undefined]);
    }
  });

  async function operationCount(): Promise<number> {
    const [{ count }] = await t.dataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM enrichment_operation WHERE org_id = $1',
      [ORG],
    );
    return count;
  }
});
