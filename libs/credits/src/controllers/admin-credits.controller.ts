import { Body, Controller, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, Role, Roles } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { CreditsService } from '../credits.service';
import { OrgIdPipe } from '../org-id.pipe';
import { GrantCreditsRequestDto } from '../dtos/grant-credits.request.dto';
import { GrantCreditsResponseDto } from '../dtos/grant-credits.response.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.ADMIN)
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: missing or invalid token' })
@ApiForbiddenResponse({ type: ErrorEnvelopeDto, description: 'FORBIDDEN: the token is not an admin token' })
@Controller('api/v1/admin/orgs')
export class AdminCreditsController {
  constructor(private readonly credits: CreditsService) {}

  @Post(':orgId/credits')
  @ApiOperation({ summary: 'Grant credits to an organisation (admin console)' })
  @ApiParam({ name: 'orgId', example: 'org_xyz789' })
  @ApiCreatedResponse({ type: GrantCreditsResponseDto })
  @ApiBadRequestResponse({ type: ErrorEnvelopeDto, description: 'VALIDATION_ERROR' })
  async grant(
    @Param('orgId', OrgIdPipe) orgId: string,
    @Body() body: GrantCreditsRequestDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<GrantCreditsResponseDto> {
    const { transactionId, balance } = await this.credits.grant({
      orgId,
      amount: body.amount,
      source: body.source,
      description: body.description,
      createdBy: admin.userId,
    });
    return { transactionId, organizationId: orgId, balance: balance.available, held: balance.held };
  }
}
