import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { EnrichmentResponseDto } from './enrichment.response.dto';

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
}
