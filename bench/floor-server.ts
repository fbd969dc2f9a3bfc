/**
 * The floor the service is measured against: what `POST /api/v1/operations/enrichment/bulk`
 * costs with nothing but `node:http`, `pg` and hand-written SQL — no Nest, no ORM, no
 * validation library, no queue. It does the same database work on the same schema (a database
 * migrated by the project's migrations): verify the HS256 token, validate the body, resolve
 * the selection (manual: the ids exist; bulk: the same filter SQL and lead order), then in one
 * transaction lock the org's credit account, find the existing enrichments, hold the credits
 * (account update + ledger insert), insert the enrichments (global-cache hits finished and
 * captured at once), commit, queue the new enrichments in Redis (one job per batch of
 * ENRICHMENT_BATCH_SIZE, all in one round trip: one EVAL for one job, else one MULTI, as the
 * service queues with Bull's add or addBulk) and serialise the 13-key objects in selection order.
 *
 * It is a measuring stick, not a second implementation: error bodies are the envelope but
 * minimal, and anything the bench never sends is simply refused with a 400.
 *
 * Run by bench/run.ts as a child process: `node -r ts-node/register/transpile-only bench/floor-server.ts`
 * with PORT, DATABASE_URL, REDIS_URL, QUEUE_PREFIX, JWT_SECRET, PRICE_EMAILS, PRICE_PHONES,
 * GLOBAL_CACHE_FRESHNESS_DAYS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { Pool, PoolClient } from 'pg';

const PORT = Number(process.env.PORT ?? 3102);
const JWT_SECRET = process.env.JWT_SECRET ?? 'dev-only-secret-change-me-0123456789';
const PRICES: Record<Field, number> = {
  emails: Number(process.env.PRICE_EMAILS ?? 5),
  phones: Number(process.env.PRICE_PHONES ?? 20),
};
const OPERATION_TYPES: Record<Field, string> = { emails: 'enrichment_email', phones: 'enrichment_phone' };
const FRESHNESS_DAYS = Number(process.env.GLOBAL_CACHE_FRESHNESS_DAYS ?? 90);
const BATCH_SIZE = Number(process.env.ENRICHMENT_BATCH_SIZE ?? 50);
const QUEUE_KEY = `${process.env.QUEUE_PREFIX ?? 'floor'}:floor-queue`;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_IDS = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Reused statuses, as in the service: everything else (failed, timed out, cancelled) is retried. */
const REUSABLE = ['pending', 'processing', 'finished'];
const VIEW_COLUMNS =
  'id, created_at, updated_at, entity_id, entity_type, field, status, error, created_by, org_id, global_enrichment_id, credit_transaction_id, data_found';

// The same pool size as the service's DataSource (dataSourceOptions: extra.max = 20).
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/**
 * What Bull's addJob script does for a job with its own id, reduced to its core: skip an id
 * that exists, else store the job hash, push the id on the wait list and announce it.
 */
