import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isUnsafeString, UNSAFE_STRING_MESSAGE, ValidationException } from '@app/core';

/** Where the dashboard lives, and the cookie that carries its admin token in a browser. */
export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'ops_dashboard_token';

function malformedCookie(message: string): ValidationException {
  return new ValidationException('Request validation failed', {
    fields: [{ field: `cookie.${DASHBOARD_COOKIE}`, messages: [message] }],
  });
}

/**
 * The dashboard cookie's value, if the request carries one. A value that is not valid
 * percent-encoding, or that decodes to NUL or a lone surrogate, is the client's mistake: a 400
 * VALIDATION_ERROR naming the cookie (thrown), never a 500.
 */
export function dashboardCookieOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== DASHBOARD_COOKIE) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw malformedCookie(`cookie.${DASHBOARD_COOKIE} is not valid percent-encoding`);
    }
    if (isUnsafeString(value)) throw malformedCookie(`cookie.${DASHBOARD_COOKIE} ${UNSAFE_STRING_MESSAGE}`);
    return value;
  }
  return undefined;
}

/**
 * The dashboard is a browser page whose scripts cannot send an Authorization header, so on
 * its paths the cookie set by POST /admin/queues/session stands in for the header. The token
 * is then verified by the usual guards (JWT, then role admin), like any bearer token.
 */
@Injectable()
export class DashboardCookieMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const token = dashboardCookieOf(req);
    if (token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
    next();
  }
}
