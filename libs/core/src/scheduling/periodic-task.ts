import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * Runs a maintenance pass every `intervalMs` in this process, and at most one pass at a
 * time across all processes (a PostgreSQL advisory lock, held for the pass). It lives in
 * the process, not in Redis, so that losing Redis — restarted, flushed — cannot also lose
 * the very sweep that repairs what Redis lost.
 */
export class PeriodicTask {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

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

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass now, unless another process (or this one) is already running it. Never throws. */
  async runOnce(): Promise<boolean> {
    if (this.running) return false;
    let ran = false;
    this.running = (async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        const [{ locked }]: { locked: boolean }[] = await runner.query(
          'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
          [this.name],
        );
        if (locked) {
          await this.pass();
          ran = true;
        }
        await runner.commitTransaction();
      } catch (error) {
        this.logger.warn(
          `Pass failed (the next one retries): ${error instanceof Error ? error.message : String(error)}`,
        );
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      } finally {
        await runner.release();
      }
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    return ran;
  }
}
