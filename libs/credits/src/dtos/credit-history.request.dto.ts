import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Max, MaxDate, Min, MinDate } from 'class-validator';
import { ToInt } from '@app/core';

// Dates a timestamptz column can compare with; anything else is a client mistake, not a 500.
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');
/** The reference contract's default, and the most one answer may carry. */
export const HISTORY_MAX_LIMIT = 100_000;

export class CreditHistoryRequestDto {
  @ApiPropertyOptional({ description: 'ISO 8601; entries at or after', example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'startDate must be an ISO 8601 date' })
  @MinDate(EARLIEST, { message: 'startDate must not be before 1970' })
  @MaxDate(LATEST, { message: 'startDate must not be after 9999' })
  startDate?: Date;

  @ApiPropertyOptional({ description: 'ISO 8601; entries at or before', example: '2025-12-31T23:59:59Z' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'endDate must be an ISO 8601 date' })
  @MinDate(EARLIEST, { message: 'endDate must not be before 1970' })
  @MaxDate(LATEST, { message: 'endDate must not be after 9999' })
  endDate?: Date;

  @ApiPropertyOptional({
    description: 'Most entries to return (the reference contract: default 100,000)',
    type: 'integer',
    default: HISTORY_MAX_LIMIT,
    minimum: 1,
    maximum: HISTORY_MAX_LIMIT,
  })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(HISTORY_MAX_LIMIT)
  limit: number = HISTORY_MAX_LIMIT;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset: number = 0;
}
