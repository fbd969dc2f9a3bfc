import { Body, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/auth';
import { Idempotent, OrgIdPipe } from '@app/core';
import { AdminOrgResponseDto } from '../dtos/admin-org.response.dto';
import { GrantCreditsRequestDto } from '../dtos/grant-credits.request.dto';
import { GrantCreditsResponseDto } from '../dtos/grant-credits.response.dto';
import { AdminService } from '../services/admin.service';
import { AdminController } from './admin-controller.decorator';

@AdminController('api/v1/admin/orgs')
export class AdminOrgsController {
  constructor(private readonly admin: AdminService) {}

  @Get(':orgId')
  @ApiOperation({ summary: 'An organisation: balance, held credits, usage by field and month, enrichments by status' })
  @ApiParam({ name: 'orgId', example: 'org_xyz789' })
  @ApiOkResponse({ type: AdminOrgResponseDto })
  organisation(@Param('orgId', OrgIdPipe) orgId: string): Promise<AdminOrgResponseDto> {
    return this.admin.organisation(orgId);
  }

  @Post(':orgId/credits')
  @Idempotent()
  @ApiOperation({ summary: 'Grant credits to an organisation (written to the ledger and the audit log)' })
  @ApiParam({ name: 'orgId', example: 'org_xyz789' })
  @ApiCreatedResponse({ type: GrantCreditsResponseDto })
  grant(
    @Param('orgId', OrgIdPipe) orgId: string,
    @Body() body: GrantCreditsRequestDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<GrantCreditsResponseDto> {
    return this.admin.grantCredits(admin, orgId, body);
  }
}
