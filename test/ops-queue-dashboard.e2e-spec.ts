import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { createTestApp, TestApp, tokenFor } from './support/test-app';

describe('Queue dashboard (bull-board) at /admin/queues', () => {
  let t: TestApp;
  let admin: string;
  let member: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    admin = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN });
    member = tokenFor(t.config, { orgId: 'org_member' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('no token → 401 envelope, member token → 403 envelope', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const none = await t.http().get(path).expect(401);
      expect(none.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String), details: null } });
      const forbidden = await t.http().get(path).set('Authorization', `Bearer ${member}`).expect(403);
      expect(forbidden.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String), details: null } });
    }
  });

  it('an admin bearer token opens the page, and the board lists the enrichment queue', async () => {
    const page = await t.http().get('/admin/queues').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/"');
    expect(page.headers['ratelimit-limit']).toBeUndefined();
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1];
    const asset = await t.http().get(`/admin/queues/${script}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);

    const api = await t.http().get('/admin/queues/api/queues').set('Authorization', `Bearer ${admin}`).expect(200);
    const names = (api.body.queues as { name: string }[]).map((queue) => queue.name);
    expect(names).toContain(QueueName.ENRICHMENT);
  });

  it('a browser signs in once: POST /admin/queues/session sets an HttpOnly, SameSite=Strict cookie that then stands in for the header', async () => {
    const login = await t.http().get('/admin/queues/login').expect(200);
    expect(login.text).toContain('/admin/queues/session');

    const session = await t.http().post('/admin/queues/session').set('Authorization', `Bearer ${admin}`).expect(204);
    const cookie = (session.headers['set-cookie'] as unknown as string[])[0];
    expect(cookie).toMatch(/^ops_dashboard_token=[^;]+;/);
    expect(cookie).toContain('Path=/admin/queues');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(15 * 60);

    const pair = cookie.split(';')[0];
    await t.http().get('/admin/queues').set('Cookie', pair).expect(200);
    const api = await t.http().get('/admin/queues/api/queues').set('Cookie', pair).expect(200);
    expect(api.body.queues.length).toBeGreaterThan(0);

    // A member cannot get a session, and a member token in the cookie is refused like in the header.
    await t.http().post('/admin/queues/session').set('Authorization', `Bearer ${member}`).expect(403);
    await t.http().get('/admin/queues').set('Cookie', `ops_dashboard_token=${member}`).expect(403);
    await t.http().get('/admin/queues').set('Cookie', 'ops_dashboard_token=forged').expect(401);
  });

  it('the cookie never outlives the token it carries', async () => {
    const shortLived = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN }, 120);
    const session = await t
      .http()
      .post('/admin/queues/session')
      .set('Authorization', `Bearer ${shortLived}`)
      .expect(204);
    const cookie = (session.headers['set-cookie'] as unknown as string[])[0];
    expect(Number(/Max-Age=(\d+)/.exec(cookie)?.[1])).toBeLessThanOrEqual(120);
  });
});
