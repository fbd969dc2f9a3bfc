import { ApiProperty } from '@nestjs/swagger';
import { ContactField } from '@app/core';
import { EnrichmentStatus, EntityType, EnrichmentView } from '../enrichment.types';

/** The contract's enrichment object: exactly 13 keys, null where not (yet) known. */
export class EnrichmentResponseDto implements EnrichmentView {
  @ApiProperty({ format: 'uuid', example: '123e4567-e89b-12d3-a456-426614174000' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2025-01-13T10:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2025-01-13T10:30:00.000Z' })
  updatedAt: string;

  @ApiProperty({ format: 'uuid', description: 'The lead', example: '550e8400-e29b-41d4-a716-446655440001' })
  entityId: string;

  @ApiProperty({ enum: EntityType, example: EntityType.PERSON })
  entityType: EntityType;

  @ApiProperty({ enum: ContactField, example: ContactField.EMAILS })
  field: ContactField;

  @ApiProperty({ enum: EnrichmentStatus, example: EnrichmentStatus.PENDING })
  status: EnrichmentStatus;

  @ApiProperty({ type: String, nullable: true, description: 'Why the enrichment failed', example: null })
  error: string | null;

  @ApiProperty({ description: 'The user who asked (JWT sub)', example: 'user_2abc123' })
  createdBy: string;

  @ApiProperty({ example: 'org_xyz789' })
  orgId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The shared result this enrichment points at, once data was found',
    example: null,
  })
  globalEnrichmentId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The credit hold that pays for this enrichment',
    example: '9b2f1c4e-6a1d-4f1e-9c55-3f4b2a1d0e77',
  })
  creditTransactionId: string | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'true/false once finished; null before',
    example: null,
  })
  dataFound: boolean | null;
}
