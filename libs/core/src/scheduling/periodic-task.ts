import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * Runs a maintenance pass every `intervalMs` in this process, and at most one pass at a
 * time across all processes (a PostgreSQL advisory lock, held for the pass). It lives in
 * the process, not in Redis, so that losing Redis — restarted, flushed — cannot also lose
 * the very sweep that repairs what Redis lost.
 *
 * The lock is a session-level one (`pg_try_advisory_lock` / `pg_advisory_unlock`) taken on a
 * connection of its own, outside the pool, in autocommit mode. A transaction-scoped lock would
 * keep a connection idle in transaction for the whole pass, and with the embedded PGlite
 * (one session shared by every connection, handed over only between transactions) the pass's
 * own queries would wait forever behind it. Taking a pooled connection instead would let a
 * small pool (the embedded one has 4) be eaten by the sweeps themselves.
 */
export class PeriodicTask {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lockConnection?: Promise<Client>;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly dataSource: DataSource,
    private readonly pass: () => Promise<void>,
  ) {
    this.logger = new Logger(`PeriodicTask:${name}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer, waits for a pass in progress and closes the lock connection. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.closeLockConnection();
  }

  /** One pass now, unless another process (or this one) is already running it. Never throws. */
  async runOnce(): Promise<boolean> {
    if (this.running) return false;
    let ran = false;
    this.running = (async () => {
      let client: Client;
      try {
        client = await this.connection();
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [this.name],
        );
        if (!rows[0].locked) return;
      } catch (error) {
        this.logger.warn(`Could not take the pass's lock (the next pass retries): ${messageOf(error)}`);
        await this.closeLockConnection();
        return;
      }
      const startedAt = Date.now();
      try {
        await this.pass();
        ran = true;
        this.logger.debug(`Pass done in ${Date.now() - startedAt} ms`);
      } catch (error) {
        this.logger.warn(`Pass failed (the next one retries): ${messageOf(error)}`);
      } finally {
        // If the unlock cannot be sent the connection is closed, which releases the lock too.
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [this.name])
          .catch(() => this.closeLockConnection());
      }
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    return ran;
  }

  private connection(): Promise<Client> {
    this.lockConnection ??= this.openLockConnection();
    return this.lockConnection;
  }

  private async openLockConnection(): Promise<Client> {
    const options = this.dataSource.options as PostgresConnectionOptions;
    const client = new Client({
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: options.password,
      database: options.database,
      application_name: `periodic-task:${this.name}`,
    });
    // A connection that dies between passes (server restarted, backend terminated) must not
    // crash the process: it is dropped, and the next pass opens a new one.
    client.on('error', (error) => {
      this.logger.warn(`The lock connection failed: ${error.message}`);
      void this.closeLockConnection();
    });
    try {
      await client.connect();
    } catch (error) {
      this.lockConnection = undefined;
      throw error;
    }
    return client;
  }

  private async closeLockConnection(): Promise<void> {
    const connection = this.lockConnection;
    this.lockConnection = undefined;
    const client = await connection?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
