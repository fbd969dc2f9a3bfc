import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt/jwt-verifier';
import { RolesGuard } from './roles.guard';

/**
 * Authentication for the whole HTTP app: one guard for both credentials (JWT, API key), then
 * the roles and scopes guard. Global, so the front door's per-IP limiter can ask the
 * Authenticator whether a credential is valid.
 */
@Global()
@Module({
  imports: [ApiKeysModule],
  providers: [
    JwtVerifier,
    Authenticator,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [Authenticator],
})
export class AuthModule {}
