import { ApiProperty } from '@nestjs/swagger';

export class GrantCreditsResponseDto {
  @ApiProperty({ description: 'The ledger entry of the grant', format: 'uuid' })
  transactionId: string;

  @ApiProperty({ example: 'org_xyz789' })
  organizationId: string;

  @ApiProperty({ type: 'integer', description: 'Available credits after the grant', example: 6000 })
  balance: number;

  @ApiProperty({ type: 'integer', description: 'Credits currently held by pending work', example: 0 })
  held: number;
}
