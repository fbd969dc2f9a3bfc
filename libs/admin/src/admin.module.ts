import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CreditsModule } from '@app/credits';
import { EnrichmentModule } from '@app/enrichment';
import { PrivacyModule } from '@app/privacy';
import { WebhooksModule } from '@app/webhooks';
import { AdminPrivacyController } from './controllers/admin-privacy.controller';
import { AdminEnrichmentsController } from './controllers/admin-enrichments.controller';
import { AdminOrgsController } from './controllers/admin-orgs.controller';
import { AdminPrivacyService } from './services/admin-privacy.service';
import { AdminService } from './services/admin.service';

/** The admin console (role `admin`): it composes the credits, enrichment, privacy, webhooks and audit facades. */
@Module({
  imports: [CreditsModule, EnrichmentModule, AuditModule, PrivacyModule, WebhooksModule],
  controllers: [AdminOrgsController, AdminEnrichmentsController, AdminPrivacyController],
  providers: [AdminService, AdminPrivacyService],
})
export class AdminModule {}
