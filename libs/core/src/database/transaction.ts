import type { Client, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * What TypeORM's own startTransaction leaves behind on a query runner: a transaction open at
 * depth 1. Its commit and rollback then end it (and tell the subscribers, as the alert dispatcher
 * needs), and a nested `manager.transaction` or a `save` inside the work takes a savepoint or
 * joins it instead of opening (and committing) one of its own. The start events are not
 * broadcast: no subscriber listens to them.
 */
function markTransactionOpen(queryRunner: QueryRunner): void {
  Object.assign(queryRunner, { isTransactionActive: true, transactionDepth: 1 });
}

/**
 * `dataSource.transaction(work)`, one round trip shorter: BEGIN is written to the connection
 * and the work's first statement right behind it, without waiting for BEGIN's answer (the pool's
 * connections pipeline, `dataSourceOptions`). PostgreSQL runs them in the order sent, so that
 * statement is inside the transaction as before. A request's transaction is a handful of round
 * trips; BEGIN on its own was one of them, with the wake-ups and the promise chain around it
 * (measured: 5–8 % of the API's CPU per manual request, two builds side by side).
 *
 * BEGIN cannot fail in a way that lets the next statement run outside a transaction: on a broken
 * connection every statement behind it fails too, and inside an open transaction it is only a
 * warning. Its answer is still awaited before COMMIT, so any error it gives fails the work.
 *
 * The connection's socket is corked from BEGIN until the work first awaits, so BEGIN and the
 * statements the work sends until then (a request's hold and, behind it, its insert) leave in
 * one write: one system call and one wake-up of the PostgreSQL backend instead of one for each
 * (node-postgres writes each statement on its own). A statement sent after an await is
 * written as before.
 */
export async function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const connection = (await queryRunner.connect()) as PoolClient;
    // BEGIN and what the work sends before its first await leave in one write (see above).
    // A pool's client is a pg Client (its typings leave `connection` off PoolClient).
    const socket = (connection as PoolClient & Pick<Client, 'connection'>).connection.stream;
    socket.cork();
    let begun: Promise<unknown>;
    let working: Promise<T>;
    try {
      begun = connection.query('BEGIN');
      // Awaited below, after the work: should it fail first, that is not an unhandled rejection
      // (which would end the process); the work's statements fail with it anyway.
      begun.catch(() => undefined);
      markTransactionOpen(queryRunner);
      working = work(queryRunner.manager);
    } finally {
      socket.uncork();
    }
    try {
      const result = await working;
      await begun;
      await queryRunner.commitTransaction();
      return result;
    } catch (error) {
      // The work's error is the one to report, whatever BEGIN or the rollback answered.
      await begun.catch(() => undefined);
      await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await queryRunner.release();
  }
}
