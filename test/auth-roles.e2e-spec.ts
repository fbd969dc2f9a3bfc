import { Role } from '@app/auth';
import { createTestApp, TestApp, tokenFor } from './support/test-app';

describe('Roles: member, owner, and admin only for the operator orgs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', ADMIN_ORG_IDS: 'org_ops,org_ops2' });
  });
  afterAll(() => t.close());

  // Every row has its three cells: a shorter row would hand Jest's `done` to the test as `body`.
  const adminRoutes: Array<[string, string, object | null]> = [
    ['get', '/api/v1/admin/orgs/org_roles_a', null],
    ['get', '/api/v1/admin/enrichments', null],
    ['get', '/api/v1/admin/audit', null],
    ['post', '/api/v1/admin/orgs/org_roles_a/credits', { amount: 1000, source: 'manual' }],
    ['get', '/admin/queues/api/queues', null],
  ];

  const call = (method: string, path: string, token: string, body: object | null = null) => {
    const request =
      method === 'post'
        ? t
            .http()
            .post(path)
            .send(body ?? {})
        : t.http().get(path);
    return request.set('Authorization', `Bearer ${token}`);
  };

  it.each(adminRoutes)('an admin token of a customer org is a 403 on %s %s', async (method, path, body) => {
    const token = tokenFor(t.config, { orgId: 'org_roles_a', sub: 'their_admin', role: Role.ADMIN });
    const res = await call(method, path, token, body).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it.each(adminRoutes)('an owner token is a 403 on %s %s', async (method, path, body) => {
    const token = tokenFor(t.config, { orgId: 'org_ops', sub: 'owner_1', role: Role.OWNER });
    await call(method, path, token, body).expect(403);
  });

  it('an admin token of any listed operator org is honoured', async () => {
    for (const orgId of ['org_ops', 'org_ops2']) {
      const token = tokenFor(t.config, { orgId, sub: 'op', role: Role.ADMIN });
      await call('get', '/api/v1/admin/orgs/org_roles_a', token).expect(200);
    }
  });

  it('a customer admin cannot grant itself credits: its balance stays at zero', async () => {
    const token = tokenFor(t.config, { orgId: 'org_roles_b', sub: 'their_admin', role: Role.ADMIN });
    await call('post', '/api/v1/admin/orgs/org_roles_b/credits', token, { amount: 5000, source: 'manual' }).expect(403);
    const res = await call('get', '/api/v1/operations/credits/balance', token).expect(200);
    expect(res.body).toEqual({ balance: 0, organizationId: 'org_roles_b', held: 0, nextExpiry: null });
  });

  it.each([Role.MEMBER, Role.OWNER])('a %s uses its org API', async (role) => {
    const token = tokenFor(t.config, { orgId: 'org_roles_c', role });
    await call('get', '/api/v1/operations/credits/balance', token).expect(200);
  });
});
