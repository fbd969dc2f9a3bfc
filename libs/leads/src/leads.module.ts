import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersonEntity } from './entities/person.entity';
import { LeadsService } from './leads.service';

@Module({
  imports: [TypeOrmModule.forFeature([PersonEntity])],
  providers: [LeadsService],
  exports: [LeadsService],
})
export class LeadsModule {}
