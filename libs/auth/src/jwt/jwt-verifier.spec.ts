import { loadConfig } from '@app/core';
import { Role } from '../auth-user';
import { signToken } from '../token';
import { JwtVerifier } from './jwt-verifier';

const SECRET = 'unit-test-secret-0123456789abcdef';

describe('JwtVerifier: verified tokens are remembered briefly', () => {
  afterEach(() => jest.useRealTimers());

  const setup = (expiresInSeconds: number) => {
    jest.useFakeTimers({ now: new Date('2026-11-30T08:00:00Z') });
    const config = loadConfig({ JWT_SECRET: SECRET });
    const verifier = new JwtVerifier(config);
    const token = signToken({ sub: 'u1', org_id: 'org_a', role: Role.MEMBER }, { secret: SECRET, expiresInSeconds });
    return { config, verifier, token };
  };

  it('answers a token it verified from memory for up to 30 s, then verifies it again', async () => {
    const { config, verifier, token } = setup(3600);
    await expect(verifier.verify(token)).resolves.toEqual({ userId: 'u1', orgId: 'org_a', role: Role.MEMBER });
    // From now on tokens must name an issuer this one does not carry: only a fresh verification notices.
    config.JWT_ISSUER = 'https://issuer.example.com/';
    jest.advanceTimersByTime(29_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ orgId: 'org_a' });
    jest.advanceTimersByTime(2_000);
    await expect(verifier.verify(token)).rejects.toThrow(/Invalid token/);
  });

  it('never past the token expiry, however recently it was verified', async () => {
    const { verifier, token } = setup(10);
    await verifier.verify(token);
    jest.advanceTimersByTime(16_000); // past exp and the 5 s clock tolerance
    await expect(verifier.verify(token)).rejects.toThrow(/Token expired/);
  });

  it('hands out copies: a caller changing its user changes nothing for the next request', async () => {
    const { verifier, token } = setup(3600);
    const first = await verifier.verify(token);
    first.orgId = 'org_other';
    await expect(verifier.verify(token)).resolves.toMatchObject({ orgId: 'org_a' });
  });
});
