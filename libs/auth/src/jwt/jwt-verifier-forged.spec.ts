import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { AppConfig } from '@app/core';
import { AuthenticationFailed } from '../authentication-failed';
import { JwtVerifier } from './jwt-verifier';

const SECRET = 'jwt-verifier-spec-secret-0123456789';
const claims = { sub: 'user_1', org_id: 'org_1', role: 'member' };

function verifierWith(settings: Partial<Pick<AppConfig, 'JWT_SECRET' | 'JWT_PUBLIC_KEY'>>): JwtVerifier {
  return new JwtVerifier(Object.assign(new AppConfig(), settings));
}

/**
 * Forged tokens are refused with node:crypto before jose's WebCrypto verification (an async
 * job per call, the bulk of what a garbage-token flood cost the API), with jose's own message.
 */
describe('JwtVerifier: forged tokens refused synchronously', () => {
  let subtleVerify: jest.SpiedFunction<SubtleCrypto['verify']>;
  beforeEach(() => {
    subtleVerify = jest.spyOn(globalThis.crypto.subtle, 'verify');
  });
  afterEach(() => subtleVerify.mockRestore());

  it('HS256: a token signed with another secret never reaches WebCrypto; a genuine one verifies', async () => {
    const verifier = verifierWith({ JWT_SECRET: SECRET });
    const forged = sign(claims, 'another-secret-0123456789-abcdefgh', { algorithm: 'HS256', expiresIn: 60 });
    await expect(verifier.verify(forged)).rejects.toMatchObject({
      message: 'Invalid token: signature verification failed',
    });
    const tampered = sign(claims, SECRET, { algorithm: 'HS256', expiresIn: 60 }).replace(/.$/, (c) =>
      c === 'A' ? 'Q' : 'A',
    );
    await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(AuthenticationFailed);
    expect(subtleVerify).not.toHaveBeenCalled();

    const genuine = sign(claims, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    await expect(verifier.verify(genuine)).resolves.toMatchObject({ userId: 'user_1', orgId: 'org_1' });
  });

  it('HS256: other algorithms and malformed tokens are left to jose, with its answers', async () => {
    const verifier = verifierWith({ JWT_SECRET: SECRET });
    const hs384 = sign(claims, SECRET, { algorithm: 'HS384', expiresIn: 60 });
    await expect(verifier.verify(hs384)).rejects.toMatchObject({
      message: expect.stringContaining('"alg" (Algorithm) Header Parameter value not allowed'),
    });
    await expect(verifier.verify('not.a-jwt')).rejects.toBeInstanceOf(AuthenticationFailed);
  });

  it.each(['RS256', 'ES256'] as const)('%s: a token signed with another key never reaches WebCrypto', async (alg) => {
    const pair = () =>
      alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ours = pair();
    const theirs = pair();
    const verifier = verifierWith({
      JWT_PUBLIC_KEY: ours.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const forged = sign(claims, theirs.privateKey, { algorithm: alg, expiresIn: 60 });
    await expect(verifier.verify(forged)).rejects.toMatchObject({
      message: 'Invalid token: signature verification failed',
    });
    expect(subtleVerify).not.toHaveBeenCalled();

    const genuine = sign(claims, ours.privateKey, { algorithm: alg, expiresIn: 60 });
    await expect(verifier.verify(genuine)).resolves.toMatchObject({ userId: 'user_1', orgId: 'org_1' });
  });
});
