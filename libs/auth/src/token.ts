import { sign } from 'jsonwebtoken';
import { TokenClaims } from './auth-user';

export interface SignTokenOptions {
  secret: string;
  expiresInSeconds: number;
  issuer?: string;
  audience?: string;
}

/** Issues an HS256 token with our claims (demo data, the `npm run token` command, tests). */
export function signToken(claims: TokenClaims, options: SignTokenOptions): string {
  return sign(claims, options.secret, {
    algorithm: 'HS256',
    expiresIn: options.expiresInSeconds,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  });
}
