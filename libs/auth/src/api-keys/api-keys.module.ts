import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { ApiKeysController } from './controllers/api-keys.controller';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ApiKeysService } from './services/api-keys.service';

/** Partners' API keys: their management routes, and the facade that authenticates a key. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), AuditModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
