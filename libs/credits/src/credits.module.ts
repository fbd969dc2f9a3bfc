import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksModule } from '@app/webhooks';
import { OrgSettingsController } from './alerts/controllers/org-settings.controller';
import { BalanceAlerts } from './alerts/balance-alerts';
import { AlertDispatcher } from './alerts/services/alert-dispatcher';
import { CreditAlertsService } from './alerts/services/credit-alerts.service';
import { OrgSettingsService } from './alerts/services/org-settings.service';
import { CreditsController } from './controllers/credits.controller';
import { CreditsService } from './credits.service';
import { CreditAccountEntity } from './entities/credit-account.entity';
import { CreditTransactionEntity } from './entities/credit-transaction.entity';
import { SpendLimitsController } from './limits/controllers/spend-limits.controller';
import { SpendCounterEntity } from './limits/entities/spend-counter.entity';
import { SpendLimitEntity } from './limits/entities/spend-limit.entity';
import { SpendLimitsService } from './limits/services/spend-limits.service';
import { CreditHoldLotEntity } from './lots/entities/credit-hold-lot.entity';
import { CreditLotEntity } from './lots/entities/credit-lot.entity';
import { CreditLotsService } from './lots/services/credit-lots.service';
import { UsageReadModel } from './usage/usage.read-model';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      CreditAccountEntity,
      CreditTransactionEntity,
      SpendLimitEntity,
      SpendCounterEntity,
      CreditLotEntity,
      CreditHoldLotEntity,
    ]),
    // Balance and spend-limit alerts are webhook events.
    WebhooksModule,
  ],
  controllers: [CreditsController, SpendLimitsController, OrgSettingsController],
  providers: [
    CreditsService,
    SpendLimitsService,
    CreditLotsService,
    UsageReadModel,
    AlertDispatcher,
    CreditAlertsService,
    { provide: BalanceAlerts, useExisting: CreditAlertsService },
    OrgSettingsService,
  ],
  exports: [CreditsService, CreditLotsService],
})
export class CreditsModule {}
