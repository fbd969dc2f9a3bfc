import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminCreditsController } from './controllers/admin-credits.controller';
import { CreditsController } from './controllers/credits.controller';
import { CreditsService } from './credits.service';
import { CreditAccountEntity } from './entities/credit-account.entity';
import { CreditTransactionEntity } from './entities/credit-transaction.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CreditAccountEntity, CreditTransactionEntity])],
  controllers: [CreditsController, AdminCreditsController],
  providers: [CreditsService],
  exports: [CreditsService],
})
export class CreditsModule {}
