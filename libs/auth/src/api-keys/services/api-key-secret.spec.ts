import { API_KEY_PREFIX, generateApiKeySecret, hashApiKeySecret, isWellFormedApiKey } from './api-key-secret';

describe('API key secrets', () => {
  it('carry the recognisable prefix and 32 random bytes, and only their SHA-256 is kept', () => {
    const { secret, hash, displayPrefix } = generateApiKeySecret();
    expect(secret.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(isWellFormedApiKey(secret)).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKeySecret(secret));
    expect(secret.startsWith(displayPrefix)).toBe(true);
    expect(displayPrefix).toHaveLength(API_KEY_PREFIX.length + 6);
    expect(generateApiKeySecret().secret).not.toBe(secret);
  });

  it.each([
    'ce_live_short',
    `${API_KEY_PREFIX}${'a'.repeat(44)}`,
    `ce_test_${'a'.repeat(43)}`,
    `${API_KEY_PREFIX}${'a'.repeat(42)}=`,
  ])('refuses a malformed key %s', (credential) => expect(isWellFormedApiKey(credential)).toBe(false));
});
