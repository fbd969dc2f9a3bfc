import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Role } from '../libs/auth/src';
import { CreditSource, CreditsService } from '../libs/credits/src';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = SchemaObject & { $ref?: string };

const ORG = 'org_schema_walk';
/** The operations with a JSON body, called the way a client would (dry run where there is one: same validation). */
const BODY_OPERATIONS: { path: string; call: string; admin?: boolean }[] = [
  { path: '/api/v1/operations/enrichment/bulk', call: '/api/v1/operations/enrichment/bulk?dryRun=true' },
  { path: '/api/v1/operations/enrichment/batch', call: '/api/v1/operations/enrichment/batch?dryRun=true' },
  { path: '/api/v1/operations/enrichment/batch/query', call: '/api/v1/operations/enrichment/batch/query' },
  { path: '/api/v1/leads/search', call: '/api/v1/leads/search' },
  { path: '/api/v1/webhooks', call: '/api/v1/webhooks' },
  { path: '/api/v1/admin/orgs/{orgId}/credits', call: `/api/v1/admin/orgs/${ORG}/credits`, admin: true },
];

/**
 * The document as a contract for request bodies: whatever it allows the server accepts, and
 * whatever it forbids (unknown keys, fractions where it says integer, out-of-bounds numbers,
 * strings and lists, values outside an enum, missing required keys, wrong types) the server
 * refuses with 400 VALIDATION_ERROR. Bodies are generated from the document's own schemas
 * (fast-check), then mutated; Ajv, reading the same document, decides which are allowed.
 */
