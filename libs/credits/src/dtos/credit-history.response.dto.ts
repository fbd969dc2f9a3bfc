import { ApiProperty } from '@nestjs/swagger';
import { CreditOperationType, CreditSource, CreditTransactionType } from '../credit.types';

export class CreditTransactionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'org_xyz789' })
  organizationId: string;

  @ApiProperty({ enum: CreditTransactionType })
  type: CreditTransactionType;

  @ApiProperty({
    type: 'integer',
    description: 'Credits, always positive; the type says which way they moved',
    example: 100,
  })
  amount: number;

  // OpenAPI 3.0: a nullable enum must list null among its values.
  @ApiProperty({ enum: [...Object.values(CreditOperationType), null], nullable: true })
  operationType: CreditOperationType | null;

  @ApiProperty({ enum: [...Object.values(CreditSource), null], nullable: true, description: 'For credit_added' })
  source: CreditSource | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The operation a hold pays for, the hold a settlement settles, the invoice of a grant',
  })
  referenceId: string | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  metadata: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time', example: '2025-01-13T10:30:00.000Z' })
  createdAt: string;

  @ApiProperty({
    format: 'date-time',
    description: 'As in the reference contract; ledger entries are never changed, so it equals createdAt',
    example: '2025-01-13T10:30:00.000Z',
  })
  updatedAt: string;
}

export class CreditHistoryResponseDto {
  @ApiProperty({ type: [CreditTransactionResponseDto] })
  transactions: CreditTransactionResponseDto[];

  @ApiProperty({ type: 'integer', description: 'The number of transactions returned in this response', example: 42 })
  count: number;

  @ApiProperty({
    type: 'integer',
    description: 'All entries between the dates, whatever limit and offset (page with offset until offset >= total)',
    example: 42,
  })
  total: number;
}
