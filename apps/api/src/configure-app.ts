import { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestListener } from 'node:http';
import proxyaddr from 'proxy-addr';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@app/core';
import { AnonymousRateLimiter } from '@app/ops';
import { applyHttpSecurity, securityHeaderValues } from './http-security';
import { buildOpenApiDocument } from './openapi/openapi-document';

/**
 * Everything main.ts does to the app besides listening and handling signals (main closes the
 * app on SIGINT/SIGTERM itself), shared with the e2e tests.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  // First: preflights are answered, and every answer (429s included) carries the security headers.
  applyHttpSecurity(app, config);
  // Before the body is read: a client without a valid credential is counted and stopped first.
  const limiter = app.get(AnonymousRateLimiter);
  app.use(limiter.middleware);
  refuseKnownSpentBeforeExpress(app, limiter, config);
  // Raw bytes only (size limit; inflated size when compression is accepted, 415 otherwise);
  // JsonBodyMiddleware parses them with bounded depth and size.
  app.useBodyParser('raw', {
    type: 'application/json',
    limit: config.MAX_BODY_SIZE,
    inflate: config.ACCEPT_COMPRESSED_BODIES,
  });
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

/**
 * Puts the per-IP limiter's cheap verdict (AnonymousRateLimiter.refuseKnownSpent) in front of
 * Express on the HTTP server: a flood from an address already over budget is answered without
 * Express's router, middleware chain or response helpers. The address is the one Express
 * computes (proxy-addr with the app's own compiled `trust proxy`), so both budgets are one.
 */
function refuseKnownSpentBeforeExpress(
  app: NestExpressApplication,
  limiter: AnonymousRateLimiter,
  config: AppConfig,
): void {
  const server = app.getHttpServer();
  type Trust = (addr: string, hop: number) => boolean;
  const trust = app.getHttpAdapter().getInstance().get('trust proxy fn') as Trust;
  const headers = securityHeaderValues(config);
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (limiter.refuseKnownSpent(req, res, () => proxyaddr(req, trust), headers)) return;
    for (const handler of handlers) handler.call(server, req, res);
  });
}

/** TRUST_PROXY as Express's `trust proxy` value: a boolean, a hop count, or addresses/subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return value.trim();
}
