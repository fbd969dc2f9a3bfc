import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, PeriodicTask, runInTransaction } from '@app/core';
import { CreditsService } from '../../credits.service';
import { CreditLotsService } from './credit-lots.service';

/** Orgs handled per transaction: bounds how long one pass holds their account locks. */
const ORGS_PER_TRANSACTION = 100;

/**
 * Writes off expired lots every RECOVERY_SWEEP_INTERVAL_MS in each worker process, one pass
 * at a time across processes (PeriodicTask's advisory lock). Exactly once does not rest on that
 * lock alone: a lot is expired under its org's account lock, only while `expired_at` is null,
 * and the ledger's unique index takes one sweep entry per lot. A hold also expires its org's
 * due lots first, so credits past their expiry are never spent while the sweep is on its way.
 */
@Injectable()
export class CreditExpirySweepService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
    private readonly credits: CreditsService,
    private readonly lots: CreditLotsService,
  ) {
    this.task = new PeriodicTask('credit-expiry', config.RECOVERY_SWEEP_INTERVAL_MS, dataSource, async () => {
      await this.sweep();
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One pass (for tests and operators); false when another process is running one. */
  runOnce(): Promise<boolean> {
    return this.task.runOnce();
  }

  /** Expires every due lot; returns how many. Safe to run concurrently with itself. */
  async sweep(): Promise<number> {
    let expired = 0;
    for (;;) {
      const orgs = await this.lots.orgsWithDueLots(ORGS_PER_TRANSACTION);
      if (orgs.length === 0) return expired;
      expired += await runInTransaction(this.dataSource, async (manager) => {
        await this.credits.lockAccounts(manager, orgs);
        return this.credits.expireDue(manager, orgs);
      });
    }
  }
}
