import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test_secret_0123456789';
  const body = '{"id":"e1","type":"operation.completed","createdAt":"2025-01-01T00:00:00.000Z","data":{}}';

  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>", as the README documents', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1700000000, body)).toBe(`v1=${expected}`);
  });

  it('verifies its own signature and refuses a changed body, timestamp or secret', () => {
    const header = signWebhook(secret, 1700000000, body);
    expect(verifyWebhookSignature(secret, '1700000000', body, header)).toBe(true);
    expect(verifyWebhookSignature(secret, '1700000000', body.replace('{}', '{"x":1}'), header)).toBe(false);
    expect(verifyWebhookSignature(secret, '1700000001', body, header)).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789', '1700000000', body, header)).toBe(false);
  });

  it('generates distinct strong secrets', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
