import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthenticationFailed } from './authentication-failed';
import { AuthUser } from './auth-user';
import { Authenticator } from './authenticator';
import { IS_PUBLIC_KEY } from './decorators';

/**
 * Applied globally: every route needs a valid credential (a JWT or an API key) unless it is
 * marked @Public(). A refusal is a 401 with its `WWW-Authenticate` challenge (RFC 6750).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: AuthUser }>();
    try {
      req.user = await this.authenticator.authenticate(req);
      return true;
    } catch (error) {
      if (error instanceof AuthenticationFailed)
        http.getResponse<Response>().setHeader('WWW-Authenticate', error.challenge);
      throw error;
    }
  }
}
