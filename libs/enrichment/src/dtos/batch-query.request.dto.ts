import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import { CONTACT_FIELDS, ContactField } from '@app/core';
import { EntityType } from '../enrichment.types';

export class EnrichmentTaskDto {
  @ApiProperty({ format: 'uuid', example: '550e8400-e29b-41d4-a716-446655440001' })
  @IsUUID()
  entityId: string;

  @ApiProperty({ enum: ContactField, example: ContactField.EMAILS })
  @IsIn(CONTACT_FIELDS)
  field: ContactField;

  @ApiPropertyOptional({ enum: EntityType, default: EntityType.PERSON })
  @IsOptional()
  @IsIn(Object.values(EntityType))
  entityType?: EntityType;
}

export class BatchQueryRequestDto {
  @ApiProperty({ type: [EnrichmentTaskDto], minItems: 1, maxItems: 200 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  // A task that is not an object (a list, a string) is a 400 naming it, not a crash in the lookup.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => EnrichmentTaskDto)
  tasks: EnrichmentTaskDto[];
}