describe('OpenAPI request schemas say what the server enforces', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  let ajv: Ajv;
  // An owner: it may call every org route (webhooks are managed by owners), as a member may the rest.
  let owner: string;
  let admin: string;
  let uuids: string[];

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', RATE_LIMIT: '1000000' });
    await resetState(t.config, t.dataSource);
    owner = tokenFor(t.config, { orgId: ORG, role: Role.OWNER });
    admin = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN });
    doc = (await t.http().get('/docs-json').expect(200)).body;
    ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
    addFormats(ajv);
    // Ajv's discriminator takes no `mapping`; the oneOf alone says the same (mode is an enum in each branch).
    const components = JSON.parse(
      JSON.stringify(doc.components, (key, v: unknown) => (key === 'discriminator' ? undefined : v)),
    );
    ajv.addSchema({ $id: 'openapi', components });
    // Ids the generator draws from: existing leads, so "unknown id" (a fact about the data, not the shape) never comes up.
    uuids = await leadIds(t.dataSource, 40, 2500);
    const credits = t.app.get(CreditsService);
    await t.dataSource.transaction((manager) =>
      credits.grant(manager, { orgId: ORG, amount: 50_000_000, source: CreditSource.MANUAL, createdBy: 'test' }),
    );
  });
  afterAll(() => t.close());

  const resolve = (schema: Schema): Schema =>
    schema.$ref ? resolve(doc.components!.schemas![schema.$ref.split('/').pop()!]) : schema;

  const bodySchema = (path: string): Schema => {
    const operation = doc.paths[path].post as OperationObject;
    const body = operation.requestBody as { content: Record<string, { schema: Schema }> };
    return body.content['application/json'].schema;
  };

  function allows(schema: Schema, value: Json): boolean {
    const rewritten = JSON.parse(
      JSON.stringify(schema, (key, v: unknown) => (key === 'discriminator' ? undefined : v)).replace(
        /"#\/components\//g,
        '"openapi#/components/',
      ),
    );
    return ajv.validate(rewritten, value);
  }

  /** Values the schema allows, extra keys included wherever it does not forbid them. */
  function arbitrary(node: Schema, depth = 0): fc.Arbitrary<Json> {
    const schema = resolve(node);
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => arbitrary(s as Schema, depth + 1)));
    if (schema.allOf?.length === 1) return arbitrary(schema.allOf[0], depth + 1);
    if (schema.enum) return fc.constantFrom(...(schema.enum as Json[]));
    switch (schema.type) {
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1_000_000, 2_000_000_000) });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'string':
        return stringArbitrary(schema);
      case 'array': {
        const items = arbitrary(schema.items as Schema, depth + 1);
        const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) };
        return schema.uniqueItems
          ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
          : fc.array(items, constraints);
      }
      default: {
        const properties = Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([key, value]) => [key, arbitrary(value as Schema, depth + 1)]),
        );
        // The one rule across fields, documented in words (employee_size: min <= max), kept here.
        const record = fc
          .record(properties, { requiredKeys: schema.required ?? [] })
          .map((value) =>
            typeof value.min === 'number' && typeof value.max === 'number' && value.min > value.max
              ? { ...value, min: value.max, max: value.min }
              : value,
          );
        if (schema.additionalProperties === false) return record;
        // The document does not forbid other keys: a client may send them.
        return fc.tuple(record, fc.dictionary(fc.constantFrom('extra', 'note'), fc.string())).map(([a, b]) => ({
          ...b,
          ...a,
        }));
      }
    }
  }

  function stringArbitrary(schema: Schema): fc.Arbitrary<Json> {
    if (schema.format === 'uuid') return fc.constantFrom(...uuids);
    if (schema.format === 'date-time') {
      return (
        fc
          // Future instants: the one date in a body (a grant's expiresAt) must not be past, as its description says.
          .date({ min: new Date(Date.now() + 86_400_000), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString())
      );
    }
    if (schema.format === 'uri')
      return fc.integer({ min: 1, max: 65535 }).map((port) => `http://127.0.0.1:${port}/hooks`);
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
    const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : null;
    if (pattern && schema.pattern!.startsWith('^')) {
      return fc.stringMatching(pattern).filter((value) => value.length >= minLength && value.length <= maxLength);
    }
    return fc
      .string({ minLength, maxLength, unit: 'grapheme-ascii' })
      .filter((value) => !pattern || pattern.test(value));
  }

  /** Every single-step change of a valid body that a client could get wrong. */
  function mutations(node: Schema, value: Json, required = true): Json[] {
    const schema = resolve(node);
    // null for an optional field means "absent" (class-validator's IsOptional): not a mutation.
    const out: Json[] = required ? [123, 'text', true, null, [], {}] : [123, 'text', true, [], {}];
    if (schema.type === 'integer') out.push(1.5, JSON.stringify(value));
    if (schema.maximum !== undefined) out.push(schema.maximum + 1);
    if (schema.minimum !== undefined) out.push(schema.minimum - 1);
    if (schema.maxLength !== undefined) out.push('x'.repeat(schema.maxLength + 1));
    if (schema.minLength) out.push('');
    if (schema.enum) out.push('not_a_documented_value');
    if (schema.oneOf) schema.oneOf.forEach((branch) => out.push(...mutations(branch, value)));
    if (Array.isArray(value) && schema.items) {
      if (schema.maxItems !== undefined && value.length > 0) {
        out.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => value[i % value.length]));
      }
      if (value.length > 0) {
        for (const changed of mutations(schema.items, value[0])) out.push([changed, ...value.slice(1)]);
      }
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      out.push({ ...value, unknownKey: 'x' });
      for (const key of schema.required ?? []) {
        const { [key]: _removed, ...rest } = value;
        out.push(rest);
      }
      const branch = schema.oneOf
        ? (schema.oneOf.map((s) => resolve(s as Schema)).find((s) => allows(s, value)) ?? schema)
        : schema;
      for (const [key, child] of Object.entries(value)) {
        const childSchema = branch.properties?.[key];
        if (!childSchema) continue;
        const isRequired = (branch.required ?? []).includes(key);
        for (const changed of mutations(childSchema, child, isRequired)) out.push({ ...value, [key]: changed });
      }
    }
    return out;
  }

  const send = (operation: (typeof BODY_OPERATIONS)[number], body: Json) =>
    t
      .http()
      .post(operation.call)
      .set('Authorization', `Bearer ${operation.admin ? admin : owner}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));

  it.each(BODY_OPERATIONS)('$path: every body the document allows is accepted', async (operation) => {
    const schema = bodySchema(operation.path);
    await fc.assert(
      fc.asyncProperty(arbitrary(schema), async (body) => {
        expect(allows(schema, body)).toBe(true);
        const res = await send(operation, body);
        if (res.status === 400 || res.status >= 500) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  });

  it.each(BODY_OPERATIONS)(
    '$path: every body the document forbids is refused with 400',
    async (operation) => {
      const schema = bodySchema(operation.path);
      await fc.assert(
        fc.asyncProperty(arbitrary(schema), fc.nat(), async (valid, pick) => {
          const candidates = mutations(schema, valid).filter((body) => !allows(schema, body));
          const body = candidates[pick % candidates.length];
          const res = await send(operation, body);
          if (res.status !== 400 || res.body.error?.code !== 'VALIDATION_ERROR') {
            throw new Error(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
          }
        }),
        { numRuns: 25, endOnFailure: true },
      );
    },
    300_000,
  ); // bulk's lists reach 1000 ids: slow on a busy 2-core machine

  it('no field or parameter is a bare `number`: every quantity of this API is an integer', () => {
    const numbers: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (!value || typeof value !== 'object') return;
      if ((value as { type?: string }).type === 'number') numbers.push(where);
      for (const [key, child] of Object.entries(value)) walk(child, `${where}/${key}`);
    };
    walk(doc, '#');
    expect(numbers).toEqual([]);
  });
});
