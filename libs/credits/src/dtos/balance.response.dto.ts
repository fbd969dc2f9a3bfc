import { ApiProperty } from '@nestjs/swagger';

export class BalanceResponseDto {
  @ApiProperty({ description: 'Credits available to spend (held credits excluded)', example: 5000 })
  balance: number;

  @ApiProperty({ example: 'org_xyz789' })
  organizationId: string;
}
