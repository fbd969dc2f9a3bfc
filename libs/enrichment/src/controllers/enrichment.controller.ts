import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPaymentRequiredResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyScope, AuthUser, CurrentUser, RequireScopes } from '@app/auth';
import { ErrorEnvelopeDto, Idempotent, UuidParamPipe } from '@app/core';
import { BatchEnrichmentRequestDto } from '../dtos/batch-enrichment.request.dto';
import { BatchQueryRequestDto } from '../dtos/batch-query.request.dto';
import { BulkEnrichmentRequestDto } from '../dtos/bulk-enrichment.request.dto';
import { DryRunResponseDto } from '../dtos/dry-run.response.dto';
import { DryRunQueryDto, FieldQueryDto } from '../dtos/enrichment-options.request.dto';
import { EnrichmentWithDataResponseDto } from '../dtos/enrichment-with-data.response.dto';
import { EnrichmentResponseDto } from '../dtos/enrichment.response.dto';
import { OperationItemsRequestDto } from '../dtos/operation-items.request.dto';
import { OperationItemsPageResponseDto } from '../dtos/operation-items.response.dto';
import { OperationResponseDto } from '../dtos/operation.response.dto';
import { OperationItemsReadModel } from '../read-models/operation-items.read-model';
import { OperationProgressReadModel } from '../read-models/operation-progress.read-model';
import { operationHeaders } from '../enrichment.mapper';
import { OperationKind } from '../enrichment.types';
import { EnrichmentOperationsService } from '../services/enrichment-operations.service';
import { EnrichmentQueryService } from '../services/enrichment-query.service';
import { EnrichmentRequestResult, EnrichmentRequestService } from '../services/enrichment-request.service';
import { BULK_REQUEST_EXAMPLES } from './enrichment.examples';

const BASE = 'api/v1/operations/enrichment';

const INSUFFICIENT_CREDITS = {
  type: ErrorEnvelopeDto,
  description:
    'INSUFFICIENT_CREDITS: details carry `required` and `available`; SPEND_LIMIT_EXCEEDED (extension): a spend ' +
    'limit or `maxCredits` would be passed, details carry `limitId, scope, subjectId, period, limit, spent, required, ' +
    'resetsAt`. Either way nothing was written',
};

const OPERATION_HEADERS = {
  Location: { description: 'The operation resource of this request', schema: { type: 'string' } },
  'X-Operation-Id': { description: 'The operation id', schema: { type: 'string', format: 'uuid' } },
};

/** A dry run answers 200 with the preview; a real request 201 with the enrichments. */
const ENRICHMENTS_OR_DRY_RUN = {
  description:
    'The enrichments, reused and new, in selection order. With `dryRun=true` the answer is 200 with the preview instead.',
  headers: OPERATION_HEADERS,
  type: [EnrichmentResponseDto] as [typeof EnrichmentResponseDto],
};

@ApiTags('enrichment')
@Controller(BASE)
export class EnrichmentController {
  constructor(
    private readonly requests: EnrichmentRequestService,
    private readonly queries: EnrichmentQueryService,
    private readonly operations: EnrichmentOperationsService,
    private readonly operationItems: OperationItemsReadModel,
    private readonly operationProgress: OperationProgressReadModel,
  ) {}

