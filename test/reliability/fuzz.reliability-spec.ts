import fc from 'fast-check';
import type { Pool } from 'pg';
import { FUZZ_RUNS } from './support/env';
import { BULK, call, createPool, HttpResult, manual, token } from './support/harness';
import { ApiProcess, baseEnv, RedisServer, startApi, stopAll } from './support/processes';
import { ScenarioTally } from './support/summary';

jest.setTimeout(300000);

const SUITE = 'bad input';
/** The fuzzed org has no credits: a request that passes validation still cannot hold or write anything. */
const ORG = 'org_rel_fuzz';
/** Tables a rejected request may legitimately touch: a stored idempotent answer is not work. */
const MAY_CHANGE = /idempot/;

interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  allOf?: SchemaObject[];
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: SchemaObject;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: SchemaObject;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: SchemaObject }> } }>
  >;
  components?: { schemas?: Record<string, SchemaObject> };
}

interface FuzzCase {
  operation: Operation;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string;
}

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '');

/** Characters PostgreSQL text cannot hold (NUL) or that are no character at all (lone surrogates). */
const UNSAFE_CHARACTERS = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff'] as const;

/** A string with NUL or a lone surrogate somewhere in it (as JSON, the surrogate is a \\uXXXX escape). */
const unsafeString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...UNSAFE_CHARACTERS), fc.string({ maxLength: 10 }))
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Anything at all, including the keys and values validators trip over. */
const chaos: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  unsafeString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', ' ', '0', '-1', 'true', 'null', '1e309', 'NaN', '__proto__', '💥', 'a'.repeat(5000)),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxKeys: 3 }),
);

const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'x', '');

/** A value shaped like the schema most of the time (to get past the first checks), wrong the rest. */
function arbitraryFor(schema: SchemaObject | undefined, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return chaos;
  if (schema.$ref) return arbitraryFor(doc.components?.schemas?.[schema.$ref.split('/').pop()!], doc, depth + 1);
  const alternatives = schema.oneOf ?? schema.anyOf ?? schema.allOf;
  let shaped: fc.Arbitrary<unknown>;
  if (alternatives) shaped = fc.oneof(...alternatives.map((s) => arbitraryFor(s, doc, depth + 1)));
  else if (schema.enum) shaped = fc.constantFrom(...schema.enum);
  else if (schema.type === 'string' && schema.format === 'uuid') shaped = fc.uuid();
  else if (schema.type === 'string' && schema.format === 'date-time')
    shaped = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  else if (schema.type === 'string' && (schema.format === 'uri' || schema.format === 'url')) shaped = fc.webUrl();
  else if (schema.type === 'string') shaped = fc.string({ maxLength: 40 });
  else if (schema.type === 'integer' || schema.type === 'number')
    shaped = fc.integer({ min: (schema.minimum ?? -1000) - 2, max: Math.min((schema.maximum ?? 100000) + 2, 2 ** 31) });
  else if (schema.type === 'boolean') shaped = fc.boolean();
  else if (schema.type === 'array') shaped = fc.array(arbitraryFor(schema.items, doc, depth + 1), { maxLength: 6 });
  else if (schema.properties) {
    const props = Object.fromEntries(
      Object.entries(schema.properties).map(([k, s]) => [k, arbitraryFor(s, doc, depth + 1)]),
    );
    shaped = fc
      .tuple(fc.record(props, { requiredKeys: [] }), fc.option(fc.tuple(dangerousKey, chaos), { freq: 4 }))
      .map(([record, extra]) => {
        // defineProperty: an own "__proto__" key, as JSON.parse would create it, not a prototype change.
        if (extra) Object.defineProperty(record, extra[0], { value: extra[1], enumerable: true });
        return record;
      });
  } else shaped = chaos;
  // Every string field, whatever its format, also gets NUL and lone surrogates (or hides them in a
  // plausible value: a URL, a uuid, a date with one bad character appended).
  if (schema.type === 'string') {
    const tainted = fc
      .tuple(shaped, fc.constantFrom(...UNSAFE_CHARACTERS))
      .map(([value, bad]) => `${String(value)}${bad}`);
    shaped = fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: fc.oneof(unsafeString, tainted) });
  }
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: chaos });
}

/**
 * Every string field of a body schema (through $ref, nested objects and arrays of strings),
 * with a body that holds a given value there and nothing else: the field's path as the API
 * names it (`selection.filters.job_title.0`) and the body builder.
 */
