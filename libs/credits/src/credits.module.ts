import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditsController } from './controllers/credits.controller';
import { CreditsService } from './credits.service';
import { CreditAccountEntity } from './entities/credit-account.entity';
import { CreditTransactionEntity } from './entities/credit-transaction.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CreditAccountEntity, CreditTransactionEntity])],
  controllers: [CreditsController],
  providers: [CreditsService],
  exports: [CreditsService],
})
export class CreditsModule {}
