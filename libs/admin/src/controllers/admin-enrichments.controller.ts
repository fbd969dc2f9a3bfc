import { Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPaymentRequiredResponse,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/auth';
import { ErrorEnvelopeDto, Idempotent, UuidParamPipe } from '@app/core';
import { EnrichmentResponseDto, OperationResponseDto } from '@app/enrichment';
import { AdminEnrichmentsRequestDto } from '../dtos/admin-enrichments.request.dto';
import { AdminEnrichmentPageResponseDto } from '../dtos/admin-enrichments.response.dto';
import { AuditPageResponseDto } from '../dtos/audit-page.response.dto';
import { AuditQueryRequestDto } from '../dtos/audit-query.request.dto';
import { AdminService } from '../services/admin.service';
import { AdminController } from './admin-controller.decorator';

@AdminController('api/v1/admin')
export class AdminEnrichmentsController {
  constructor(private readonly admin: AdminService) {}

  @Get('enrichments')
  @ApiOperation({ summary: 'Enrichments across organisations, newest first, filtered and paged' })
  @ApiOkResponse({ type: AdminEnrichmentPageResponseDto })
  list(@Query() query: AdminEnrichmentsRequestDto): Promise<AdminEnrichmentPageResponseDto> {
    return this.admin.listEnrichments(query);
  }

  @Post('enrichments/:enrichmentId/retry')
  @Idempotent()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Retry a failed, timed-out or cancelled enrichment',
    description: "Holds the org's credits again (402 when short), queues it, and writes the audit log.",
  })
  @ApiParam({ name: 'enrichmentId', format: 'uuid' })
  @ApiOkResponse({ type: EnrichmentResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'CONFLICT: pending, processing or finished' })
  @ApiPaymentRequiredResponse({ type: ErrorEnvelopeDto, description: 'INSUFFICIENT_CREDITS' })
  retry(
    @Param('enrichmentId', UuidParamPipe) enrichmentId: string,
    @CurrentUser() admin: AuthUser,
  ): Promise<EnrichmentResponseDto> {
    return this.admin.retryEnrichment(admin, enrichmentId);
  }

  @Post('operations/:operationId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Cancel any organisation's operation (what has not started); audited" })
  @ApiParam({ name: 'operationId', format: 'uuid' })
  @ApiOkResponse({ type: OperationResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND' })
  cancel(
    @Param('operationId', UuidParamPipe) operationId: string,
    @CurrentUser() admin: AuthUser,
  ): Promise<OperationResponseDto> {
    return this.admin.cancelOperation(admin, operationId);
  }

  @Get('audit')
  @ApiOperation({ summary: 'The audit log of admin actions, newest first' })
  @ApiOkResponse({ type: AuditPageResponseDto })
  audit(@Query() query: AuditQueryRequestDto): Promise<AuditPageResponseDto> {
    return this.admin.auditLog(query);
  }
}
