import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, OwnerController } from '@app/auth';
import { ErrorEnvelopeDto, UuidParamPipe } from '@app/core';
import { CreateSpendLimitRequestDto } from '../dtos/create-spend-limit.request.dto';
import { SpendLimitResponseDto } from '../dtos/spend-limit.response.dto';
import { SpendLimitsService } from '../services/spend-limits.service';

@OwnerController('api/v1/spend-limits', { tag: 'spend limits' })
export class SpendLimitsController {
  constructor(private readonly limits: SpendLimitsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Cap what the org, a user or an API key may spend per UTC day or month',
    description:
      'A request that would pass any limit that applies to it (the org’s, its user’s, its key’s) is a 402 ' +
      'SPEND_LIMIT_EXCEEDED and changes nothing. Spent = credits held in the period minus what was released from those holds.',
  })
  @ApiCreatedResponse({ type: SpendLimitResponseDto })
  @ApiConflictResponse({
    type: ErrorEnvelopeDto,
    description: 'CONFLICT: a limit for this scope, subject and period exists',
  })
  create(@Body() body: CreateSpendLimitRequestDto, @CurrentUser() user: AuthUser): Promise<SpendLimitResponseDto> {
    return this.limits.create({
      orgId: user.orgId,
      scope: body.scope,
      subjectId: body.subjectId ?? null,
      period: body.period,
      limit: body.limit,
      createdBy: user.userId,
    });
  }

  @Get()
  @ApiOperation({ summary: "The org's spend limits, each with what was spent and remains in its current period" })
  @ApiOkResponse({ type: [SpendLimitResponseDto] })
  list(@CurrentUser() user: AuthUser): Promise<SpendLimitResponseDto[]> {
    return this.limits.list(user.orgId);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a spend limit' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: no such limit in this organisation' })
  remove(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.limits.remove(user.orgId, id);
  }
}
