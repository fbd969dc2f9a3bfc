import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PgPool {
  on(event: 'acquire', listener: (client: ErrorEmitter) => void): unknown;
}

/**
 * node-postgres emits 'error' on a checked-out client whose connection dies between queries
 * (PostgreSQL restarted, a backend terminated by an administrator). With no listener, Node
 * turns that into an uncaught exception and the whole process dies. The pool only listens
 * while a client is idle, so every client gets a listener of ours when it is first acquired:
 * the error is logged, and the query that was running (if any) still fails on its own.
 */
export function guardPoolClientErrors(dataSource: DataSource): void {
  const logger = new Logger('Database');
  const pool = (dataSource.driver as PostgresDriver).master as PgPool | undefined;
  if (!pool) return;
  const guarded = new WeakSet<ErrorEmitter>();
  pool.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (error) => logger.warn(`A database connection failed: ${error.message}`));
  });
}