const ADD_JOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'name', 'enrich-batch', 'data', ARGV[2], 'timestamp', ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return 1`;

/**
 * The new pending enrichments as batch jobs, in one Redis round trip per request: one job as a
 * single EVAL, several in one MULTI (as the service: Bull's add for one job, addBulk for more).
 */
async function enqueue(rows: EnrichmentRow[], holdId: string | null): Promise<void> {
  const pending = rows.filter((row) => row.status === 'pending').map((row) => row.id);
  if (pending.length === 0) return;
  /** Per job: its hash key, the wait list, the channel, its id, its data, its timestamp. */
  const jobs: (readonly [string, string, string, string, string, number])[] = [];
  for (let i = 0; i * BATCH_SIZE < pending.length; i += 1) {
    const jobId = `hold-${holdId}-${i}`;
    const data = JSON.stringify({ enrichmentIds: pending.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE) });
    jobs.push([`${QUEUE_KEY}:${jobId}`, `${QUEUE_KEY}:wait`, `${QUEUE_KEY}:waiting`, jobId, data, Date.now()]);
  }
  if (jobs.length === 1) {
    await redis.eval(ADD_JOB, 3, ...jobs[0]);
    return;
  }
  const multi = redis.multi();
  for (const job of jobs) multi.eval(ADD_JOB, 3, ...job);
  await multi.exec();
}

type Field = 'emails' | 'phones';

interface Claims {
  sub: string;
  orgId: string;
}

interface EnrichmentRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  entity_id: string;
  entity_type: string;
  field: string;
  status: string;
  error: string | null;
  created_by: string;
  org_id: string;
  global_enrichment_id: string | null;
  credit_transaction_id: string | null;
  data_found: boolean | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

const bad = (message: string, details: unknown = null) => new HttpError(400, 'VALIDATION_ERROR', message, details);

function base64UrlJson(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** HS256 only, signature checked in constant time, `exp` required and in the future. */
function verifyToken(header: string | undefined): Claims {
  const unauthorized = new HttpError(401, 'UNAUTHORIZED', 'Missing or invalid bearer token');
  if (!header?.startsWith('Bearer ')) throw unauthorized;
  const parts = header.slice(7).split('.');
  if (parts.length !== 3) throw unauthorized;
  try {
    if (base64UrlJson(parts[0]).alg !== 'HS256') throw unauthorized;
    const expected = createHmac('sha256', JWT_SECRET).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized;
    const payload = base64UrlJson(parts[1]);
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now()) throw unauthorized;
    if (typeof payload.sub !== 'string' || typeof payload.org_id !== 'string') throw unauthorized;
    if (payload.role !== 'member' && payload.role !== 'admin') throw unauthorized;
    return { sub: payload.sub, orgId: payload.org_id };
  } catch {
    throw unauthorized;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) throw bad(`Unknown key ${where}.${key}`);
}

function uuidList(value: unknown, where: string, min: number): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > MAX_IDS) throw bad(`Invalid ${where}`);
  for (const id of value) if (typeof id !== 'string' || !UUID.test(id)) throw bad(`Invalid id in ${where}`);
  return value as string[];
}

function textList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) throw bad(`Invalid ${where}`);
  return [...new Set((list as string[]).map((item) => item.trim().toLowerCase()))];
}

type Selection =
  | { mode: 'manual'; ids: string[] }
  | { mode: 'bulk'; startIndex: number; targetCount: number; excluded: Set<string>; where: string; params: unknown[] };

/** The same filter language and SQL as libs/leads/src/lead-filter.compiler.ts, written out. */
function compileFilters(filters: Record<string, unknown>): { where: string; params: unknown[] } {
  onlyKeys(filters, ['job_title', 'seniority', 'department', 'skills', 'location', 'company'], 'filters');
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value) + 2}`;
  const anyOf = (column: string, value: unknown, where: string) => {
    const values = textList(value, where);
    if (values?.length) conditions.push(`lower(p.${column}) = ANY(${param(values)}::text[])`);
  };
  anyOf('job_title', filters.job_title, 'job_title');
  anyOf('seniority', filters.seniority, 'seniority');
  anyOf('department', filters.department, 'department');
  const skills = textList(filters.skills, 'skills');
  if (skills?.length) conditions.push(`p.skills && ${param(skills)}::text[]`);
  if (filters.location !== undefined) {
    if (!isObject(filters.location)) throw bad('Invalid location');
    onlyKeys(filters.location, ['country', 'state', 'city'], 'filters.location');
    for (const key of ['country', 'state', 'city']) anyOf(key, filters.location[key], `location.${key}`);
  }
  if (filters.company !== undefined) {
    const company = filters.company;
    if (!isObject(company)) throw bad('Invalid company');
    onlyKeys(company, ['name', 'domain', 'industry', 'employee_size'], 'filters.company');
    anyOf('company_name', company.name, 'company.name');
    anyOf('company_domain', company.domain, 'company.domain');
    anyOf('company_industry', company.industry, 'company.industry');
    if (company.employee_size !== undefined) {
      const size = company.employee_size;
      if (!isObject(size)) throw bad('Invalid employee_size');
      if (typeof size.min === 'number') conditions.push(`p.company_employee_size >= ${param(size.min)}`);
      if (typeof size.max === 'number') conditions.push(`p.company_employee_size <= ${param(size.max)}`);
    }
  }
  return { where: conditions.length ? conditions.join(' AND ') : 'TRUE', params };
}

