import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { LeadFiltersDto } from '@app/leads';

export class LeadSearchRequestDto {
  @ApiProperty({ type: LeadFiltersDto, example: { job_title: ['Software Engineer', 'Developer'] } })
  @IsObject()
  @ValidateNested()
  @Type(() => LeadFiltersDto)
  filters: LeadFiltersDto;

  @ApiPropertyOptional({ type: 'integer', description: 'Page number, from 0', default: 0, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  page: number = 0;

  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  size: number = 20;
}
