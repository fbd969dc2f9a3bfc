import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { AdminPageRequestDto } from './page.request.dto';

export class AuditQueryRequestDto extends AdminPageRequestDto {
  @ApiPropertyOptional({ description: 'Only actions on this organisation', example: 'org_xyz789' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'orgId must be 1-128 letters, digits, _ or -' })
  orgId?: string;

  @ApiPropertyOptional({ example: 'credits.grant' })
  @IsOptional()
  @Matches(/^[a-z_.]{1,64}$/, { message: 'action must look like credits.grant' })
  action?: string;
}
