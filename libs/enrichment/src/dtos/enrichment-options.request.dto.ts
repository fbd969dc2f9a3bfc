import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { CONTACT_FIELDS, ContactField, ToBoolean } from '@app/core';

export class DryRunQueryDto {
  @ApiPropertyOptional({
    description: 'Answer what the request would select and cost, without writing or holding anything',
    default: false,
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

export class FieldQueryDto {
  @ApiProperty({ enum: ContactField, example: ContactField.EMAILS })
  @IsIn(CONTACT_FIELDS)
  field: ContactField;
}
