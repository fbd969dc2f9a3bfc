import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '@app/core';

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The admin (JWT sub)', example: 'admin_1' })
  actorId: string;

  @ApiProperty({ example: 'org_ops' })
  actorOrgId: string;

  @ApiProperty({ example: 'credits.grant' })
  action: string;

  @ApiProperty({ type: String, nullable: true, example: 'org_xyz789' })
  orgId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'credit_transaction' })
  targetType: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  details: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class AuditPageResponseDto extends PageMetaDto {
  @ApiProperty({ type: [AuditEntryDto] })
  content: AuditEntryDto[];
}
