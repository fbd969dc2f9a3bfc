import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException, ErrorCode } from '@app/core';
import { AuthUser, Role, roleGrants } from './auth-user';
import { ROLES_KEY } from './decorators';

/** Runs after JwtAuthGuard: a route marked @Roles(...) refuses callers whose role grants none of them with 403. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
    if (user && roles.some((required) => roleGrants(user.role, required))) return true;
    throw new AppException(ErrorCode.FORBIDDEN, `This route needs the role: ${roles.join(' or ')}`);
  }
}
