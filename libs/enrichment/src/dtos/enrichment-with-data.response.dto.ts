import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { EnrichmentReceipt } from '../read-models/enrichment-receipt';
import { EnrichmentResponseDto } from './enrichment.response.dto';

export class EnrichmentReceiptDto implements EnrichmentReceipt {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The hold the lead was paid from' })
  holdId: string | null;

  @ApiProperty({ type: 'integer', description: "The lead's share of the hold", example: 5 })
  held: number;

  @ApiProperty({ type: 'integer', description: 'Paid for found data', example: 5 })
  captured: number;

  @ApiProperty({ type: 'integer', description: 'Given back (nothing found, failed, timed out, cancelled)', example: 0 })
  released: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The provider whose answer was charged; null when none found anything',
    example: 'sim-email-alpha',
  })
  provider: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When that answer was recorded' })
  answeredAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the share was captured or released',
  })
  settledAt: string | null;
}

export class FoundEmailDto {
  @ApiProperty({ example: 'jane.doe@acme.com' })
  address: string;

  @ApiProperty({ enum: ['verified', 'likely', 'unverified'], example: 'verified' })
  verificationStatus: 'verified' | 'likely' | 'unverified';

  @ApiPropertyOptional({
    description: 'The provider this value came from (GDPR Art. 14 source)',
    example: 'sim-email-alpha',
  })
  source?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When a provider first returned this value' })
  foundAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When a provider last returned it; retention counts from here',
  })
  lastConfirmedAt?: string;
}

export class FoundPhoneDto {
  @ApiProperty({ description: 'E.164', example: '+14155550123' })
  number: string;

  @ApiProperty({ enum: ['mobile', 'direct', 'office'], example: 'mobile' })
  type: 'mobile' | 'direct' | 'office';

  @ApiPropertyOptional({
    description: 'The provider this value came from (GDPR Art. 14 source)',
    example: 'sim-email-alpha',
  })
  source?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When a provider first returned this value' })
  foundAt?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When a provider last returned it; retention counts from here',
  })
  lastConfirmedAt?: string;
}

export interface FoundData {
  emails?: FoundEmailDto[];
  phones?: FoundPhoneDto[];
}

@ApiExtraModels(FoundEmailDto, FoundPhoneDto)
export class EnrichmentWithDataResponseDto extends EnrichmentResponseDto {
  // Inline rather than a $ref: OpenAPI 3.0 cannot make a $ref nullable.
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: {
      emails: { type: 'array', items: { $ref: getSchemaPath(FoundEmailDto) } },
      phones: { type: 'array', items: { $ref: getSchemaPath(FoundPhoneDto) } },
    },
    description: 'What was found (emails or phones, by field), once finished with data; null otherwise',
  })
  data: FoundData | null;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the found data was removed (DATA_RETENTION_DAYS passed without a new confirmation, or an erasure); dataFound stays as it was',
  })
  purgedAt?: string;

  @ApiProperty({ type: EnrichmentReceiptDto, description: 'Extension: what this lead cost and why' })
  receipt: EnrichmentReceiptDto;
}
