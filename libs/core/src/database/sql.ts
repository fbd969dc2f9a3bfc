import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Runs SQL and returns its rows. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` but every other command with just the rows; this hides the difference
 * so `UPDATE ... RETURNING` reads like a SELECT.
 */
export async function queryRows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

const statementNames = new Map<string, string>();

/** One name per statement text, the same in every process (a hash of the text). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `s_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * queryRows for the statements every request or job sends: a named prepared statement of its
 * connection, parsed once per connection, and planned once as soon as PostgreSQL finds its
 * generic plan as good as a custom one (after five runs). Sent as plain text, such a statement is
 * parsed and planned on every call — on the request path and in the workers' jobs, a third of
 * the database's time. For fixed statements only: the text is the key, so SQL built from input
 * (a search with optional filters) would grow every connection's set without bound; and the
 * columns a statement returns must be named (a prepared `SELECT *` fails once a migration adds
 * a column). Nor for a statement that reaches a table's rows by a list of ids when the table
 * can grow from (nearly) empty within a connection's life: the generic plan, made on the small
 * table, scans it, and the connection keeps that plan while the table grows, until an ANALYZE
 * (a new deployment's first minutes; the bench's truncated tables, where it cost 1.5 ms a job —
 * the generic-plans medium spec of the processing finds such statements). In a transaction it
 * runs on the transaction's connection, else on any of the pool's.
 * With DATABASE_PREPARED_STATEMENTS off (one session behind several connections) it is queryRows.
 */
export async function queryPrepared<T>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const manager = db instanceof DataSource ? db.manager : db;
  const extra = (manager.connection.options as { extra?: { preparedStatements?: boolean } }).extra;
  if (extra?.preparedStatements === false) return queryRows<T>(manager, sql, params);
  // In a transaction, the statement is handed to its connection before this returns (no await
  // before client.query): statements sent one after another without awaiting go out, and run,
  // in the order they were sent (CreditsService.hold's `behind` relies on it). With prepared
  // statements off (above) TypeORM sends it after its own awaits, the same for every statement,
  // so the order is the same, but not by construction.
  const runner = manager.queryRunner;
  // TypeORM's postgres query runner keeps its connection there once connected.
  const connected = (runner as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  const client: Pool | PoolClient = runner
    ? (connected ?? ((await runner.connect()) as PoolClient))
    : ((manager.connection.driver as PostgresDriver).master as Pool);
  const { rows } = await client.query({ name: statementName(sql), text: sql, values: params });
  return rows as T[];
}
