import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CONTACT_FIELDS, ContactField } from '@app/core';
import { EnrichmentStatus } from '@app/enrichment';
import { AdminPageRequestDto } from './page.request.dto';

export class AdminEnrichmentsRequestDto extends AdminPageRequestDto {
  @ApiPropertyOptional({ example: 'org_xyz789' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'orgId must be 1-128 letters, digits, _ or -' })
  orgId?: string;

  @ApiPropertyOptional({ enum: EnrichmentStatus })
  @IsOptional()
  @IsIn(Object.values(EnrichmentStatus))
  status?: EnrichmentStatus;

  @ApiPropertyOptional({ enum: ContactField })
  @IsOptional()
  @IsIn(CONTACT_FIELDS)
  field?: ContactField;
}