function stringFieldsOf(
  schema: SchemaObject | undefined,
  doc: OpenApiDocument,
  path: string[] = [],
  depth = 0,
): { path: string; body: (value: string) => unknown }[] {
  if (!schema || depth > 6) return [];
  if (schema.$ref)
    return stringFieldsOf(doc.components?.schemas?.[schema.$ref.split('/').pop()!], doc, path, depth + 1);
  const alternatives = schema.oneOf ?? schema.anyOf ?? schema.allOf;
  if (alternatives) return alternatives.flatMap((s) => stringFieldsOf(s, doc, path, depth + 1)).slice(0, 20);
  const at = (value: unknown): unknown =>
    path.reduceRight<unknown>((inner, key) => (key === '0' ? [inner] : { [key]: inner }), value);
  if (schema.type === 'string') return [{ path: path.join('.'), body: at }];
  if (schema.type === 'array') return stringFieldsOf(schema.items, doc, [...path, '0'], depth + 1);
  return Object.entries(schema.properties ?? {}).flatMap(([key, s]) =>
    stringFieldsOf(s, doc, [...path, key], depth + 1),
  );
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

function caseFor(operation: Operation, doc: OpenApiDocument, tokens: Record<string, string>): fc.Arbitrary<FuzzCase> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  return fc.record({
    path: fc
      .tuple(
        ...pathParams.map(() => fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('..', '%00', '0'))),
      )
      .map((values) =>
        pathParams.reduce(
          (p, param, i) => p.replace(`{${param.name}}`, encodeURIComponent(values[i] || 'x')),
          operation.path,
        ),
      ),
    query: fc
      .tuple(
        fc.record(Object.fromEntries(queryParams.map((p) => [p.name, arbitraryFor(p.schema, doc)])), {
          requiredKeys: [],
        }),
        fc.option(fc.tuple(dangerousKey, chaos), { freq: 4 }),
      )
      .map(([values, extra]) => {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(values)) params.append(k, asText(v));
        if (extra) params.append(extra[0], asText(extra[1]));
        const text = params.toString();
        return text ? `?${text}` : '';
      }),
    headers: fc
      .record({
        authorization: fc.oneof(
          { weight: 12, arbitrary: fc.constant(`Bearer ${tokens.member}`) },
          { weight: 1, arbitrary: fc.constant(`Bearer ${tokens.admin}`) },
          { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${ascii(s)}`) },
          { weight: 1, arbitrary: fc.constant(`Bearer ${tokens.member.slice(0, -3)}abc`) },
          { weight: 1, arbitrary: fc.constant('') },
        ),
        'content-type': fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/json') },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/json; charset=utf-16',
              'multipart/form-data; boundary=x',
              'application/xml',
            ),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(ascii) },
        ),
        'idempotency-key': fc.option(fc.string({ maxLength: 300 }).map(ascii), { freq: 3 }),
        'x-request-id': fc.option(fc.string({ maxLength: 300 }).map(ascii), { freq: 5 }),
      })
      .map((headers) =>
        Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => !!entry[1])),
      ),
    body:
      operation.method === 'GET' || operation.method === 'DELETE'
        ? fc.constant(undefined)
        : fc.oneof(
            { weight: 8, arbitrary: arbitraryFor(operation.body, doc).map((v) => JSON.stringify(v) ?? 'null') },
            { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
            {
              weight: 1,
              arbitrary: fc.constantFrom('{', '[]', 'null', '"x"', '{"a":1,"a":2}', '', '{"__proto__":{"polluted":1}}'),
            },
          ),
    operation: fc.constant(operation),
  });
}

/** Row counts of every table the API writes (the seeded leads and the migrations aside). */
async function tableCounts(db: Pool): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('person', 'migrations') ORDER BY 1`,
  );
  const { rows } = await db.query<Record<string, number>>(
    `SELECT ${tables.map((t) => `(SELECT count(*)::int FROM "${t.tablename}") AS "${t.tablename}"`).join(', ')}`,
  );
  return rows[0];
}

function changedTables(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after).filter((table) => before[table] !== after[table] && !MAY_CHANGE.test(table));
}

/** What every answer must satisfy: no 5xx, no dropped connection, 4xx in the error envelope. */
function problemsOf(res: HttpResult): string[] {
  const problems: string[] = [];
  if (res.status === 0) problems.push(`no answer: ${res.text}`);
  if (res.status >= 500) problems.push(`status ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400 && res.status < 500) {
    const error = (res.body as { error?: Record<string, unknown> } | undefined)?.error;
    if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || !('details' in error)) {
      problems.push(`status ${res.status} without the error envelope: ${res.text.slice(0, 200)}`);
    }
  }
  return problems;
}

describe('Bad input: never a 5xx, always the envelope, nothing written', () => {
  let db: Pool;
  let api: ApiProcess;
  let doc: OpenApiDocument;
  const tokens = { member: token(ORG, { sub: 'user_fuzz' }), admin: token('org_rel_fuzz_ops', { role: 'admin' }) };

  beforeAll(async () => {
    db = createPool();
    const redis = await RedisServer.start();
    api = await startApi({ ...baseEnv(redis.url), RUN_WORKERS: 'false' });
    doc = (await call(api.url, 'GET', '/docs-json')).body as OpenApiDocument;
  });

  afterAll(async () => {
    await stopAll();
    await db.end();
  });

  it(`fuzzes every operation of /docs-json (${FUZZ_RUNS} cases): body, query, path and headers`, async () => {
    const tally = new ScenarioTally(SUITE, `property-based fuzzing of every endpoint`);
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    const perOperation: Record<string, number> = {};
    const writesBySuccess = new Set<string>();
    let counts = await tableCounts(db);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations.map((op) => caseFor(op, doc, tokens))), async (c) => {
        tally.fuzzCases += 1;
        const res = await call(api.url, c.operation.method, `${c.path}${c.query}`, {
          headers: c.headers,
          body: c.body,
          tally,
          timeoutMs: 15000,
        });
        const name = `${c.operation.method} ${c.operation.path}`;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        perOperation[name] = (perOperation[name] ?? 0) + 1;
        const problems = problemsOf(res);
        const after = await tableCounts(db);
        const changed = changedTables(counts, after);
        if (res.status >= 400 && changed.length > 0)
          problems.push(`rejected with ${res.status} but wrote to ${changed.join(', ')}`);
        if (res.status < 400 && changed.length > 0)
          writesBySuccess.add(`${name} → ${res.status}: ${changed.join(', ')}`);
        counts = after;
        if (problems.length > 0 && failures.length < 25) {
          failures.push(
            `${c.operation.method} ${c.path}${c.query} headers=${JSON.stringify(c.headers)} body=${c.body?.slice(0, 300)} → ${problems.join('; ')}`,
          );
        }
        return true;
      }),
      { numRuns: FUZZ_RUNS },
    );
    Object.assign(tally.details, {
      operations: operations.length,
      statuses,
      perOperation,
      writesBySuccess: [...writesBySuccess],
    });
    tally.finish({ violations: failures.map((detail) => ({ rule: 'fuzz', orgId: ORG, detail: { case: detail } })) });
    expect(failures).toEqual([]);
  });

  describe('targeted cases', () => {
    const bulk = (body: string, contentType = 'application/json') =>
      call(api.url, 'POST', BULK, { token: tokens.member, body, headers: { 'content-type': contentType } });

    const mismatches: string[] = [];

    /** Collects instead of failing fast, so one run reports every targeted case that misbehaves. */
    async function expectRejected(tally: ScenarioTally, name: string, res: HttpResult, expected: number[]) {
      tally.requests += 1;
      tally.details[name] = res.status;
      const problems = problemsOf(res);
      if (!expected.includes(res.status))
        problems.push(`expected ${expected.join(' or ')}, got ${res.status}: ${res.text.slice(0, 200)}`);
      if (problems.length > 0) mismatches.push(`${name}: ${problems.join('; ')}`);
    }

    it('NUL or a lone surrogate in any string field of any body: 400 VALIDATION_ERROR naming that field', async () => {
      const tally = new ScenarioTally(SUITE, 'NUL and lone surrogates in every string field');
      const before = await tableCounts(db);
      let fields = 0;
      for (const operation of operationsOf(doc).filter((op) => op.body)) {
        const path = operation.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001');
        for (const field of stringFieldsOf(operation.body, doc)) {
          for (const bad of UNSAFE_CHARACTERS) {
            fields += 1;
            const name = `${operation.method} ${operation.path} ${field.path} ${JSON.stringify(bad)}`;
            const res = await call(api.url, operation.method, path, {
              token: tokens.admin,
              json: field.body(`ok${bad}`),
              tally,
            });
            await expectRejected(tally, name, res, [400]);
            const named = (res.body as { error?: { details?: { fields?: { field: string }[] } } })?.error?.details
              ?.fields;
            if (res.status === 400 && named?.[0]?.field !== field.path)
              mismatches.push(`${name}: names ${JSON.stringify(named)} instead of ${field.path}`);
          }
        }
      }
      tally.details.fieldsTried = fields;
      expect(fields).toBeGreaterThan(20);
      expect(changedTables(before, await tableCounts(db))).toEqual([]);
      tally.finish({
        violations: mismatches.map((detail) => ({ rule: 'unsafe strings', orgId: ORG, detail: { case: detail } })),
      });
      expect(mismatches).toEqual([]);
    });

    it('oversized bodies, wrong content types, prototype keys, deep nesting, huge arrays', async () => {
      const tally = new ScenarioTally(SUITE, 'targeted hostile bodies');
      const before = await tableCounts(db);
      const uuids = (n: number) =>
        Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const valid = JSON.stringify(manual(uuids(2)));

      await expectRejected(
        tally,
        'oversized body (2 MB)',
        await bulk(JSON.stringify({ ...manual([]), pad: 'x'.repeat(2 * 1024 * 1024) })),
        [413],
      );
      await expectRejected(tally, '100k ids (3.9 MB)', await bulk(JSON.stringify(manual(uuids(100000)))), [413]);
      await expectRejected(
        tally,
        '100k small items',
        await bulk(
          JSON.stringify({ selection: { mode: 'manual', includedIds: new Array(100000).fill(0) }, field: 'emails' }),
        ),
        [400],
      );
      await expectRejected(tally, 'text/plain', await bulk(valid, 'text/plain'), [415]);
      await expectRejected(
        tally,
        'form-urlencoded',
        await bulk('selection=1&field=emails', 'application/x-www-form-urlencoded'),
        [415],
      );
      await expectRejected(
        tally,
        'no content type',
        await call(api.url, 'POST', BULK, { token: tokens.member, body: valid }),
        [415],
      );
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        await expectRejected(
          tally,
          `top-level ${key}`,
          await bulk(valid.replace(/^\{/, `{"${key}":{"polluted":true,"role":"admin"},`)),
          [400],
        );
        await expectRejected(
          tally,
          `nested ${key}`,
          await bulk(
            `{"selection":{"mode":"bulk","startIndex":0,"targetCount":1,"filters":{"${key}":{"polluted":true}}},"field":"emails"}`,
          ),
          [400],
        );
      }
      const deep = (open: string, close: string, n: number) => `${open.repeat(n)}1${close.repeat(n)}`;
      await expectRejected(
        tally,
        '10,000 nested objects',
        await bulk(`{"selection":${deep('{"a":', '}', 10000)},"field":"emails"}`),
        [400, 413],
      );
      await expectRejected(
        tally,
        '10,000 nested arrays',
        await bulk(`{"selection":{"mode":"manual","includedIds":${deep('[', ']', 10000)}},"field":"emails"}`),
        [400, 413],
      );
      await expectRejected(
        tally,
        '10,000 nested filters',
        await bulk(
          `{"selection":{"mode":"bulk","startIndex":0,"targetCount":1,"filters":${deep('{"job_title":', '}', 10000)}},"field":"emails"}`,
        ),
        [400, 413],
      );

      // Nothing was written, and no prototype was polluted: the app still answers as before.
      expect(changedTables(before, await tableCounts(db))).toEqual([]);
      const balance = await call(api.url, 'GET', '/api/v1/operations/credits/balance', { token: tokens.member, tally });
      expect(balance.body).toMatchObject({ balance: 0, organizationId: ORG });
      const short = await call(api.url, 'POST', BULK, {
        token: tokens.member,
        json: { selection: { mode: 'bulk', startIndex: 0, targetCount: 2, filters: {} }, field: 'emails' },
        tally,
      });
      expect(short.status).toBe(402);
      expect(short.body).toEqual({
        error: { code: 'INSUFFICIENT_CREDITS', message: expect.any(String), details: { required: 10, available: 0 } },
      });
      tally.finish({
        violations: mismatches.map((detail) => ({ rule: 'targeted bad input', orgId: ORG, detail: { case: detail } })),
      });
      expect(mismatches).toEqual([]);
    });
  });
});
