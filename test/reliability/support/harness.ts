import Bull from 'bull';
import { sign } from 'jsonwebtoken';
import { Pool } from 'pg';
import { audit, AuditOptions, Violation } from './auditor';
import { RELIABILITY_DATABASE_URL, RELIABILITY_JWT_SECRET } from './env';
import { ScenarioTally } from './summary';
import { until } from './processes';

export const BULK = '/api/v1/operations/enrichment/bulk';

/** The suite's own connections carry this name, so terminating "every backend" spares them. */
export const AUDITOR_APPLICATION_NAME = 'reliability-auditor';

export function createPool(): Pool {
  return new Pool({ connectionString: RELIABILITY_DATABASE_URL, max: 4, application_name: AUDITOR_APPLICATION_NAME });
}

/** Terminates every backend of the suite's database but the suite's own; returns how many. */
export async function terminateBackends(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
    [AUDITOR_APPLICATION_NAME],
  );
  return rows[0].n;
}

export async function countWhere(db: Pool, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrichment WHERE ${sql}`, params);
  return rows[0].n;
}

export function token(orgId: string, options: { sub?: string; role?: 'member' | 'owner' | 'admin' } = {}): string {
  return sign(
    { sub: options.sub ?? 'user_rel', org_id: orgId, role: options.role ?? 'member' },
    RELIABILITY_JWT_SECRET,
    {
      algorithm: 'HS256',
      expiresIn: 3600,
    },
  );
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A status of 0 means the request did not get an answer (connection refused or reset, timeout). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    tally?: ScenarioTally;
  } = {},
): Promise<HttpResult> {
  if (options.tally) options.tally.requests += 1;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text for the assertion messages.
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  } catch (error) {
    return { status: 0, headers: new Headers(), body: undefined, text: String(error) };
  }
}

export async function grant(baseUrl: string, orgId: string, amount: number, tally?: ScenarioTally): Promise<void> {
  const res = await call(baseUrl, 'POST', `/api/v1/admin/orgs/${orgId}/credits`, {
    token: token('org_ops', { role: 'admin', sub: 'admin_rel' }),
    json: { amount, source: 'manual', description: 'reliability suite' },
    tally,
  });
  if (res.status !== 201) throw new Error(`grant ${orgId}: ${res.status} ${res.text}`);
}

export interface EnrichmentObject {
  id: string;
  entityId: string;
  status: string;
  creditTransactionId: string | null;
  orgId: string;
}

export function manual(ids: readonly string[], field: 'emails' | 'phones' = 'emails') {
  return { selection: { mode: 'manual', includedIds: ids }, field };
}

/** Lead ids in the search's order (last name, first name, id), for scenarios to pick disjoint ranges from. */
export async function leadIds(db: Pool, count: number, offset: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM person ORDER BY last_name, first_name, id OFFSET $1 LIMIT $2',
    [offset, count],
  );
  return rows.map((row) => row.id);
}

export async function inFlight(db: Pool, orgs: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM enrichment WHERE org_id = ANY($1) AND status IN ('pending', 'processing')`,
    [orgs],
  );
  return rows[0].n;
}

/** The drain period: waits until no enrichment of these orgs is pending or processing. */
export async function drain(db: Pool, orgs: readonly string[], timeoutMs = 90000): Promise<void> {
  await until(
    `the work of ${orgs.join(', ')} to reach a final state`,
    async () => (await inFlight(db, orgs)) === 0,
    timeoutMs,
    250,
  );
}

/** Drains, audits, records the scenario and returns the violations (the test expects none). */
export async function finishScenario(
  db: Pool,
  tally: ScenarioTally,
  orgs: readonly string[],
  options: Partial<AuditOptions> & { drainMs?: number } = {},
): Promise<Violation[]> {
  let drainError: Error | undefined;
  try {
    await drain(db, orgs, options.drainMs);
  } catch (error) {
    drainError = error instanceof Error ? error : new Error(`drain failed: ${JSON.stringify(error)}`);
  }
  const result = await audit(db, { orgs, drained: true, ...options });
  const { violations } = tally.finish(result);
  if (drainError && violations.length === 0) throw drainError;
  return violations;
}

/** The enrichment queue's job counts under a child's QUEUE_PREFIX (waiting, active, completed, ...). */
export async function enrichmentJobCounts(redisUrl: string, prefix: string): Promise<Bull.JobCounts> {
  const queue = new Bull('enrichment', redisUrl, { prefix });
  try {
    return await queue.getJobCounts();
  } finally {
    await queue.close();
  }
}
