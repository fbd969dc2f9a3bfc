import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { CreditsService } from '../credits.service';
import { BalanceResponseDto } from '../dtos/balance.response.dto';
import { CreditHistoryRequestDto } from '../dtos/credit-history.request.dto';
import { CreditHistoryResponseDto } from '../dtos/credit-history.response.dto';

@ApiTags('credits')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: missing or invalid token' })
@Controller('api/v1/operations/credits')
export class CreditsController {
  constructor(private readonly credits: CreditsService) {}

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
}
