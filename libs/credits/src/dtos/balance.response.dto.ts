import { ApiProperty } from '@nestjs/swagger';
import type { NextExpiry } from '../lots/services/credit-lots.service';

export class BalanceResponseDto {
  @ApiProperty({ type: 'integer', description: 'Credits available to spend (held credits excluded)', example: 5000 })
  balance: number;

  @ApiProperty({ example: 'org_xyz789' })
  organizationId: string;

  @ApiProperty({
    type: 'integer',
    description: 'Extension: credits held by work in progress (not spendable, not spent yet)',
    example: 40,
  })
  held: number;

  // Inline rather than a $ref: OpenAPI 3.0 cannot mark a reference nullable.
  @ApiProperty({
    type: 'object',
    properties: {
      amount: { type: 'integer', description: 'Unspent credits that expire at expiresAt', example: 1200 },
      expiresAt: { type: 'string', format: 'date-time', example: '2026-12-31T23:59:59.000Z' },
    },
    required: ['amount', 'expiresAt'],
    nullable: true,
    description: 'Extension: the soonest expiry of granted credits; null when nothing expires',
  })
  nextExpiry: NextExpiry | null;
}
