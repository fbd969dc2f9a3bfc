import { Redis } from 'ioredis';
import { Client } from 'pg';
import { cpuSecondsOf } from './children';
import { DataSource } from 'typeorm';
// Deep imports rather than the libs' index files: the bench needs these plain functions, not
// the Nest modules the indexes also export.
import { dataSourceOptions } from '../../libs/core/src/database/data-source-options';
import { ensureDatabaseExists } from '../../libs/core/src/database/ensure-database';
import { seedPeople } from '../../libs/leads/src/seed/seed-people';

function maintenanceUrl(databaseUrl: string): { url: string; name: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  return { url: url.toString(), name };
}

/** Ends every other session on the database (a crashed run's leftovers, or our children's). */
export async function terminateConnections(databaseUrl: string): Promise<void> {
  const { url, name } = maintenanceUrl(databaseUrl);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for every run: dropped, created, migrated with the project's migrations
 * (what `npm run migration:run` applies) and seeded with the demo people (libs/leads seedPeople).
 */
export async function prepareDatabase(databaseUrl: string, people: number): Promise<void> {
  const { url, name } = maintenanceUrl(databaseUrl);
  await terminateConnections(databaseUrl);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  await ensureDatabaseExists(databaseUrl);
  // No entities: migrations and raw SQL are all the bench needs, and it should not depend on
  // every entity file of a working tree compiling.
  const dataSource = new DataSource({ ...dataSourceOptions({ DATABASE_URL: databaseUrl }), entities: [] });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'all' });
    await seedPeople(dataSource, people);
    await dataSource.query('ANALYZE');
  } finally {
    await dataSource.destroy();
  }
}

/** Grants `amount` credits to each org, written to the ledger as the grant API would. */
export async function grantCredits(db: Client, orgIds: string[], amount: number): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(
      `INSERT INTO credit_account (org_id, available) SELECT o, $2 FROM unnest($1::varchar[]) AS o
       ON CONFLICT (org_id) DO UPDATE SET available = credit_account.available + EXCLUDED.available`,
      [orgIds, amount],
    );
    // Each grant is also a lot (credits that never expire): holds draw from lots, and an
    // account balance without one would be refused as "account and lots disagree".
    await db.query(
      `WITH grants AS (
         INSERT INTO credit_transaction (org_id, type, amount, source, description, created_by)
         SELECT o, 'credit_added', $2, 'manual', 'bench credits', 'bench' FROM unnest($1::varchar[]) AS o
         RETURNING id, org_id, amount)
       INSERT INTO credit_lot (org_id, grant_id, source, granted, remaining)
       SELECT org_id, id, 'manual', amount, amount FROM grants`,
      [orgIds, amount],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/**
 * Empties what requests and processing write, so each pipeline run starts from the same
 * state. TRUNCATE does not fire the ledger's row-level append-only trigger; CASCADE takes any
 * table that references these along. The operations are named too: nothing they hold is a
 * foreign key, and left behind, the earlier phases' thousands of running operations (manual
 * mode runs without workers) were completed by the workers' recovery sweep during the
 * pipeline runs, on the cores those runs were measured on.
 */
export async function resetActivity(db: Client): Promise<void> {
  await db.query(
    `TRUNCATE enrichment, enrichment_operation, enrichment_operation_item, global_enrichment,
              credit_transaction, credit_account, credit_lot CASCADE`,
  );
}

/** Every lead id, in a fixed order (the seed is deterministic, so both databases agree). */
export async function leadIds(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM person ORDER BY id');
  return rows.map((row) => row.id);
}

/** Deletes every Redis key under the bench's prefix (queues, jobs, rate-limit windows). */
export async function flushPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/**
 * CPU seconds so far of the backends connected to this client's database (other than its own),
 * by pid; with `applicationName`, only those of connections that gave that name.
 */
export async function backendCpu(db: Client, applicationName?: string): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND ($1::text IS NULL OR application_name = $1)`,
    [applicationName ?? null],
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = await cpuSecondsOf(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

/** CPU seconds the backends read in `after` spent since `before` (a backend that started since counts from 0). */
export function backendCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, cpu] of after) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}
