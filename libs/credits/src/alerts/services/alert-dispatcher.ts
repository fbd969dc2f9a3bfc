import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { runInTransaction } from '@app/core';
import { WebhooksService } from '@app/webhooks';

/** Work owed to one transaction once it ends. */
interface Owed {
  /** Events were published with the transaction: queue them once it commits. */
  dispatch: boolean;
  /** To run in their own transaction once this one ends, committed or rolled back. */
  afterwards: ((manager: EntityManager) => Promise<void>)[];
}

/**
 * Runs the alerts' work after the transaction that caused it, without its caller knowing: the
 * credits lib is called inside transactions other modules open (holds, settlements, the expiry
 * sweep), so it cannot call `dispatchPending()` after their commit itself. It registers as a
 * TypeORM subscriber and hears the commit or rollback of the outermost transaction of a query
 * runner it was told about.
 *
 * Nothing is awaited in the commit path: the caller's connection is released at once (awaiting
 * work that needs a second pooled connection could exhaust the pool under load), and the queueing
 * runs one round at a time. An event not queued here (a crash, Redis down) is queued by the
 * webhook sweep; only the `afterwards` work (a refused request's `spend_limit.reached`) would be
 * lost with the process, as the request it follows wrote nothing either.
 */
@Injectable()
export class AlertDispatcher implements EntitySubscriberInterface, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertDispatcher.name);
  private readonly owed = new WeakMap<QueryRunner, Owed>();
  private readonly inFlight = new Set<Promise<void>>();
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
  ) {
    dataSource.subscribers.push(this);
  }

  /** Queue the events published with `manager`'s transaction once it commits. */
  dispatchAfterCommit(manager: EntityManager): void {
    const owed = this.owedBy(manager);
    if (owed) owed.dispatch = true;
    else this.dispatch();
  }

  /** Run `work` in its own transaction once `manager`'s transaction ends, however it ends. */
  runAfterwards(manager: EntityManager, work: (manager: EntityManager) => Promise<void>): void {
    const owed = this.owedBy(manager);
    if (owed) owed.afterwards.push(work);
    else this.runNow([work]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    this.ended(event.queryRunner, true);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.ended(event.queryRunner, false);
  }

  /** Resolves once the work owed by transactions that already ended has run (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.dispatching) {
      await Promise.all([...this.inFlight, this.dispatching]);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** What the transaction of `manager` owes, or null when there is no open transaction to wait for. */
  private owedBy(manager: EntityManager): Owed | null {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) return null;
    let owed = this.owed.get(runner);
    if (!owed) {
      owed = { dispatch: false, afterwards: [] };
      this.owed.set(runner, owed);
    }
    return owed;
  }

  private ended(runner: QueryRunner, committed: boolean): void {
    // A savepoint's end is not the transaction's: wait for the outermost one.
    if (runner.isTransactionActive) return;
    const owed = this.owed.get(runner);
    if (!owed) return;
    this.owed.delete(runner);
    if (committed && owed.dispatch) this.dispatch();
    if (owed.afterwards.length > 0) this.runNow(owed.afterwards);
  }

  /** One queueing round at a time; a request during a round asks for one more (it may miss the new rows). */
  private dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      try {
        do {
          this.dispatchAgain = false;
          await this.webhooks.dispatchPending();
        } while (this.dispatchAgain);
      } catch (error) {
        // Reading the pending events failed (the database): the webhook sweep queues them later.
        this.logger.warn(`Dispatching alert events after commit failed, leaving them to the sweep: ${String(error)}`);
      }
    })().finally(() => {
      this.dispatching = null;
    });
  }

  private runNow(work: ((manager: EntityManager) => Promise<void>)[]): void {
    const run = (async () => {
      try {
        await runInTransaction(this.dataSource, async (manager) => {
          for (const step of work) await step(manager);
        });
      } catch (error) {
        this.logger.error(`Alert work after a transaction failed: ${String(error)}`);
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }
}
