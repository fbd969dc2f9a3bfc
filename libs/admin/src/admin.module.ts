import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CreditsModule } from '@app/credits';
import { AdminEnrichmentsController } from './controllers/admin-enrichments.controller';
import { AdminOrgsController } from './controllers/admin-orgs.controller';
import { AdminService } from './services/admin.service';

/** The admin console (role `admin`): it composes the credits, enrichment and audit facades. */
@Module({
  imports: [CreditsModule, AuditModule],
  controllers: [AdminOrgsController, AdminEnrichmentsController],
  providers: [AdminService],
})
export class AdminModule {}
