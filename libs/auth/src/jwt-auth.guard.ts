import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException, ErrorCode } from '@app/core';
import { AuthUser } from './auth-user';
import { IS_PUBLIC_KEY } from './decorators';

/** Applied globally: every route needs a valid token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser = AuthUser>(err: unknown, user: TUser | false, info: unknown): TUser {
    if (err instanceof AppException) throw err;
    if (err || !user) {
      const reason = info instanceof Error ? info.message : 'Missing or invalid bearer token';
      throw new AppException(ErrorCode.UNAUTHORIZED, reason === 'No auth token' ? 'Missing bearer token' : reason);
    }
    return user;
  }
}
