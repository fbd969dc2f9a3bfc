import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '@app/core';

export class OperationItemsRequestDto {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Page number, from 0',
    default: 0,
    minimum: 0,
    maximum: 1_000_000,
  })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  page: number = 0;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  size: number = 100;
}
