import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException, ErrorCode } from '@app/core';
import { ApiKeyScope } from './api-keys/api-key-scope';
import { AuthUser, Role, roleGrants } from './auth-user';
import { ROLES_KEY, SCOPES_KEY } from './decorators';

/**
 * Runs after AuthGuard. A user (JWT) must hold a role the route's @Roles(...) names; an API key
 * must hold every scope its @RequireScopes(...) names, and a route that names none is closed to
 * keys (a key is never an owner or an admin). Refusals are 403 naming what is missing.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const user = context.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
    if (user?.apiKeyId !== undefined) {
      const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(SCOPES_KEY, targets);
      if (!scopes) throw new AppException(ErrorCode.FORBIDDEN, 'API keys cannot call this route; use a user token');
      const missing = scopes.filter((scope) => !(user.scopes ?? []).includes(scope));
      if (missing.length === 0) return true;
      throw new AppException(ErrorCode.FORBIDDEN, `This API key lacks the scope: ${missing.join(', ')}`, {
        missingScopes: missing,
      });
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0) return true;
    if (user && roles.some((required) => roleGrants(user.role, required))) return true;
    throw new AppException(ErrorCode.FORBIDDEN, `This route needs the role: ${roles.join(' or ')}`);
  }
}
