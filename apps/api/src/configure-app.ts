import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig, ErrorEnvelopeDto } from '@app/core';

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
  '500': 'INTERNAL_ERROR: details carry the request id to quote to support',
};

function withCommonErrors(document: OpenAPIObject): OpenAPIObject {
  const envelope = { $ref: '#/components/schemas/ErrorEnvelopeDto' };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      for (const [status, description] of Object.entries(COMMON_ERRORS)) {
        operation.responses[status] ??= { description, content: { 'application/json': { schema: envelope } } };
      }
    }
  }
  return document;
}

/** Everything main.ts does to the app besides listening, shared with the e2e tests. */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: config.MAX_BODY_SIZE });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
