import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../apps/api/src/app.module';
import { Role } from '../libs/auth/src';
import { loadConfig } from '../libs/core/src';
import { WebhooksModule, WebhooksService } from '../libs/webhooks/src';
import { WebhookQueueService } from '../libs/webhooks/src/services/webhook-queue.service';
import { createTestApp, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
  secret?: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: string;
  responseStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: string;
}

describe('Webhooks', () => {
  let t: TestApp;
  let webhooks: WebhooksService;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'true',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_MS: '10',
      // The sweep runs only when a test calls it, so nothing queues events behind a test's back.
      RECOVERY_SWEEP_INTERVAL_MS: '3600000',
    });
    webhooks = t.app.get(WebhooksService);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetState(t.config, t.dataSource);
    await t.dataSource.query('TRUNCATE webhook_endpoint CASCADE');
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  // Webhooks are managed by owners.
  const auth = (orgId: string) => `Bearer ${tokenFor(t.config, { orgId, role: Role.OWNER })}`;

  async function receiver(statusFor?: (call: number) => number): Promise<WebhookReceiver> {
    const started = await new WebhookReceiver(SECRET, statusFor).start();
    receivers.push(started);
    return started;
  }

  async function register(orgId: string, body: Record<string, unknown>): Promise<Endpoint> {
    const res = await t.http().post('/api/v1/webhooks').set('Authorization', auth(orgId)).send(body).expect(201);
    return res.body;
  }

  async function deliveries(orgId: string, endpointId: string): Promise<Delivery[]> {
    const res = await t
      .http()
      .get(`/api/v1/webhooks/${endpointId}/deliveries`)
      .set('Authorization', auth(orgId))
      .expect(200);
    return res.body;
  }

  async function eventStatus(endpointId: string): Promise<string[]> {
    const rows: { status: string }[] = await t.dataSource.query(
      'SELECT status FROM webhook_event WHERE endpoint_id = $1 ORDER BY created_at',
      [endpointId],
    );
    return rows.map((row) => row.status);
  }

  const completed = { type: 'operation.completed' as const, data: { operationId: 'op_1', found: 7, failed: 0 } };

  describe('endpoints', () => {
    it('registers, lists without secrets, and deletes', async () => {
      const generated = await register('org_hooks', { url: 'https://hooks.example.com/a' });
      expect(generated).toEqual({
        id: expect.stringMatching(UUID),
        url: 'https://hooks.example.com/a',
        // Every event type unless told otherwise, erasure notices and credit alerts included.
        events: ['operation.completed', 'contact.erased', 'credits.low', 'credits.depleted', 'spend_limit.reached'],
        createdAt: expect.any(String),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      const given = await register('org_hooks', {
        url: 'http://127.0.0.1:9/b',
        secret: SECRET,
        events: ['operation.completed'],
      });
      expect(given.secret).toBe(SECRET);

      const listed = await t.http().get('/api/v1/webhooks').set('Authorization', auth('org_hooks')).expect(200);
      expect(listed.body).toEqual([
        { id: generated.id, url: generated.url, events: generated.events, createdAt: generated.createdAt },
        { id: given.id, url: given.url, events: given.events, createdAt: given.createdAt },
      ]);
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');

      await t.http().delete(`/api/v1/webhooks/${generated.id}`).set('Authorization', auth('org_hooks')).expect(204);
      const after = await t.http().get('/api/v1/webhooks').set('Authorization', auth('org_hooks')).expect(200);
      expect(after.body.map((endpoint: Endpoint) => endpoint.id)).toEqual([given.id]);
      const again = await t
        .http()
        .delete(`/api/v1/webhooks/${generated.id}`)
        .set('Authorization', auth('org_hooks'))
        .expect(404);
      expect(again.body.error.code).toBe('NOT_FOUND');
    });

    it("never shows or touches another org's endpoint", async () => {
      const mine = await register('org_hooks', { url: 'https://hooks.example.com/mine' });
      const listed = await t.http().get('/api/v1/webhooks').set('Authorization', auth('org_other')).expect(200);
      expect(listed.body).toEqual([]);

      const deleted = await t
        .http()
        .delete(`/api/v1/webhooks/${mine.id}`)
        .set('Authorization', auth('org_other'))
        .expect(404);
      expect(deleted.body).toEqual({
        error: { code: 'NOT_FOUND', message: 'Webhook endpoint not found', details: { id: mine.id } },
      });
      const log = await t
        .http()
        .get(`/api/v1/webhooks/${mine.id}/deliveries`)
        .set('Authorization', auth('org_other'))
        .expect(404);
      expect(log.body.error.code).toBe('NOT_FOUND');

      const still = await t.http().get('/api/v1/webhooks').set('Authorization', auth('org_hooks')).expect(200);
      expect(still.body.map((endpoint: Endpoint) => endpoint.id)).toEqual([mine.id]);
    });

    it.each([
      ['a missing url', {}, 'url'],
      ['a url that is not a URL', { url: 'not a url' }, 'url'],
      ['a non-http scheme', { url: 'ftp://hooks.example.com/a' }, 'url'],
      ['a javascript: url', { url: 'javascript:alert(1)' }, 'url'],
      ['a url over 2048 characters', { url: `https://hooks.example.com/${'a'.repeat(2040)}` }, 'url'],
      ['credentials in the url', { url: 'https://user:pass@hooks.example.com/a' }, 'url'],
      ['a short secret', { url: 'https://hooks.example.com/a', secret: 'short' }, 'secret'],
      ['a secret with spaces', { url: 'https://hooks.example.com/a', secret: 'a secret with spaces 123' }, 'secret'],
      ['a secret over 256 characters', { url: 'https://hooks.example.com/a', secret: 'x'.repeat(257) }, 'secret'],
      [
        'a secret not in Standard Webhooks form',
        { url: 'https://hooks.example.com/a', secret: 'whsec_not-base64_0123456789abcdef' },
        'secret',
      ],
      [
        'a secret key under 24 bytes',
        { url: 'https://hooks.example.com/a', secret: `whsec_${Buffer.alloc(16, 7).toString('base64')}` },
        'secret',
      ],
      ['an unknown event type', { url: 'https://hooks.example.com/a', events: ['operation.exploded'] }, 'events'],
      ['no event types', { url: 'https://hooks.example.com/a', events: [] }, 'events'],
      [
        'a repeated event type',
        { url: 'https://hooks.example.com/a', events: ['operation.completed', 'operation.completed'] },
        'events',
      ],
      ['an unknown key', { url: 'https://hooks.example.com/a', active: true }, 'active'],
    ])('refuses %s with a 400 naming the field', async (_case, body, field) => {
      const res = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', auth('org_hooks'))
        .send(body)
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.fields.map((problem: { field: string }) => problem.field)).toContain(field);
      const listed = await t.http().get('/api/v1/webhooks').set('Authorization', auth('org_hooks')).expect(200);
      expect(listed.body).toEqual([]);
    });

    it('refuses malformed ids and limits with a 400', async () => {
      for (const [method, path] of [
        ['delete', '/api/v1/webhooks/not-a-uuid'],
        ['get', '/api/v1/webhooks/not-a-uuid/deliveries'],
        ['get', '/api/v1/webhooks/123/deliveries'],
      ] as const) {
        const res = await t.http()[method](path).set('Authorization', auth('org_hooks')).expect(400);
        expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { fields: [{ field: 'id' }] } });
      }
      const endpoint = await register('org_hooks', { url: 'https://hooks.example.com/a' });
      for (const limit of ['0', '1001', 'ten']) {
        const res = await t
          .http()
          .get(`/api/v1/webhooks/${endpoint.id}/deliveries?limit=${limit}`)
          .set('Authorization', auth('org_hooks'))
          .expect(400);
        expect(res.body.error.details.fields[0].field).toBe('limit');
      }
    });

    it('requires a token', async () => {
      await t.http().get('/api/v1/webhooks').expect(401);
      await t.http().post('/api/v1/webhooks').send({ url: 'https://hooks.example.com/a' }).expect(401);
    });
  });

  describe('delivery', () => {
    it('POSTs a signed event that the receiver verifies, and logs the attempt', async () => {
      const hook = await receiver();
      const endpoint = await register('org_hooks', { url: hook.url, secret: SECRET });
      // Another org's endpoint must not hear about this org's events.
      const otherHook = await receiver();
      const other = await register('org_other', { url: otherHook.url, secret: SECRET });

      await webhooks.publish('org_hooks', completed);

      const [call] = await waitFor(async () => hook.received.length >= 1 && hook.received);
      expect(call.verified).toBe(true);
      expect(call.headers['content-type']).toBe('application/json');
      const body = JSON.parse(call.body);
      expect(body).toEqual({
        id: expect.stringMatching(UUID),
        type: 'operation.completed',
        createdAt: expect.any(String),
        data: completed.data,
      });
      expect(call.headers['webhook-id']).toBe(body.id);
      expect(call.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

      const log = await waitFor(async () => {
        const rows = await deliveries('org_hooks', endpoint.id);
        return rows.length === 1 && rows[0].status !== 'pending' && rows;
      });
      expect(log).toEqual([
        {
          id: expect.stringMatching(UUID),
          eventId: body.id,
          eventType: 'operation.completed',
          attempt: 1,
          status: 'succeeded',
          responseStatus: 200,
          error: null,
          durationMs: expect.any(Number),
          createdAt: expect.any(String),
        },
      ]);
      expect(await eventStatus(endpoint.id)).toEqual(['succeeded']);
      expect(await eventStatus(other.id)).toEqual([]);
      expect(await deliveries('org_other', other.id)).toEqual([]);
      expect(otherHook.received).toEqual([]);
    });

    it('retries a failing receiver with the same event id until it answers 2xx', async () => {
      const hook = await receiver((call) => (call <= 2 ? 500 : 200));
      const endpoint = await register('org_hooks', { url: hook.url, secret: SECRET });

      await webhooks.publish('org_hooks', completed);

      await waitFor(async () => (await eventStatus(endpoint.id))[0] === 'succeeded');
      expect(hook.received.map((call) => call.status)).toEqual([500, 500, 200]);
      expect(hook.received.every((call) => call.verified)).toBe(true);
      const ids = new Set(hook.received.map((call) => call.headers['webhook-id']));
      expect(ids.size).toBe(1);
      // The same event, byte for byte; only the timestamp and signature are per attempt.
      expect(new Set(hook.received.map((call) => call.body)).size).toBe(1);

      const log = await deliveries('org_hooks', endpoint.id);
      expect(
        log.map(({ attempt, status, responseStatus, error }) => ({ attempt, status, responseStatus, error })),
      ).toEqual([
        { attempt: 3, status: 'succeeded', responseStatus: 200, error: null },
        { attempt: 2, status: 'failed', responseStatus: 500, error: 'HTTP 500' },
        { attempt: 1, status: 'failed', responseStatus: 500, error: 'HTTP 500' },
      ]);
      expect(new Set(log.map((row) => row.eventId))).toEqual(ids);
    });

    it('stops after WEBHOOK_MAX_ATTEMPTS and marks the event failed', async () => {
      const hook = await receiver(() => 503);
      const endpoint = await register('org_hooks', { url: hook.url, secret: SECRET });

      await webhooks.publish('org_hooks', completed);

      await waitFor(async () => (await eventStatus(endpoint.id))[0] === 'failed');
      const log = await deliveries('org_hooks', endpoint.id);
      expect(log.map((row) => [row.attempt, row.status, row.responseStatus])).toEqual([
        [3, 'failed', 503],
        [2, 'failed', 503],
        [1, 'failed', 503],
      ]);
      expect(hook.received).toHaveLength(3);
    });

    it('records an attempt that got no answer with its error', async () => {
      // A port nobody listens on any more.
      const closed = await receiver();
      const url = closed.url;
      await receivers.pop()?.stop();
      const endpoint = await register('org_hooks', { url, secret: SECRET });

      await webhooks.publish('org_hooks', completed);

      await waitFor(async () => (await eventStatus(endpoint.id))[0] === 'failed');
      const log = await deliveries('org_hooks', endpoint.id);
      expect(log).toHaveLength(3);
      for (const row of log) {
        expect(row).toMatchObject({
          status: 'failed',
          responseStatus: null,
          error: expect.stringMatching(/ECONNREFUSED/),
        });
      }
    });

    it('publishes with the caller transaction: nothing on rollback, queued only after commit', async () => {
      const hook = await receiver();
      const endpoint = await register('org_hooks', { url: hook.url, secret: SECRET });

      await expect(
        t.dataSource.transaction(async (manager) => {
          await webhooks.publish(manager, 'org_hooks', completed);
          throw new Error('the operation failed after publishing');
        }),
      ).rejects.toThrow('the operation failed after publishing');
      expect(await eventStatus(endpoint.id)).toEqual([]);

      await t.dataSource.transaction((manager) => webhooks.publish(manager, 'org_hooks', completed));
      const [stored] = await t.dataSource.query(
        'SELECT status, enqueued_at FROM webhook_event WHERE endpoint_id = $1',
        [endpoint.id],
      );
      expect(stored).toEqual({ status: 'pending', enqueued_at: null });

      await expect(webhooks.dispatchPending()).resolves.toBe(1);
      await waitFor(async () => (await eventStatus(endpoint.id))[0] === 'succeeded');
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0].verified).toBe(true);
    });

    it('the sweep queues events never queued and events whose job was lost', async () => {
      const hook = await receiver();
      const endpoint = await register('org_hooks', { url: hook.url, secret: SECRET });
      const sweeper = t.app.get(WebhookQueueService);

      // Never queued: published in a transaction whose caller did not dispatch (or Redis was down).
      await t.dataSource.transaction((manager) => webhooks.publish(manager, 'org_hooks', completed));
      // Queued once, but the job is gone (Redis flushed): enqueued long ago, no job in Redis.
      await t.dataSource.transaction((manager) =>
        webhooks.publish(manager, 'org_hooks', { type: 'operation.completed', data: { operationId: 'op_2' } }),
      );
      await t.dataSource.query(
        `UPDATE webhook_event SET enqueued_at = now() - interval '1 hour' WHERE data->>'operationId' = 'op_2'`,
      );

      await expect(sweeper.sweep()).resolves.toBe(2);
      await waitFor(async () => {
        const statuses = await eventStatus(endpoint.id);
        return statuses.length === 2 && statuses.every((status) => status === 'succeeded');
      });
      expect(hook.received.map((call) => JSON.parse(call.body).data.operationId).sort()).toEqual(['op_1', 'op_2']);
      // Nothing is left for a second sweep.
      await expect(sweeper.sweep()).resolves.toBe(0);
    });

    it('deleting an endpoint drops its pending events and log', async () => {
      const endpoint = await register('org_hooks', { url: 'https://hooks.example.com/a' });
      await t.dataSource.transaction((manager) => webhooks.publish(manager, 'org_hooks', completed));
      expect(await eventStatus(endpoint.id)).toEqual(['pending']);

      await t.http().delete(`/api/v1/webhooks/${endpoint.id}`).set('Authorization', auth('org_hooks')).expect(204);
      expect(await eventStatus(endpoint.id)).toEqual([]);
      await expect(webhooks.dispatchPending()).resolves.toBe(0);
    });
  });

  it('gives a module that imports WebhooksModule the one facade of the app (no second queue or processor)', async () => {
    @Injectable()
    class Publisher {
      constructor(readonly webhooks: WebhooksService) {}
    }
    @Module({ imports: [WebhooksModule], providers: [Publisher] })
    class PublisherModule {}

    const config = loadConfig({ ...process.env, RUN_WORKERS: 'false' });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.register(config), PublisherModule],
    }).compile();
    try {
      expect(moduleRef.get(Publisher, { strict: false }).webhooks).toBe(
        moduleRef.get(WebhooksService, { strict: false }),
      );
    } finally {
      await moduleRef.close();
    }
  });
});
