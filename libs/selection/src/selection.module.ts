import { Module } from '@nestjs/common';
import { LeadsModule } from '@app/leads';
import { SelectionService } from './selection.service';

@Module({
  imports: [LeadsModule],
  providers: [SelectionService],
  exports: [SelectionService],
})
export class SelectionModule {}
