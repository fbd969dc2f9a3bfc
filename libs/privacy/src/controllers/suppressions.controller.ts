import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, OwnerController } from '@app/auth';
import { ErrorEnvelopeDto, toPage, UuidParamPipe } from '@app/core';
import { CreateSuppressionRequestDto } from '../dtos/create-suppression.request.dto';
import { SuppressionListRequestDto } from '../dtos/suppression-list.request.dto';
import { SuppressionPageResponseDto, SuppressionResponseDto } from '../dtos/suppression.response.dto';
import { PrivacyService } from '../services/privacy.service';

/** The org's own do-not-enrich list (owners): it applies to this org's requests only. */
@OwnerController('api/v1/suppressions', { tag: 'privacy' })
export class SuppressionsController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a person, email, email domain or phone to this org’s do-not-enrich list',
    description: 'An entry that exists is answered as it is. Suppressed leads end not found and are not charged.',
  })
  @ApiCreatedResponse({ type: SuppressionResponseDto })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateSuppressionRequestDto): Promise<SuppressionResponseDto> {
    return this.privacy.addSuppression({ platform: false, orgId: user.orgId }, { ...body, createdBy: user.userId });
  }

  @Get()
  @ApiOperation({ summary: 'This org’s do-not-enrich list, newest first, paged' })
  @ApiOkResponse({ type: SuppressionPageResponseDto })
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: SuppressionListRequestDto,
  ): Promise<SuppressionPageResponseDto> {
    const { items, total } = await this.privacy.listSuppressions({ platform: false, orgId: user.orgId }, query);
    return toPage(items, total, query.page, query.size);
  }

  @Delete(':suppressionId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove an entry from this org’s list' })
  @ApiParam({ name: 'suppressionId', format: 'uuid' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND' })
  remove(@CurrentUser() user: AuthUser, @Param('suppressionId', UuidParamPipe) id: string): Promise<void> {
    return this.privacy.removeSuppression({ platform: false, orgId: user.orgId }, id);
  }
}
