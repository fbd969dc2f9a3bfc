import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { SpendPeriod, SpendScope } from '../spend-limit.types';

export class CreateSpendLimitRequestDto {
  @ApiProperty({ enum: SpendScope, example: SpendScope.USER })
  @IsEnum(SpendScope)
  scope: SpendScope;

  @ApiPropertyOptional({
    description: 'The user id (token `sub`) or API key id; required for `user` and `api_key`, omitted for `org`',
    minLength: 1,
    maxLength: 256,
    example: 'user_123',
  })
  @ValidateIf((body: CreateSpendLimitRequestDto) => body.scope !== SpendScope.ORG || body.subjectId !== undefined)
  @IsString()
  @Length(1, 256)
  subjectId?: string;

  @ApiProperty({ enum: SpendPeriod, description: 'A UTC calendar day or month', example: SpendPeriod.DAY })
  @IsEnum(SpendPeriod)
  period: SpendPeriod;

  @ApiProperty({
    type: 'integer',
    description: 'Credits that may be held per period',
    minimum: 1,
    maximum: 1e12,
    example: 500,
  })
  @IsInt()
  @Min(1)
  @Max(1e12)
  limit: number;
}