function parseRequest(raw: string): { field: Field; selection: Selection } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw bad('Malformed JSON');
  }
  if (!isObject(body)) throw bad('Body must be an object');
  onlyKeys(body, ['selection', 'field'], 'body');
  const field = body.field;
  if (field !== 'emails' && field !== 'phones') throw bad('Invalid field');
  const selection = body.selection;
  if (!isObject(selection)) throw bad('Invalid selection');
  if (selection.mode === 'manual') {
    onlyKeys(selection, ['mode', 'includedIds'], 'selection');
    const ids = uuidList(selection.includedIds, 'includedIds', 1).map((id) => id.toLowerCase());
    return { field, selection: { mode: 'manual', ids: [...new Set(ids)] } };
  }
  if (selection.mode === 'bulk') {
    onlyKeys(selection, ['mode', 'startIndex', 'targetCount', 'excludedIds', 'filters'], 'selection');
    const { startIndex, targetCount } = selection;
    if (!Number.isInteger(startIndex) || (startIndex as number) < 0 || (startIndex as number) > 1_000_000) {
      throw bad('Invalid startIndex');
    }
    if (!Number.isInteger(targetCount) || (targetCount as number) < 1 || (targetCount as number) > MAX_IDS) {
      throw bad('Invalid targetCount');
    }
    const excluded = selection.excludedIds === undefined ? [] : uuidList(selection.excludedIds, 'excludedIds', 0);
    if (!isObject(selection.filters)) throw bad('Invalid filters');
    return {
      field,
      selection: {
        mode: 'bulk',
        startIndex: startIndex as number,
        targetCount: targetCount as number,
        excluded: new Set(excluded.map((id) => id.toLowerCase())),
        ...compileFilters(selection.filters),
      },
    };
  }
  throw bad('Invalid selection.mode');
}

async function resolveSelection(selection: Selection): Promise<string[]> {
  if (selection.mode === 'manual') {
    const { rows } = await pool.query<{ id: string }>('SELECT id::text AS id FROM person WHERE id = ANY($1::uuid[])', [
      selection.ids,
    ]);
    if (rows.length !== selection.ids.length) {
      const known = new Set(rows.map((row) => row.id));
      throw bad('Unknown lead ids', { unknownIds: selection.ids.filter((id) => !known.has(id)).slice(0, 100) });
    }
    return selection.ids;
  }
  const { rows } = await pool.query<{ id: string }>(
    `SELECT p.id::text AS id FROM person p WHERE ${selection.where}
      ORDER BY p.last_name, p.first_name, p.id OFFSET $1 LIMIT $2`,
    [selection.startIndex, selection.targetCount, ...selection.params],
  );
  return rows.map((row) => row.id).filter((id) => !selection.excluded.has(id));
}

/** Lock, reuse, hold, insert (and capture global-cache hits): one transaction, as the service does. */
interface Enriched {
  rows: EnrichmentRow[];
  /** The rows this request inserted (or reset), and the hold that pays for them. */
  created: EnrichmentRow[];
  holdId: string | null;
}

