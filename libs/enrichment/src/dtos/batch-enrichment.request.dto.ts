import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsUUID } from 'class-validator';
import { CONTACT_FIELDS, ContactField } from '@app/core';
import { MaxCreditsProperty } from './max-credits.property';

export class BatchEnrichmentRequestDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: 100,
    example: ['550e8400-e29b-41d4-a716-446655440001', '550e8400-e29b-41d4-a716-446655440002'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  personIds: string[];

  @ApiProperty({ enum: ContactField, example: ContactField.EMAILS })
  @IsIn(CONTACT_FIELDS)
  field: ContactField;

  @MaxCreditsProperty()
  maxCredits?: number;
}
