import { ApiProperty } from '@nestjs/swagger';

export class ErasureMatchDto {
  @ApiProperty({ type: [String], description: 'The leads whose contact data was erased (and who are now suppressed)' })
  personIds: string[];

  @ApiProperty({ type: String, nullable: true, description: 'The email asked for, normalised' })
  email: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The phone asked for, E.164' })
  phone: string | null;
}

export class ErasureResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: ErasureMatchDto })
  matched: ErasureMatchDto;

  @ApiProperty({ type: 'integer', description: "Organisations' enrichments whose found data was removed", example: 3 })
  records: number;

  @ApiProperty({
    type: 'integer',
    description: 'Organisations that held any of it; each was sent a contact.erased event',
    example: 2,
  })
  orgs: number;

  @ApiProperty({ type: 'integer', description: 'Global cache entries removed', example: 2 })
  cacheEntries: number;

  @ApiProperty({ example: 'admin_1' })
  requestedBy: string;

  @ApiProperty({ format: 'date-time' })
  completedAt: string;
}