async function enrich(client: PoolClient, claims: Claims, field: Field, leadIds: string[]): Promise<Enriched> {
  const lock = await client.query<{ available: number }>(
    'SELECT available FROM credit_account WHERE org_id = $1 FOR UPDATE',
    [claims.orgId],
  );
  const available = lock.rows[0]?.available ?? 0;
  const existing = await client.query<EnrichmentRow>(
    `SELECT ${VIEW_COLUMNS} FROM enrichment
      WHERE org_id = $1 AND entity_type = 'person' AND field = $2 AND entity_id = ANY($3::uuid[])`,
    [claims.orgId, field, leadIds],
  );
  const reused = existing.rows.filter((row) => REUSABLE.includes(row.status));
  const reusedLeads = new Set(reused.map((row) => row.entity_id));
  const billable = leadIds.filter((id) => !reusedLeads.has(id));
  if (billable.length === 0) return { rows: reused, created: [], holdId: null };

  const price = PRICES[field];
  const amount = billable.length * price;
  if (available < amount) {
    throw new HttpError(402, 'INSUFFICIENT_CREDITS', 'Not enough credits', { required: amount, available });
  }
  const hold = await client.query<{ id: string }>(
    `WITH moved AS (
       UPDATE credit_account SET available = available - $2, held = held + $2, updated_at = now()
        WHERE org_id = $1 RETURNING org_id)
     INSERT INTO credit_transaction (org_id, type, amount, operation_type, created_by, metadata)
     SELECT org_id, 'credit_reserved', $2, $3, $4, $5 FROM moved RETURNING id`,
    [claims.orgId, amount, OPERATION_TYPES[field], claims.sub, { field, leads: billable.length, pricePerLead: price }],
  );
  const holdId = hold.rows[0].id;
  // The global-cache look-up is a LEFT JOIN of the insert itself: no separate round trip.
  const created = await client.query<EnrichmentRow>(
    `INSERT INTO enrichment AS e
            (org_id, entity_type, entity_id, field, status, created_by, credit_transaction_id, charge,
             global_enrichment_id, data_found, settled_at)
     SELECT $1, 'person', l.id, $2, CASE WHEN g.id IS NULL THEN 'pending' ELSE 'finished' END,
            $3, $4, $5, g.id, CASE WHEN g.id IS NULL THEN NULL ELSE true END,
            CASE WHEN g.id IS NULL THEN NULL ELSE now() END
       FROM unnest($6::uuid[]) AS l(id)
       LEFT JOIN global_enrichment g
              ON g.entity_type = 'person' AND g.field = $2 AND g.entity_id = l.id
             AND g.found_at > now() - make_interval(days => $7)
     ON CONFLICT ON CONSTRAINT "UQ_enrichment_org_entity_field" DO UPDATE
        SET status = EXCLUDED.status, error = NULL, created_by = EXCLUDED.created_by,
            credit_transaction_id = EXCLUDED.credit_transaction_id, charge = EXCLUDED.charge,
            global_enrichment_id = EXCLUDED.global_enrichment_id, data_found = EXCLUDED.data_found,
            settled_at = EXCLUDED.settled_at, job_id = NULL, queued_at = NULL, processing_started_at = NULL,
            updated_at = now()
      WHERE e.status NOT IN ('pending', 'processing', 'finished')
     RETURNING ${VIEW_COLUMNS}`,
    [claims.orgId, field, claims.sub, holdId, price, billable, FRESHNESS_DAYS],
  );
  const cached = created.rows.filter((row) => row.global_enrichment_id !== null).map((row) => row.id);
  if (cached.length > 0) {
    await client.query(
      `WITH ins AS (
         INSERT INTO credit_transaction (org_id, type, amount, operation_type, hold_id, enrichment_id, reference_id)
         SELECT $1, 'credit_consumed', $2, $3, $4, e, $4::text FROM unnest($5::uuid[]) AS e
         ON CONFLICT (hold_id, enrichment_id) WHERE type IN ('credit_consumed', 'credit_released') DO NOTHING
         RETURNING amount)
       UPDATE credit_account SET held = held - (SELECT coalesce(sum(amount), 0) FROM ins), updated_at = now()
        WHERE org_id = $1`,
      [claims.orgId, price, OPERATION_TYPES[field], holdId, cached],
    );
  }
  return { rows: [...reused, ...created.rows], created: created.rows, holdId };
}

/** The 13-key objects, in selection order. */
function serialise(leadIds: string[], rows: EnrichmentRow[]): string {
  const byLead = new Map(rows.map((row) => [row.entity_id, row]));
  const out: object[] = [];
  for (const leadId of leadIds) {
    const row = byLead.get(leadId);
    if (!row) continue;
    out.push({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      entityId: row.entity_id,
      entityType: row.entity_type,
      field: row.field,
      status: row.status,
      error: row.error,
      createdBy: row.created_by,
      orgId: row.org_id,
      globalEnrichmentId: row.global_enrichment_id,
      creditTransactionId: row.credit_transaction_id,
      dataFound: row.data_found,
    });
  }
  return JSON.stringify(out);
}

async function bulk(req: IncomingMessage): Promise<string> {
  const claims = verifyToken(req.headers.authorization);
  const { field, selection } = parseRequest(await readBody(req));
  const leadIds = await resolveSelection(selection);
  if (leadIds.length === 0) return '[]';
  const client = await pool.connect();
  let enriched: Enriched;
  try {
    await client.query('BEGIN');
    enriched = await enrich(client, claims, field, leadIds);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  // After commit and with the connection back in the pool, as the service queues its jobs.
  await enqueue(enriched.created, enriched.holdId);
  return serialise(leadIds, enriched.rows);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, '{"status":"ok"}');
  if (req.method !== 'POST' || req.url !== '/api/v1/operations/enrichment/bulk') {
    return send(res, 404, '{"error":{"code":"NOT_FOUND","message":"Not found","details":null}}');
  }
  bulk(req).then(
    (body) => send(res, 201, body),
    (error: unknown) => {
      if (error instanceof HttpError) {
        const envelope = { error: { code: error.code, message: error.message, details: error.details } };
        return send(res, error.status, JSON.stringify(envelope));
      }
      console.error(error);
      send(res, 500, '{"error":{"code":"INTERNAL_ERROR","message":"Internal error","details":null}}');
    },
  );
});

server.listen(PORT, () => console.log(`floor listening on ${PORT}`));

const shutdown = () => {
  server.close();
  void Promise.all([pool.end(), redis.quit()]).finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
