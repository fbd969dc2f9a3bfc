import { ApiProperty } from '@nestjs/swagger';
import { SpendLimitStatus, SpendLimitView, SpendPeriod, SpendScope } from '../spend-limit.types';

export class SpendLimitStatusResponseDto implements SpendLimitStatus {
  @ApiProperty({ format: 'uuid' })
  limitId: string;

  @ApiProperty({ enum: SpendScope })
  scope: SpendScope;

  @ApiProperty({ type: String, nullable: true, description: 'null for the org scope', example: 'user_123' })
  subjectId: string | null;

  @ApiProperty({ enum: SpendPeriod })
  period: SpendPeriod;

  @ApiProperty({ type: 'integer', example: 500 })
  limit: number;

  @ApiProperty({
    type: 'integer',
    description: 'Credits held in the current period by requests under this limit, minus what was released from them',
    example: 120,
  })
  spent: number;

  @ApiProperty({ type: 'integer', example: 380 })
  remaining: number;

  @ApiProperty({
    format: 'date-time',
    description: 'When the current UTC period ends',
    example: '2026-12-01T00:00:00.000Z',
  })
  resetsAt: string;
}

export class SpendLimitResponseDto extends SpendLimitStatusResponseDto implements SpendLimitView {
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
