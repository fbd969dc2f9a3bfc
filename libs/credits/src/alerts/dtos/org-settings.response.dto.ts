import { ApiProperty } from '@nestjs/swagger';
import { OrgSettings } from '../credit-alert.types';

export class OrgSettingsResponseDto implements OrgSettings {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: '`credits.low` is sent when available credits drop below this; null = off',
    example: 1000,
  })
  lowBalanceThreshold: number | null;
}
