import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@app/core';
import { AnonymousRateLimiter } from '@app/ops';
import { applyHttpSecurity } from './http-security';
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
  app.use(app.get(AnonymousRateLimiter).middleware);
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

/** TRUST_PROXY as Express's `trust proxy` value: a boolean, a hop count, or addresses/subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return value.trim();
}
