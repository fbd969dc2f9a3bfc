import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig, ErrorEnvelopeDto } from '@app/core';
import { AnonymousRateLimiter, isRateLimited, RATE_LIMIT_RESPONSE_HEADERS } from '@app/ops';
import { applyHttpSecurity } from './http-security';

export function buildOpenApiDocument(app: INestApplication) {
  const config = new DocumentBuilder()
    .setTitle('Contact Enrichment API')
    .setDescription(
      'Credit-metered enrichment of leads with work emails and phone numbers. ' +
        'Every error has the body `{"error": {"code", "message", "details"}}`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return withCommonErrors(SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] }));
}

/** Errors any route can answer, whatever its own decorators say: documented once, here. */
const COMMON_ERRORS: Record<string, string> = {
  '400': 'VALIDATION_ERROR: invalid body, query or path; malformed JSON',
  '401': 'UNAUTHORIZED: missing or invalid bearer token',
  '413': 'PAYLOAD_TOO_LARGE: the body exceeds the size limit',
  '415': 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json',
  '429':
    "RATE_LIMITED: the organisation's request budget is spent, or (without a valid token) the client " +
    "address's; retry after Retry-After seconds",
  '500': 'INTERNAL_ERROR: details carry the request id to quote to support',
};

function withCommonErrors(document: OpenAPIObject): OpenAPIObject {
  const envelope = { $ref: '#/components/schemas/ErrorEnvelopeDto' };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      // Every route can answer 429 (the per-IP budget runs before routing); only the
      // org-limited ones carry the RateLimit-* headers.
      const limited = isRateLimited(operation);
      for (const [status, description] of Object.entries(COMMON_ERRORS)) {
        const headers =
          status !== '429'
            ? {}
            : {
                headers: limited
                  ? RATE_LIMIT_RESPONSE_HEADERS
                  : { 'Retry-After': RATE_LIMIT_RESPONSE_HEADERS['Retry-After'] },
              };
        operation.responses[status] ??= {
          description,
          ...headers,
          content: { 'application/json': { schema: envelope } },
        };
      }
    }
  }
  return document;
}

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
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
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
