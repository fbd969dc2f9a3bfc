import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  MediaTypeObject,
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS } from '../libs/core/src';
import { createTestApp, TestApp } from './support/test-app';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * The document a client generates from: servers, both security schemes (and how to get a
 * credential), `security: []` on public routes, declared tags, typed errors with one example per
 * code, and an example on every response — each example valid against its own schema.
 */
describe('The OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => (item[method] ? [{ where: `${method} ${path}`, op: item[method] }] : [])),
    );

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', PUBLIC_URL: 'https://api.example.com/enrichment' });
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('servers come from PUBLIC_URL', () => {
    expect(doc.servers).toEqual([{ url: 'https://api.example.com/enrichment', description: 'This deployment' }]);
  });

  it('two security schemes, either accepted on protected routes, each saying where its credential comes from', () => {
    const schemes = doc.components!.securitySchemes!;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(schemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(JSON.stringify(schemes.bearer)).toMatch(/npm run token.*npm start|npm start.*npm run token/);
    expect(JSON.stringify(schemes['api-key'])).toContain('POST /api/v1/api-keys');
    expect(doc.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    const bulk = doc.paths['/api/v1/operations/enrichment/bulk'].post!;
    expect(bulk.security).toBeUndefined(); // inherits "bearer or API key"
  });

  it('public routes say security: [] and document no 401; the others document 401', () => {
    for (const path of ['/health', '/health/ready', '/admin/queues/login']) {
      const op = doc.paths[path].get!;
      expect([path, op.security]).toEqual([path, []]);
      expect(op.responses['401']).toBeUndefined();
    }
    for (const { where, op } of operations()) {
      if (op.security?.length === 0) continue;
      expect([where, Boolean(op.responses['401'])]).toEqual([where, true]);
    }
  });

  it('every tag an operation uses is declared with a description', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const { where, op } of operations()) {
      for (const tag of op.tags ?? []) expect([where, tag, Boolean(declared.get(tag))]).toEqual([where, tag, true]);
    }
  });

  it('each error status has its own schema and one example per code, with that code and typed details', () => {
    const bulk = doc.paths['/api/v1/operations/enrichment/bulk'].post!.responses;
    const example = (status: string) =>
      Object.values((bulk[status] as ResponseObject).content!['application/json'].examples!).map(
        (e) => (e as { value: { error: { code: string; details: unknown } } }).value.error,
      );
    expect(example('400')[0]).toMatchObject({ code: 'VALIDATION_ERROR', details: { fields: expect.any(Array) } });
    expect(example('401')[0].code).toBe('UNAUTHORIZED');
    expect(example('402').map((e) => e.code)).toEqual(['INSUFFICIENT_CREDITS', 'SPEND_LIMIT_EXCEEDED']);
    expect(example('402')[0].details).toEqual({ required: 500, available: 120 });
    expect(example('429')[0].details).toEqual({ limit: 600, windowSeconds: 60, retryAfterSeconds: 17 });
    expect(example('500')[0].details).toEqual({ requestId: expect.any(String) });
    const schemas = doc.components!.schemas! as Record<string, { properties: Record<string, unknown> }>;
    expect(schemas.InsufficientCreditsError.properties.error).toMatchObject({
      properties: { code: { enum: ['INSUFFICIENT_CREDITS'] }, details: { required: ['required', 'available'] } },
    });
    expect(schemas.ValidationError.properties.error).toMatchObject({
      properties: { details: { required: ['fields'] } },
    });
    expect(schemas.ErrorEnvelopeDto).toBeUndefined(); // no generic `additionalProp1` envelope left
    for (const { where, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || status === '503') continue;
        const examples = Object.values((response as ResponseObject).content!['application/json'].examples!);
        for (const e of examples) {
          const code = (e as { value: { error: { code: keyof typeof ERROR_STATUS } } }).value.error.code;
          expect([where, status, ERROR_STATUS[code]]).toEqual([where, status, Number(status)]);
        }
      }
    }
  });

  it('every response has an example, and every example matches its own schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const problems: string[] = [];
    for (const { where, op } of operations() as { where: string; op: OperationObject }[]) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries<MediaTypeObject>((response as ResponseObject).content ?? {})) {
          const values =
            media.example !== undefined
              ? [media.example]
              : Object.values(media.examples ?? {}).map((e) => (e as { value: unknown }).value);
          if (values.length === 0 && type !== 'text/csv') problems.push(`${where} ${status} ${type}: no example`);
          if (type !== 'application/json' || !media.schema) continue;
          const schema = JSON.parse(JSON.stringify(media.schema).replace(/"#\/components\//g, '"openapi#/components/'));
          for (const value of values) {
            if (!ajv.validate(schema, value)) problems.push(`${where} ${status}: ${ajv.errorsText()}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
