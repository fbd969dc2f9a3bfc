import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SuppressionsController } from './controllers/suppressions.controller';
import { ErasureEntity } from './entities/erasure.entity';
import { SuppressionEntity } from './entities/suppression.entity';
import { PrivacyService } from './services/privacy.service';

/** Suppression lists and erasure receipts behind one facade; it never imports enrichment. */
@Module({
  imports: [TypeOrmModule.forFeature([SuppressionEntity, ErasureEntity])],
  providers: [PrivacyService],
  exports: [PrivacyService],
})
export class PrivacyModule {}

/** The org-level list's endpoints, for the HTTP app only. */
@Module({
  imports: [PrivacyModule],
  controllers: [SuppressionsController],
})
export class PrivacyHttpModule {}
