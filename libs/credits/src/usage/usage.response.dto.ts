import { ApiProperty } from '@nestjs/swagger';
import { USAGE_BY, USAGE_GROUP_BY } from './usage.request.dto';

export class UsageRowResponseDto {
  @ApiProperty({ description: 'The UTC day (YYYY-MM-DD) or month (YYYY-MM)', example: '2026-11-30' })
  period: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The field (emails, phones), user id or API key id; null for api_key when no key was used',
    example: 'emails',
  })
  key: string | null;

  @ApiProperty({ type: 'integer', description: 'Credits captured for found data', example: 250 })
  creditsConsumed: number;

  @ApiProperty({ type: 'integer', description: 'Enrichments charged', example: 50 })
  enrichmentsCharged: number;
}

export class UsageResponseDto {
  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ enum: USAGE_GROUP_BY })
  groupBy: (typeof USAGE_GROUP_BY)[number];

  @ApiProperty({ enum: USAGE_BY })
  by: (typeof USAGE_BY)[number];

  @ApiProperty({ type: [UsageRowResponseDto] })
  rows: UsageRowResponseDto[];
}
