import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, isWebhookSecret, signWebhook } from './webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  // The secret of the Standard Webhooks specification's own example.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"id":"e1","type":"operation.completed","createdAt":"2025-01-01T00:00:00.000Z","data":{}}';

  /** Verifies with the `standardwebhooks` package, as a receiver using a Standard Webhooks library would. */
  function verify(key: string, headers: Record<string, string>, payload = body): unknown {
    return new Webhook(key).verify(payload, headers);
  }

  it('is verified by the standardwebhooks package, and refuses a changed body, id, timestamp or secret', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    };
    expect(verify(secret, headers)).toEqual(JSON.parse(body));
    expect(() => verify(secret, headers, body.replace('{}', '{"x":1}'))).toThrow();
    expect(() => verify(secret, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
    expect(() => verify(secret, { ...headers, 'webhook-timestamp': String(timestamp + 1) })).toThrow();
    expect(() => verify(generateWebhookSecret(), headers)).toThrow();
  });

  it('is v1, and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed with the decoded secret', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const expected = createHmac('sha256', key).update(`${id}.1614265330.${body}`).digest('base64');
    expect(signWebhook(secret, id, 1614265330, body)).toBe(`v1,${expected}`);
  });

  it('keeps the key of a secret generated before (base64url): the same bytes', () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef');
    const old = `whsec_${bytes.toString('base64url')}`;
    const current = `whsec_${bytes.toString('base64')}`;
    expect(signWebhook(old, id, 1700000000, body)).toBe(signWebhook(current, id, 1700000000, body));
  });

  it('generates distinct 32-byte secrets in the standard form', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(isWebhookSecret(a)).toBe(true);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it.each([
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', true],
    [`whsec_${Buffer.alloc(24, 1).toString('base64')}`, true],
    [`whsec_${Buffer.alloc(64, 1).toString('base64')}`, true],
    [`whsec_${Buffer.alloc(16, 1).toString('base64')}`, false],
    [`whsec_${Buffer.alloc(65, 1).toString('base64')}`, false],
    [`whsec_${Buffer.alloc(32, 250).toString('base64url')}`, false],
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', false],
    ['whsec_e2e_receiver_secret_0123456789', false],
  ])('accepts %s as a secret: %p', (value, ok) => {
    expect(isWebhookSecret(value)).toBe(ok);
  });
});
