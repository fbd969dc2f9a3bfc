import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { PageRequestDto } from '@app/core';
import { LeadFiltersDto } from '@app/leads';

// A JSON body: page and size are numbers already (a string stays a 400).
export class LeadSearchRequestDto extends PageRequestDto({ defaultSize: 20, maxSize: 100, source: 'body' }) {
  @ApiProperty({ type: LeadFiltersDto, example: { job_title: ['Software Engineer', 'Developer'] } })
  @IsObject()
  @ValidateNested()
  @Type(() => LeadFiltersDto)
  filters: LeadFiltersDto;
}
