import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

export const USAGE_GROUP_BY = ['day', 'month'] as const;
export const USAGE_BY = ['field', 'user', 'api_key'] as const;

export class UsageRequestDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'From (inclusive); default: the start of the current UTC month',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'To (exclusive); default: now. At most 400 days after from',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: USAGE_GROUP_BY, default: 'day', description: 'UTC periods' })
  @IsOptional()
  @IsIn(USAGE_GROUP_BY)
  groupBy: (typeof USAGE_GROUP_BY)[number] = 'day';

  @ApiPropertyOptional({ enum: USAGE_BY, default: 'field' })
  @IsOptional()
  @IsIn(USAGE_BY)
  by: (typeof USAGE_BY)[number] = 'field';
}
