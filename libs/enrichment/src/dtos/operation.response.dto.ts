import { ApiProperty } from '@nestjs/swagger';
import { ContactField } from '@app/core';
import { OperationKind, OperationStatus } from '../enrichment.types';
import type { OperationProgress } from '../read-models/operation-progress.read-model';

export class OperationCreditsDto {
  @ApiProperty({ type: 'integer', description: 'Still held for enrichments not yet settled', example: 60 })
  held: number;

  @ApiProperty({ type: 'integer', description: 'Paid for found data', example: 25 })
  captured: number;

  @ApiProperty({ type: 'integer', description: 'Returned: not found, failed or cancelled', example: 15 })
  released: number;
}

export class OperationResponseDto implements OperationProgress {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'org_xyz789' })
  orgId: string;

  @ApiProperty({ enum: OperationKind })
  kind: OperationKind;

  @ApiProperty({ enum: ContactField })
  field: ContactField;

  @ApiProperty({ enum: OperationStatus, description: 'completed once no enrichment of it is pending or processing' })
  status: OperationStatus;

  @ApiProperty({ example: 'user_2abc123' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: 'integer', description: 'Leads selected', example: 20 })
  total: number;

  @ApiProperty({
    type: 'integer',
    description: 'Existing enrichments reused (not charged by this operation)',
    example: 4,
  })
  reused: number;

  @ApiProperty({ type: 'integer', description: 'Enrichments this operation created or retried (charged)', example: 16 })
  created: number;

  @ApiProperty({ type: 'integer', example: 3 })
  pending: number;

  @ApiProperty({ type: 'integer', example: 1 })
  processing: number;

  @ApiProperty({ type: 'integer', example: 16 })
  finished: number;

  @ApiProperty({ type: 'integer', description: 'Finished with data', example: 9 })
  found: number;

  @ApiProperty({ type: 'integer', description: 'Failed or timed out', example: 0 })
  failed: number;

  @ApiProperty({ type: 'integer', example: 0 })
  cancelled: number;

  @ApiProperty({ type: OperationCreditsDto })
  credits: OperationCreditsDto;
}
