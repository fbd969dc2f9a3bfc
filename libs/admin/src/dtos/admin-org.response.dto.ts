import { ApiProperty } from '@nestjs/swagger';
import { ContactField } from '@app/core';
import { EnrichmentStatus } from '@app/enrichment';

export class UsageDto {
  @ApiProperty({ enum: ContactField })
  field: string;

  @ApiProperty({ description: 'Calendar month, UTC', example: '2025-01' })
  period: string;

  @ApiProperty({ type: 'integer', example: 450 })
  creditsConsumed: number;

  @ApiProperty({ type: 'integer', description: 'Enrichments paid for (found data)', example: 90 })
  enrichmentsCharged: number;
}

export class EnrichmentCountDto {
  @ApiProperty({ enum: ContactField })
  field: ContactField;

  @ApiProperty({ enum: EnrichmentStatus })
  status: EnrichmentStatus;

  @ApiProperty({ type: 'integer', example: 12 })
  count: number;
}

export class AdminOrgResponseDto {
  @ApiProperty({ example: 'org_xyz789' })
  organizationId: string;

  @ApiProperty({ type: 'integer', description: 'Available credits', example: 5000 })
  balance: number;

  @ApiProperty({ type: 'integer', description: 'Credits held by pending work', example: 100 })
  held: number;

  @ApiProperty({ type: [UsageDto], description: 'Credits consumed per field and month, newest first' })
  usage: UsageDto[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Enrichments per status, all fields',
    example: { pending: 3, processing: 0, finished: 120, failed: 1, timeout: 0, cancelled: 0 },
  })
  enrichmentsByStatus: Record<EnrichmentStatus, number>;

  @ApiProperty({ type: [EnrichmentCountDto], description: 'Enrichments per field and status' })
  enrichments: EnrichmentCountDto[];
}
