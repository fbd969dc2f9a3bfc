import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { ApiKeyScope, AuthUser, CurrentUser, OwnerController } from '@app/auth';
import { ErrorEnvelopeDto, UuidParamPipe } from '@app/core';
import { CreateWebhookRequestDto } from '../dtos/create-webhook.request.dto';
import { ListDeliveriesRequestDto } from '../dtos/list-deliveries.request.dto';
import { WebhookDeliveryResponseDto } from '../dtos/webhook-delivery.response.dto';
import { CreatedWebhookEndpointResponseDto, WebhookEndpointResponseDto } from '../dtos/webhook-endpoint.response.dto';
import { WebhookEndpointsService } from '../services/webhook-endpoints.service';

const ID_PARAM = { name: 'id', format: 'uuid', description: 'The webhook endpoint id' } as const;
const NOT_FOUND = { type: ErrorEnvelopeDto, description: "NOT_FOUND: no such endpoint in the caller's org" };

// Managing webhooks is an owner's job; a partner's key may do it with the webhooks:write scope.
@OwnerController('api/v1/webhooks', { tag: 'webhooks', scopes: [ApiKeyScope.WEBHOOKS_WRITE] })
export class WebhooksController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Register an endpoint for signed event deliveries',
    description:
      'The answer carries the signing secret, generated when none is given: it is shown this once. ' +
      'Deliveries are POSTs signed as Standard Webhooks specifies: `Webhook-Signature: v1,<base64 HMAC-SHA256 of ' +
      '"<Webhook-Id>.<Webhook-Timestamp>.<body>" keyed with the base64-decoded secret after whsec_>`.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointResponseDto })
  @ApiConflictResponse({
    type: ErrorEnvelopeDto,
    description:
      'CONFLICT: the organisation has WEBHOOK_MAX_ENDPOINTS_PER_ORG endpoints already ' +
      '(`details: {reason: "webhook_endpoint_limit", limit, registered}`); delete one first',
  })
  create(
    @Body() body: CreateWebhookRequestDto,
    @CurrentUser() user: AuthUser,
  ): Promise<CreatedWebhookEndpointResponseDto> {
    return this.endpoints.create({ orgId: user.orgId, url: body.url, secret: body.secret, events: body.events });
  }

  @Get()
  @ApiOperation({ summary: "The organisation's endpoints (secrets are never shown again)" })
  @ApiOkResponse({ type: [WebhookEndpointResponseDto] })
  list(@CurrentUser() user: AuthUser): Promise<WebhookEndpointResponseDto[]> {
    return this.endpoints.list(user.orgId);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an endpoint, its pending deliveries and its delivery log' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse(NOT_FOUND)
  remove(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.endpoints.remove(user.orgId, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The endpoint's delivery attempts, most recent first" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: [WebhookDeliveryResponseDto] })
  @ApiNotFoundResponse(NOT_FOUND)
  deliveries(
    @Param('id', UuidParamPipe) id: string,
    @Query() query: ListDeliveriesRequestDto,
    @CurrentUser() user: AuthUser,
  ): Promise<WebhookDeliveryResponseDto[]> {
    return this.endpoints.listDeliveries(user.orgId, id, query.limit);
  }
}
