import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { PageRequestDto } from '@app/core';
import { SuppressionKind } from '../privacy.types';

export class SuppressionListRequestDto extends PageRequestDto({ defaultSize: 50, maxSize: 200 }) {
  @ApiPropertyOptional({ enum: SuppressionKind })
  @IsOptional()
  @IsEnum(SuppressionKind)
  kind?: SuppressionKind;
}
