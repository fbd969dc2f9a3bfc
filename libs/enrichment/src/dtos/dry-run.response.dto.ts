import { ApiProperty } from '@nestjs/swagger';
import type { DryRunResult } from '../services/enrichment-request.service';

export class DryRunResponseDto implements DryRunResult {
  @ApiProperty({ description: 'Leads the selection resolves to', example: 100 })
  selected: number;

  @ApiProperty({ description: 'Of those, already enriched or in progress for this org (free)', example: 12 })
  reused: number;

  @ApiProperty({ description: 'Leads that would be charged', example: 88 })
  billable: number;

  @ApiProperty({ example: 440 })
  requiredCredits: number;

  @ApiProperty({ example: 5000 })
  availableCredits: number;

  @ApiProperty({ example: true })
  sufficient: boolean;
}
