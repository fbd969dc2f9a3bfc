import { Role } from '../libs/auth/src';
import { WebhooksService } from '../libs/webhooks/src';
import { createTestApp, resetState, TestApp, tokenFor, waitFor } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** As production runs: WEBHOOK_ALLOW_PRIVATE_URLS=false (its default when NODE_ENV=production). */
describe('Webhooks with private URLs not allowed (SSRF)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RUN_WORKERS: 'true',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'false',
      WEBHOOK_MAX_ATTEMPTS: '1',
      RECOVERY_SWEEP_INTERVAL_MS: '3600000',
    });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetState(t.config, t.dataSource);
    await t.dataSource.query('TRUNCATE webhook_endpoint CASCADE');
  });

  const authOf = () => `Bearer ${tokenFor(t.config, { orgId: 'org_ssrf', role: Role.OWNER })}`;

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.7/hook',
    'http://192.168.1.1/hook',
    'http://[::ffff:127.0.0.1]/hook',
  ])('refuses to register %s', async (url) => {
    const res = await t.http().post('/api/v1/webhooks').set('Authorization', authOf()).send({ url }).expect(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Invalid webhook URL',
      details: { fields: [{ field: 'url', messages: ['url must not target an internal address'] }] },
    });
  });

  it('accepts a public URL', async () => {
    await t
      .http()
      .post('/api/v1/webhooks')
      .set('Authorization', authOf())
      .send({ url: 'https://hooks.example.com/enrichment' })
      .expect(201);
  });

  it('does not deliver to an internal address registered before the policy tightened', async () => {
    const hook = await new WebhookReceiver(SECRET).start();
    try {
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO webhook_endpoint (org_id, url, secret, events) VALUES ($1, $2, $3, $4) RETURNING id`,
        ['org_ssrf', hook.url, SECRET, ['operation.completed']],
      );
      await t.app.get(WebhooksService).publish('org_ssrf', { type: 'operation.completed', data: {} });

      const log = await waitFor(async () => {
        const res = await t.http().get(`/api/v1/webhooks/${id}/deliveries`).set('Authorization', authOf()).expect(200);
        return res.body.length === 1 && res.body[0].status === 'failed' && res.body;
      });
      expect(log[0]).toMatchObject({ responseStatus: null, error: 'url must not target an internal address' });
      expect(hook.received).toEqual([]);
    } finally {
      await hook.stop();
    }
  });
});
