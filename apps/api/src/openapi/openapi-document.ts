import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  MediaTypeObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import {
  AppConfig,
  ERROR_RESPONSES,
  ERROR_STATUS,
  ErrorCode,
  errorEnvelopeSchema,
  errorResponsesForStatus,
} from '@app/core';
import { isRateLimited, RATE_LIMIT_RESPONSE_HEADERS } from '@app/ops';
import { exampleFor } from './schema-example';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every tag an operation may carry, with what it groups; tags no operation uses are left out. */
const TAGS: { name: string; description: string }[] = [
  {
    name: 'enrichment',
    description:
      'Enrich leads with work emails or phone numbers: bulk (a selection), batch (ids), one lead; poll the results; ' +
      'follow and cancel operations. Credits are held up front and charged only for data found.',
  },
  { name: 'leads', description: 'Search the lead database: the pages bulk mode selects from.' },
  { name: 'credits', description: "The organisation's balance and its append-only credit ledger." },
  {
    name: 'webhooks',
    description:
      'Signed HTTP callbacks (Standard Webhooks): operations completed, contacts erased, low or depleted balance, spend limits reached.',
  },
  {
    name: 'spend limits',
    description: 'Caps on what an org, a user or an API key may spend per day or month (owners).',
  },
  {
    name: 'settings',
    description: 'Organisation settings: the low-balance alert threshold (owners).',
  },
  { name: 'privacy', description: 'Suppression lists and erasure of contact data, with receipts and webhook fan-out.' },
  { name: 'api-keys', description: 'Credentials for partners and servers: create, list, rotate, revoke (owners).' },
  {
    name: 'admin',
    description: 'The platform operators\u2019 console: organisations, credit grants, retries, audit log.',
  },
  {
    name: 'operations',
    description: 'Health checks, Prometheus metrics and the queue dashboard, for whoever runs the service.',
  },
];

const BEARER_DESCRIPTION =
  'A JWT with `sub`, `org_id` and `role` (member, owner or admin) claims, or an API key. ' +
  'Locally: `npm start` prints two demo tokens (a member and an operator) when it is ready, and ' +
  '`npm run token -- --org <orgId> [--role owner]` signs one with the development secret. ' +
  'In production the tokens come from your identity provider. An API key is accepted here too ' +
  '(`Authorization: Bearer <key>`).';

const API_KEY_DESCRIPTION =
  'An API key for a partner or a server, sent as `X-API-Key: <key>`. An owner creates one with ' +
  '`POST /api/v1/api-keys` (the secret is shown once, in that answer) and can rotate or revoke it. ' +
  'A key acts as a member of its organisation, within its scopes.';

/** The URL clients reach this deployment at: PUBLIC_URL, or this machine on PORT. */
export function publicUrl(config: AppConfig): string {
  return config.PUBLIC_URL || `http://localhost:${config.PORT}`;
}

/** The document /docs-json serves and `npm run lint:openapi` lints. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Contact Enrichment API')
    .setDescription(
      'Credit-metered enrichment of leads with work emails and phone numbers. ' +
        'Every error has the body `{"error": {"code", "message", "details"}}`; each status documents its own ' +
        '`details`. Authenticate with a bearer JWT or an API key.',
    )
    .setVersion('1.0')
    .setLicense('Proprietary', `${publicUrl(config)}/docs`)
    .addServer(publicUrl(config), 'This deployment')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: BEARER_DESCRIPTION },
      BEARER_SCHEME,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: API_KEY_DESCRIPTION }, API_KEY_SCHEME)
    // Either scheme: a requirement list is an OR. Public routes say `security: []` (see @Public()).
    .addSecurityRequirements(BEARER_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME);
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build());
  closeRequestSchemas(document);
  typeErrorResponses(document);
  addResponseExamples(document);
  const used = new Set(operations(document).flatMap(({ operation }) => operation.tags ?? []));
  document.tags = (document.tags ?? []).filter((tag) => used.has(tag.name));
  return document;
}

function operations(document: OpenAPIObject): { path: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ path, operation }] : [];
    }),
  );
}

function isReference(value: object): value is ReferenceObject {
  return '$ref' in value;
}

function schemaNamed(document: OpenAPIObject, ref: string): SchemaObject | undefined {
  const schema = document.components?.schemas?.[ref.replace('#/components/schemas/', '')];
  return schema && !isReference(schema) ? schema : undefined;
}

/**
 * The global ValidationPipe refuses unknown keys in every body, at every depth
 * (forbidNonWhitelisted + ValidateNested): every object schema a request body reaches says
 * `additionalProperties: false`. One rule here, because it is one rule in the pipe, and it
 * holds for DTOs added later without anyone remembering a decorator.
 */
