import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '@app/core';
import { SuppressionKind } from '../privacy.types';

export class SuppressionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: SuppressionKind })
  kind: SuppressionKind;

  @ApiProperty({
    description: 'Normalised: emails and domains lower-cased, phones E.164',
    example: 'jane.doe@acme.com',
  })
  value: string;

  @ApiProperty({ example: 'Art. 21 objection' })
  reason: string;

  @ApiProperty({ type: String, nullable: true, description: 'null on the platform-wide list', example: 'org_xyz789' })
  orgId: string | null;

  @ApiProperty({ example: 'user_abc123' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class SuppressionPageResponseDto extends PageMetaDto {
  @ApiProperty({ type: [SuppressionResponseDto] })
  content: SuppressionResponseDto[];
}
