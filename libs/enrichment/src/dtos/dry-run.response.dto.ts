import { ApiProperty } from '@nestjs/swagger';
import { REQUEST_SCOPE, SpendPeriod, SpendScope } from '@app/credits';
import type { DryRunLimit, DryRunResult } from '../services/enrichment-request.service';

export class DryRunLimitResponseDto implements DryRunLimit {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for the request’s maxCredits' })
  limitId: string | null;

  @ApiProperty({ enum: [...Object.values(SpendScope), REQUEST_SCOPE] })
  scope: SpendScope | typeof REQUEST_SCOPE;

  @ApiProperty({ type: String, nullable: true })
  subjectId: string | null;

  // OpenAPI 3.0: a nullable enum must list null among its values.
  @ApiProperty({ enum: [...Object.values(SpendPeriod), null], nullable: true })
  period: SpendPeriod | null;

  @ApiProperty({ type: 'integer', example: 500 })
  limit: number;

  @ApiProperty({ type: 'integer', example: 120 })
  spent: number;

  @ApiProperty({ type: 'integer', example: 380 })
  remaining: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resetsAt: string | null;
}

export class DryRunResponseDto implements DryRunResult {
  @ApiProperty({ type: 'integer', description: 'Leads the selection resolves to', example: 100 })
  selected: number;

  @ApiProperty({
    type: 'integer',
    description: 'Of those, already enriched or in progress for this org (free)',
    example: 12,
  })
  reused: number;

  @ApiProperty({ type: 'integer', description: 'Leads that would be charged', example: 88 })
  billable: number;

  @ApiProperty({ type: 'integer', example: 440 })
  requiredCredits: number;

  @ApiProperty({ type: 'integer', example: 5000 })
  availableCredits: number;

  @ApiProperty({ example: true })
  sufficient: boolean;

  @ApiProperty({
    type: [DryRunLimitResponseDto],
    description: 'Extension: the spend limits (and `maxCredits`) the request would be held to, with what remains',
  })
  limits: DryRunLimit[];

  @ApiProperty({ description: 'Extension: whether requiredCredits fits under every limit', example: true })
  withinLimits: boolean;
}
