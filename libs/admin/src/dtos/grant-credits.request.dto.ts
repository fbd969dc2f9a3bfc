import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsISO8601, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { CreditSource } from '@app/credits';

export class GrantCreditsRequestDto {
  /** The upper bound is MAX_GRANT, a setting, so AdminService checks it (a 400 naming `amount`). */
  @ApiProperty({
    type: 'integer',
    description: 'Credits to add, at most MAX_GRANT (default 100,000,000)',
    minimum: 1,
    example: 1000,
  })
  @IsInt()
  @Min(1)
  amount: number;

  @ApiProperty({ enum: CreditSource, example: CreditSource.MANUAL })
  @IsEnum(CreditSource)
  source: CreditSource;

  @ApiPropertyOptional({ maxLength: 500, example: 'Goodwill top-up after support ticket #1234' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the unspent remainder of this grant expires (subscription credits: the period end); must be in the ' +
      'future. Holds draw from the credits that expire first. Without it the credits never expire.',
    example: '2026-12-31T23:59:59Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}
