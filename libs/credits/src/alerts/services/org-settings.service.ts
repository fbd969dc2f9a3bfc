import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows, runInTransaction } from '@app/core';
import { CreditsService } from '../../credits.service';
import { OrgSettings } from '../credit-alert.types';
import { CreditAlertsService } from './credit-alerts.service';

/** The org's settings: for now the low-balance threshold, kept on its credit account row. */
@Injectable()
export class OrgSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly credits: CreditsService,
    private readonly alerts: CreditAlertsService,
  ) {}

  async get(orgId: string): Promise<OrgSettings> {
    const [row] = await queryRows<OrgSettings>(
      this.dataSource,
      'SELECT low_balance_threshold AS "lowBalanceThreshold" FROM credit_account WHERE org_id = $1',
      [orgId],
    );
    return row ?? { lowBalanceThreshold: null };
  }

  /**
   * Replaces the settings. A new threshold is judged at once, under the account lock like any
   * change of `available`: setting it above the balance sends `credits.low` now (the balance
   * is below it and nobody was told), raising it while already low sends nothing new, and
   * removing it (null) or lowering it under the balance re-arms the alert.
   */
  async put(orgId: string, settings: OrgSettings): Promise<OrgSettings> {
    await runInTransaction(this.dataSource, async (manager) => {
      await this.credits.lockAccount(manager, orgId);
      await manager.query(
        'UPDATE credit_account SET low_balance_threshold = $2, updated_at = now() WHERE org_id = $1',
        [orgId, settings.lowBalanceThreshold],
      );
      await this.alerts.evaluate(manager, [orgId], false);
    });
    return this.get(orgId);
  }
}
