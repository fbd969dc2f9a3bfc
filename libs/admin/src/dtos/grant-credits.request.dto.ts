import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CreditSource } from '@app/credits';

export class GrantCreditsRequestDto {
  @ApiProperty({ description: 'Credits to add', minimum: 1, maximum: 100_000_000, example: 1000 })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amount: number;

  @ApiProperty({ enum: CreditSource, example: CreditSource.MANUAL })
  @IsEnum(CreditSource)
  source: CreditSource;

  @ApiPropertyOptional({ maxLength: 500, example: 'Goodwill top-up after support ticket #1234' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}
