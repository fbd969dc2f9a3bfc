import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyScope, AuthUser, CurrentUser, RequireScopes } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { CreditsService } from '../credits.service';
import { BalanceResponseDto } from '../dtos/balance.response.dto';
import { CreditHistoryRequestDto } from '../dtos/credit-history.request.dto';
import { CreditHistoryResponseDto } from '../dtos/credit-history.response.dto';
import { UsageReadModel, usageToCsv } from '../usage/usage.read-model';
import { UsageRequestDto } from '../usage/usage.request.dto';
import { UsageResponseDto } from '../usage/usage.response.dto';

@ApiTags('credits')
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: missing or invalid token' })
@RequireScopes(ApiKeyScope.CREDITS_READ)
@Controller('api/v1/operations/credits')
export class CreditsController {
  constructor(
    private readonly credits: CreditsService,
    private readonly usageReadModel: UsageReadModel,
  ) {}

  @Get('balance')
  @ApiOperation({
    summary: "The caller's organisation's available credits",
    description: 'Extensions: `held` by work in progress, and `nextExpiry` of granted credits (null when none expire).',
  })
  @ApiOkResponse({ type: BalanceResponseDto })
  async balance(@CurrentUser() user: AuthUser): Promise<BalanceResponseDto> {
    const [{ available, held }, nextExpiry] = await Promise.all([
      this.credits.getBalance(user.orgId),
      this.credits.nextExpiry(user.orgId),
    ]);
    return { balance: available, organizationId: user.orgId, held, nextExpiry };
  }

  @Get('history')
  @ApiOperation({ summary: "The organisation's credit ledger, newest first" })
  @ApiOkResponse({ type: CreditHistoryResponseDto })
  history(@Query() query: CreditHistoryRequestDto, @CurrentUser() user: AuthUser): Promise<CreditHistoryResponseDto> {
    return this.credits.history(user.orgId, query);
  }

  @Get('usage')
  @ApiOperation({
    summary: 'Credits consumed and enrichments charged per UTC day or month, by field, user or API key',
    description:
      'Extension. `Accept: text/csv` answers the same rows as CSV (header: period, <by>, creditsConsumed, enrichmentsCharged).',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: UsageResponseDto })
  async usage(
    @Query() query: UsageRequestDto,
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UsageResponseDto | string> {
    const usage = await this.usageReadModel.usage(user.orgId, query);
    if (req.accepts(['application/json', 'text/csv']) !== 'text/csv') return usage;
    res.type('text/csv');
    return usageToCsv(usage);
  }
}