function closeRequestSchemas(document: OpenAPIObject): void {
  const seen = new Set<SchemaObject>();
  const close = (node: SchemaObject | ReferenceObject | undefined): void => {
    if (!node) return;
    const schema = isReference(node) ? schemaNamed(document, node.$ref) : node;
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    for (const property of Object.values(schema.properties ?? {})) {
      if (isReference(property) || property.default === undefined) continue;
      // Generators (openapi-typescript) read a default as "always present", right for answers but
      // it would make an optional request field mandatory; the default stays, in words.
      property.description = `${property.description ? `${property.description}. ` : ''}Default: ${JSON.stringify(property.default)}.`;
      delete property.default;
    }
    Object.values(schema.properties ?? {}).forEach(close);
    [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])].forEach(close);
    if (schema.items) close(schema.items);
  };
  for (const { operation } of operations(document)) {
    const body = operation.requestBody;
    if (body && !isReference(body)) Object.values(body.content).forEach((media) => close(media.schema));
  }
}

/** Errors any route can answer, whatever its own decorators say. */
const COMMON_ERRORS = [
  ErrorCode.VALIDATION_ERROR,
  ErrorCode.UNAUTHORIZED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  ErrorCode.RATE_LIMITED,
  ErrorCode.INTERNAL_ERROR,
];

/**
 * Each error status gets its own envelope schema (its code, its typed `details`) and one
 * example, instead of the generic envelope controllers name: a client generated from the
 * document reads `details.required` of a 402 without a cast.
 */
function typeErrorResponses(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  for (const doc of Object.values(ERROR_RESPONSES)) schemas[doc.schemaName] = errorEnvelopeSchema(doc);
  for (const { path, operation } of operations(document)) {
    const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
    for (const code of COMMON_ERRORS) {
      const status = String(ERROR_STATUS[code]);
      if (status === '401' && isPublic && path !== '/metrics') continue;
      operation.responses[status] ??= { description: ERROR_RESPONSES[code].description };
    }
    for (const [status, response] of Object.entries(operation.responses)) {
      const docs = errorResponsesForStatus(Number(status));
      if (docs.length === 0 || !response || isReference(response)) continue;
      const typed: ResponseObject = response;
      const refs = docs.map((doc) => ({ $ref: `#/components/schemas/${doc.schemaName}` }));
      typed.content = {
        'application/json': {
          // anyOf: the codes' enums already tell the bodies apart (oneOf would add nothing but a lint warning).
          schema: refs.length === 1 ? refs[0] : { anyOf: refs },
          examples: Object.fromEntries(
            docs.map((doc) => [doc.code, { summary: doc.code, value: { error: { code: doc.code, ...doc.example } } }]),
          ),
        },
      };
      // Every route can answer 429 (the per-IP budget runs before routing); only the
      // org-limited ones carry the RateLimit-* headers.
      if (status === '429') {
        typed.headers = isRateLimited(operation)
          ? RATE_LIMIT_RESPONSE_HEADERS
          : { 'Retry-After': RATE_LIMIT_RESPONSE_HEADERS['Retry-After'] };
      }
    }
  }
  delete schemas.ErrorEnvelopeDto;
  delete schemas.ErrorBodyDto;
}

/** A JSON example on every success response, built from the schema's own property examples. */
function addResponseExamples(document: OpenAPIObject): void {
  const resolve = (ref: string) => schemaNamed(document, ref);
  for (const { operation } of operations(document)) {
    for (const response of Object.values(operation.responses)) {
      if (!response || isReference(response)) continue;
      for (const [type, media] of Object.entries<MediaTypeObject>(response.content ?? {})) {
        if (media.example !== undefined || media.examples) continue;
        if (type === 'application/json' && media.schema) media.example = exampleFor(media.schema, resolve);
        else if (type === 'text/html') media.example = '<!doctype html><html>…</html>';
        else if (type === 'text/plain') media.example = '# HELP enrichment_requests_total …';
      }
    }
  }
}
