import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../libs/auth/src';
import { WebhooksService } from '../libs/webhooks/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor, waitFor } from './support/test-app';

/**
 * Webhooks cost what they should: a capped number of endpoints per org (decided under a
 * lock), no event for an operation that created no work, and a bounded number of deliveries
 * in flight to one endpoint.
 */
describe('Webhook limits', () => {
  let t: TestApp;
  const org = 'org_hooklimits';
  let member: string;
  let admin: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'true',
      WEBHOOK_BACKOFF_MS: '20',
      WEBHOOK_CONCURRENCY: '10',
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      RECOVERY_SWEEP_INTERVAL_MS: '3600000',
    });
    // Webhooks are managed by owners.
    member = tokenFor(t.config, { orgId: org, sub: 'user_hooks', role: Role.OWNER });
    admin = tokenFor(t.config, { orgId: 'org_ops', sub: 'admin_hooks', role: Role.ADMIN });
  });
  afterAll(() => t.close());
  beforeEach(() => resetState(t.config, t.dataSource));
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const as = (token: string) => ({
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
  });

  /** A receiver that answers each call after `holdMs`, counting how many it holds at once. */
  async function receiver(holdMs = 0) {
    const stats = { received: 0, inFlight: 0, maxInFlight: 0 };
    const server = createServer((req, res) => {
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          stats.inFlight -= 1;
          stats.received += 1;
          res.writeHead(200).end('ok');
        }, holdMs),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { stats, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
  }

  it('at most WEBHOOK_MAX_ENDPOINTS_PER_ORG endpoints, also when registered concurrently', async () => {
    const limit = t.config.WEBHOOK_MAX_ENDPOINTS_PER_ORG;
    const answers = await Promise.all(
      Array.from({ length: limit + 5 }, (_, i) =>
        as(member).post('/api/v1/webhooks', { url: `https://hooks.example.com/${i}` }),
      ),
    );
    expect(answers.filter((res) => res.status === 201)).toHaveLength(limit);
    const refused = answers.filter((res) => res.status !== 201);
    expect(refused).toHaveLength(5);
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'webhook_endpoint_limit', limit, registered: limit },
      });
    }
    expect((await as(member).get('/api/v1/webhooks').expect(200)).body).toHaveLength(limit);
    // Another org has its own allowance.
    await as(tokenFor(t.config, { orgId: 'org_hooklimits_other', role: Role.OWNER }))
      .post('/api/v1/webhooks', { url: 'https://hooks.example.com/other' })
      .expect(201);
  });

  it('an operation that created no new work (everything reused) sends no event', async () => {
    const hook = await receiver();
    await as(member).post('/api/v1/webhooks', { url: hook.url }).expect(201);
    await as(admin).post(`/api/v1/admin/orgs/${org}/credits`, { amount: 1000, source: 'manual' }).expect(201);
    const ids = await leadIds(t.dataSource, 3, 700);
    const first = await as(member).post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' });
    expect(first.status).toBe(201);
    await waitFor(async () => hook.stats.received === 1);

    // Everything reused (and final): the operation completes at once, in the request's
    // transaction, and writes no event — so there is none once the 201 is back.
    for (let i = 0; i < 5; i++) {
      const again = await as(member).post('/api/v1/operations/enrichment/batch', { personIds: ids, field: 'emails' });
      expect(again.status).toBe(201);
      const operation = await as(member)
        .get(`/api/v1/operations/enrichment/operations/${again.headers['x-operation-id']}`)
        .expect(200);
      expect(operation.body).toMatchObject({ status: 'completed', created: 0, reused: 3 });
    }
    const [{ events }]: { events: number }[] = await t.dataSource.query(
      'SELECT count(*) AS events FROM webhook_event WHERE org_id = $1',
      [org],
    );
    expect(events).toBe(1);
  });

  it('at most WEBHOOK_ENDPOINT_CONCURRENCY deliveries in flight to one endpoint; the rest wait, using no attempt', async () => {
    const slow = await receiver(300);
    await as(member).post('/api/v1/webhooks', { url: slow.url }).expect(201);
    const webhooks = t.app.get(WebhooksService);
    for (let i = 0; i < 8; i++) {
      await webhooks.publish(org, { type: 'operation.completed', data: { operationId: `op_${i}` } });
    }
    await waitFor(async () => slow.stats.received === 8, 30000);
    expect(slow.stats.maxInFlight).toBe(t.config.WEBHOOK_ENDPOINT_CONCURRENCY);
    // The receiver has answered the eighth call; its delivery is recorded as succeeded just after.
    const rows = await waitFor(async () => {
      const events: { status: string; attempts: number }[] = await t.dataSource.query(
        'SELECT status, attempts FROM webhook_event WHERE org_id = $1',
        [org],
      );
      return events.every((event) => event.status !== 'pending') && events;
    });
    expect(rows).toEqual(Array(8).fill({ status: 'succeeded', attempts: 1 }));
  });
});
