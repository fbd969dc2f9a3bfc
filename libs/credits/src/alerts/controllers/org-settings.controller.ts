import { Body, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser, OwnerController } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { OrgSettingsRequestDto } from '../dtos/org-settings.request.dto';
import { OrgSettingsResponseDto } from '../dtos/org-settings.response.dto';
import { OrgSettingsService } from '../services/org-settings.service';

@OwnerController('api/v1/org/settings', { tag: 'settings' })
export class OrgSettingsController {
  constructor(private readonly settings: OrgSettingsService) {}

  @Get()
  @ApiOperation({
    summary: "The organisation's settings: the low-balance alert threshold",
    description: '`lowBalanceThreshold` is null until an owner sets one (no `credits.low` events then).',
  })
  @ApiOkResponse({ type: OrgSettingsResponseDto })
  get(@CurrentUser() user: AuthUser): Promise<OrgSettingsResponseDto> {
    return this.settings.get(user.orgId);
  }

  @Put()
  @ApiOperation({
    summary: "Replace the organisation's settings",
    description:
      '`lowBalanceThreshold`: a `credits.low` webhook event is sent when available credits drop below it, once per ' +
      'crossing (re-armed when they are back at or above it); null turns it off. A threshold above the current ' +
      'balance sends `credits.low` at once. `credits.depleted` (available reaches 0) and `spend_limit.reached` need no setting.',
  })
  @ApiOkResponse({ type: OrgSettingsResponseDto })
  @ApiBadRequestResponse({
    type: ErrorEnvelopeDto,
    description: 'VALIDATION_ERROR: lowBalanceThreshold missing, negative, fractional or too large',
  })
  put(@Body() body: OrgSettingsRequestDto, @CurrentUser() user: AuthUser): Promise<OrgSettingsResponseDto> {
    return this.settings.put(user.orgId, { lowBalanceThreshold: body.lowBalanceThreshold });
  }
}
