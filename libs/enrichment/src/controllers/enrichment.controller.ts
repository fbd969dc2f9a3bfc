import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPaymentRequiredResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@app/auth';
import { ErrorEnvelopeDto } from '@app/core';
import { BatchQueryRequestDto } from '../dtos/batch-query.request.dto';
import { BulkEnrichmentRequestDto } from '../dtos/bulk-enrichment.request.dto';
import { EnrichmentResponseDto } from '../dtos/enrichment.response.dto';
import { EnrichmentQueryService } from '../services/enrichment-query.service';
import { EnrichmentRequestService } from '../services/enrichment-request.service';
import { BULK_REQUEST_EXAMPLES } from './enrichment.examples';

@ApiTags('enrichment')
@ApiBearerAuth()
@ApiBadRequestResponse({
  type: ErrorEnvelopeDto,
  description: 'VALIDATION_ERROR: invalid body, missing or invalid fields',
})
@ApiUnauthorizedResponse({ type: ErrorEnvelopeDto, description: 'UNAUTHORIZED: missing or invalid authentication' })
@ApiInternalServerErrorResponse({ type: ErrorEnvelopeDto, description: 'INTERNAL_ERROR, with a request id' })
@Controller('api/v1/operations/enrichment')
export class EnrichmentController {
  constructor(
    private readonly requests: EnrichmentRequestService,
    private readonly queries: EnrichmentQueryService,
  ) {}

  @Post('bulk')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Enrich a selection of leads with work emails or phone numbers',
    description:
      'Holds the credits for every lead not already enriched (or answers 402 and changes nothing), ' +
      'queues the lookups and returns one enrichment object per selected lead, reused or new, in selection order. ' +
      'Poll them with POST /api/v1/operations/enrichment/batch/query.',
  })
  @ApiBody({ type: BulkEnrichmentRequestDto, examples: BULK_REQUEST_EXAMPLES })
  @ApiCreatedResponse({
    type: [EnrichmentResponseDto],
    description: 'The enrichments, reused and new, in selection order',
  })
  @ApiPaymentRequiredResponse({
    type: ErrorEnvelopeDto,
    description: 'INSUFFICIENT_CREDITS: details carry `required` and `available`; nothing was written',
  })
  bulk(@Body() body: BulkEnrichmentRequestDto, @CurrentUser() user: AuthUser): Promise<EnrichmentResponseDto[]> {
    return this.requests.enrichSelection({
      orgId: user.orgId,
      userId: user.userId,
      field: body.field,
      selection: body.selection,
    });
  }

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
}
