import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { CONTACT_FIELDS, ContactField } from '@app/core';
import { MaxCreditsProperty } from './max-credits.property';
import { BulkSelectionDto, ManualSelectionDto, SELECTION_DISCRIMINATOR, SelectionDto } from '@app/selection';

@ApiExtraModels(ManualSelectionDto, BulkSelectionDto)
export class BulkEnrichmentRequestDto {
  @ApiProperty({
    description: 'Which leads to enrich: explicit ids (manual) or a window of a lead search (bulk)',
    oneOf: [{ $ref: getSchemaPath(ManualSelectionDto) }, { $ref: getSchemaPath(BulkSelectionDto) }],
    discriminator: {
      propertyName: 'mode',
      mapping: { manual: getSchemaPath(ManualSelectionDto), bulk: getSchemaPath(BulkSelectionDto) },
    },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => SelectionDto, { discriminator: SELECTION_DISCRIMINATOR, keepDiscriminatorProperty: true })
  selection: ManualSelectionDto | BulkSelectionDto;

  @ApiProperty({ enum: ContactField, description: 'What to find', example: ContactField.EMAILS })
  @IsIn(CONTACT_FIELDS)
  field: ContactField;

  @MaxCreditsProperty()
  maxCredits?: number;
}