  @RequireScopes(ApiKeyScope.ENRICHMENT_WRITE)
  @Post('bulk')
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Enrich a selection of leads with work emails or phone numbers',
    description:
      'Holds the credits for every lead not already enriched (or answers 402 and changes nothing), ' +
      'queues the lookups and returns one enrichment object per selected lead, reused or new, in selection order. ' +
      'Poll them with POST /api/v1/operations/enrichment/batch/query or follow the operation in `Location`.',
  })
  @ApiBody({ type: BulkEnrichmentRequestDto, examples: BULK_REQUEST_EXAMPLES })
  @ApiCreatedResponse(ENRICHMENTS_OR_DRY_RUN)
  @ApiOkResponse({ type: DryRunResponseDto, description: 'dryRun=true: what the request would select and cost' })
  @ApiPaymentRequiredResponse(INSUFFICIENT_CREDITS)
  async bulk(
    @Body() body: BulkEnrichmentRequestDto,
    @Query() query: DryRunQueryDto,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EnrichmentResponseDto[] | DryRunResponseDto> {
    const command = {
      orgId: user.orgId,
      userId: user.userId,
      apiKeyId: user.apiKeyId,
      maxCredits: body.maxCredits,
      field: body.field,
      selection: body.selection,
    };
    if (query.dryRun) {
      res.status(HttpStatus.OK);
      return this.requests.previewSelection({ ...command, operationKind: null });
    }
    return this.withOperationHeaders(
      res,
      await this.requests.enrichSelection({ ...command, operationKind: OperationKind.BULK }),
    );
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_WRITE)
  @Post('batch')
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Enrich up to 100 leads by id',
    description: 'The same semantics as bulk in manual mode: reuse, hold, 402, queue.',
  })
  @ApiCreatedResponse(ENRICHMENTS_OR_DRY_RUN)
  @ApiOkResponse({ type: DryRunResponseDto, description: 'dryRun=true: what the request would select and cost' })
  @ApiPaymentRequiredResponse(INSUFFICIENT_CREDITS)
  async batch(
    @Body() body: BatchEnrichmentRequestDto,
    @Query() query: DryRunQueryDto,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EnrichmentResponseDto[] | DryRunResponseDto> {
    const command = {
      orgId: user.orgId,
      userId: user.userId,
      apiKeyId: user.apiKeyId,
      maxCredits: body.maxCredits,
      field: body.field,
      selection: { mode: 'manual' as const, includedIds: body.personIds },
      idsField: 'personIds',
    };
    if (query.dryRun) {
      res.status(HttpStatus.OK);
      return this.requests.previewSelection({ ...command, operationKind: null });
    }
    return this.withOperationHeaders(
      res,
      await this.requests.enrichSelection({ ...command, operationKind: OperationKind.BATCH }),
    );
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_READ)
  @Post('batch/query')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Poll the organisation's enrichments for up to 200 (lead, field) tasks",
    description: 'Tasks without an enrichment record are left out of the answer.',
  })
  @ApiOkResponse({ type: [EnrichmentResponseDto] })
  query(@Body() body: BatchQueryRequestDto, @CurrentUser() user: AuthUser): Promise<EnrichmentResponseDto[]> {
    return this.queries.findForTasks(user.orgId, body.tasks);
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_READ)
  @Get('operations/:operationId')
  @ApiOperation({ summary: 'Progress of a bulk or batch request' })
  @ApiParam({ name: 'operationId', format: 'uuid' })
  @ApiOkResponse({ type: OperationResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: no such operation in this organisation' })
  operation(
    @Param('operationId', UuidParamPipe) operationId: string,
    @CurrentUser() user: AuthUser,
  ): Promise<OperationResponseDto> {
    return this.operationProgress.progress(operationId, user.orgId);
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_READ)
  @Get('operations/:operationId/items')
  @ApiOperation({
    summary: 'Every lead of an operation, as invoice lines',
    description:
      'Extension: in selection order, each lead with its status, dataFound, what this operation was charged for it ' +
      '(0 when reused) and which provider answered, with its receipt; paged (`page` from 0, `size` 1–1000).',
  })
  @ApiParam({ name: 'operationId', format: 'uuid' })
  @ApiOkResponse({ type: OperationItemsPageResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: no such operation in this organisation' })
  items(
    @Param('operationId', UuidParamPipe) operationId: string,
    @Query() query: OperationItemsRequestDto,
    @CurrentUser() user: AuthUser,
  ): Promise<OperationItemsPageResponseDto> {
    return this.operationItems.page(operationId, user.orgId, query.page, query.size);
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_WRITE)
  @Post('operations/:operationId/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel what has not started',
    description:
      'Pending enrichments this operation created become `cancelled` and their held credits are released at once; ' +
      'those already processing finish as usual. Cancelling again, or a completed operation, changes nothing.',
  })
  @ApiParam({ name: 'operationId', format: 'uuid' })
  @ApiOkResponse({ type: OperationResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: no such operation in this organisation' })
  cancel(
    @Param('operationId', UuidParamPipe) operationId: string,
    @CurrentUser() user: AuthUser,
  ): Promise<OperationResponseDto> {
    return this.operations.cancel(operationId, user.orgId);
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_WRITE)
  @Post(':personId')
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Enrich one lead', description: 'Reuse, hold, 402 and queue as for bulk.' })
  @ApiParam({ name: 'personId', format: 'uuid', example: '550e8400-e29b-41d4-a716-446655440001' })
  @ApiCreatedResponse({ type: EnrichmentResponseDto })
  @ApiPaymentRequiredResponse(INSUFFICIENT_CREDITS)
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: no such lead' })
  async enrichOne(
    @Param('personId', UuidParamPipe) personId: string,
    @Query() query: FieldQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<EnrichmentResponseDto> {
    return this.requests.enrichOne({
      orgId: user.orgId,
      userId: user.userId,
      apiKeyId: user.apiKeyId,
      field: query.field,
      leadId: personId,
    });
  }

  @RequireScopes(ApiKeyScope.ENRICHMENT_READ)
  @Get(':personId')
  @ApiOperation({
    summary: "This organisation's enrichment of one lead, with the data found",
    description: 'Emails carry their verification status, phones their type (mobile, direct, office).',
  })
  @ApiParam({ name: 'personId', format: 'uuid', example: '550e8400-e29b-41d4-a716-446655440001' })
  @ApiOkResponse({ type: EnrichmentWithDataResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto, description: 'NOT_FOUND: this organisation has no such enrichment' })
  findOne(
    @Param('personId', UuidParamPipe) personId: string,
    @Query() query: FieldQueryDto,
    @CurrentUser() user: AuthUser,
  ): Promise<EnrichmentWithDataResponseDto> {
    return this.queries.findOneWithData(user.orgId, personId, query.field);
  }

  private withOperationHeaders(res: Response, result: EnrichmentRequestResult): EnrichmentResponseDto[] {
    if (result.operationId) {
      for (const [name, value] of Object.entries(operationHeaders(result.operationId))) res.setHeader(name, value);
    }
    return result.enrichments;
  }
}
