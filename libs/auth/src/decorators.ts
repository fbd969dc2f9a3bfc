import { applyDecorators, Controller, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, DECORATORS } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '@app/core';
import type { Request } from 'express';
import { ApiKeyScope } from './api-keys/api-key-scope';
import { AuthUser, Role } from './auth-user';

export const IS_PUBLIC_KEY = 'auth:isPublic';
export const ROLES_KEY = 'auth:roles';
export const SCOPES_KEY = 'auth:scopes';

/**
 * Opens a route (or a controller) to callers without a token (health checks, docs); its
 * OpenAPI operations say `security: []`, overriding the document-wide "bearer or API key".
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), SetMetadata(DECORATORS.API_SECURITY, []));

/** Restricts a route (or a controller) to these roles; API keys are judged by scope instead. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Opens a route (or a controller) to API keys holding all these scopes. A route without it is
 * closed to keys whatever their scopes (admin, key management): keys get only what is named.
 */
export const RequireScopes = (...scopes: ApiKeyScope[]) =>
  applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiForbiddenResponse({
      type: ErrorEnvelopeDto,
      description: `FORBIDDEN: an API key without the scope ${scopes.join(', ')}, or a user without the role the route needs`,
    }),
  );

/**
 * Every controller an org's owner manages its org with (API keys, spend limits, suppressions,
 * webhooks...): role `owner` (or an operator), documented as such. Without `scopes` only a user
 * token may call it (bearer security); with them, also an API key holding those scopes (the
 * document-wide "bearer or API key" security then applies). 400 and 401 are documented on every
 * route by the OpenAPI document builder.
 */
export const OwnerController = (path: string, { tag, scopes = [] }: { tag: string; scopes?: ApiKeyScope[] }) =>
  applyDecorators(
    Controller(path),
    ApiTags(tag),
    Roles(Role.OWNER),
    ...(scopes.length > 0
      ? [RequireScopes(...scopes)]
      : [
          ApiBearerAuth(),
          ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'FORBIDDEN: not an owner, or an API key' }),
        ]),
  );

/** The verified caller, as the JWT strategy put it on the request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser =>
    ctx.switchToHttp().getRequest<Request & { user: AuthUser }>().user,
);
