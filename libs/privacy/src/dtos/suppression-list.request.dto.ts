import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '@app/core';
import { SuppressionKind } from '../privacy.types';

export class SuppressionListRequestDto {
  @ApiPropertyOptional({ enum: SuppressionKind })
  @IsOptional()
  @IsEnum(SuppressionKind)
  kind?: SuppressionKind;

  @ApiPropertyOptional({ type: 'integer', description: 'Page number, from 0', default: 0, minimum: 0 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  page: number = 0;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  size: number = 50;
}
