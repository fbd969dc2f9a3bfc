import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { EnrichmentResponseDto } from './enrichment.response.dto';

export class FoundEmailDto {
  @ApiProperty({ example: 'jane.doe@acme.com' })
  address: string;

  @ApiProperty({ enum: ['verified', 'likely', 'unverified'], example: 'verified' })
  verificationStatus: 'verified' | 'likely' | 'unverified';
}

export class FoundPhoneDto {
  @ApiProperty({ description: 'E.164', example: '+14155550123' })
  number: string;

  @ApiProperty({ enum: ['mobile', 'direct', 'office'], example: 'mobile' })
  type: 'mobile' | 'direct' | 'office';
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
}
