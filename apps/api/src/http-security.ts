import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AppConfig } from '@app/core';
import { DASHBOARD_LOGIN_SCRIPT_CSP_SOURCE } from '@app/ops';

/** What a browser may send cross-origin: the credentials and the headers the API reads. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-API-Key'];

/** Response headers a browser script may read: the API's own, beyond the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'Location',
  'X-Operation-Id',
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
];

export const CORS_ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** How long a browser may cache a preflight answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 7200;

/**
 * CORS for the listed origins only. An origin not listed gets no Access-Control-* header at
 * all (its preflight falls through to the 404 of an unknown route), so the browser blocks it.
 * Credentials are bearer tokens and API keys sent as headers, never cookies: no
 * Access-Control-Allow-Credentials.
 */
export function corsOptions(config: AppConfig): CorsOptions | undefined {
  if (config.CORS_ORIGINS.length === 0) return undefined;
  const anyOrigin = config.CORS_ORIGINS.includes('*');
  const allowed = new Set(config.CORS_ORIGINS);
  return {
    origin: (origin, callback) =>
      callback(null, anyOrigin ? '*' : origin !== undefined && allowed.has(origin) && origin),
    methods: CORS_ALLOWED_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
    optionsSuccessStatus: 204,
  };
}

/**
 * Security headers on every response, the docs and the queue dashboard included. The policy is
 * the strictest under which Swagger UI (/docs), bull-board (/admin/queues) and its sign-in page
 * still work: scripts only from this origin (plus the sign-in page's one inline script, by hash);
 * inline styles allowed (both UIs set style attributes); bull-board's Google font; no framing.
 */
export function securityHeaders(config: AppConfig) {
  const production = config.NODE_ENV === 'production';
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'script-src': ["'self'", DASHBOARD_LOGIN_SCRIPT_CSP_SOURCE],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
        'font-src': ["'self'", 'https://fonts.gstatic.com', 'data:'],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // Over plain http (development, tests) upgrading would break every sub-resource.
        ...(production ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

/**
 * The headers securityHeaders sets, as values, for answers written before Express (see
 * refuseKnownSpentBeforeExpress), which must carry the same ones. The policy is static, so
 * capturing it once from helmet itself keeps the two from drifting apart.
 */
export function securityHeaderValues(config: AppConfig): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const capture = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  securityHeaders(config)({} as IncomingMessage, capture as unknown as ServerResponse, () => undefined);
  return headers;
}

export function applyHttpSecurity(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.use(securityHeaders(config));
  const cors = corsOptions(config);
  if (cors) app.enableCors(cors);
}
