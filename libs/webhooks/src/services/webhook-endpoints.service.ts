import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  AppConfig,
  AppException,
  ErrorCode,
  NotFoundAppException,
  runInTransaction,
  ValidationException,
} from '@app/core';
import { CreatedWebhookEndpointResponseDto, WebhookEndpointResponseDto } from '../dtos/webhook-endpoint.response.dto';
import { WebhookDeliveryResponseDto } from '../dtos/webhook-delivery.response.dto';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { ALL_WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook.types';
import { generateWebhookSecret } from './webhook-signature';
import { urlProblem } from './webhook-url-policy';

export interface CreateWebhookCommand {
  orgId: string;
  url: string;
  secret?: string;
  events?: WebhookEventType[];
}

const DEFAULT_DELIVERY_LIMIT = 100;

function toView(endpoint: WebhookEndpointEntity): WebhookEndpointResponseDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

/** The org's endpoints and their delivery log, always scoped to the caller's org. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    private readonly config: AppConfig,
  ) {}

  async create(command: CreateWebhookCommand): Promise<CreatedWebhookEndpointResponseDto> {
    const problem = urlProblem(command.url, this.config.WEBHOOK_ALLOW_PRIVATE_URLS);
    if (problem)
      throw new ValidationException('Invalid webhook URL', { fields: [{ field: 'url', messages: [problem] }] });
    const limit = this.config.WEBHOOK_MAX_ENDPOINTS_PER_ORG;
    const saved = await runInTransaction(this.endpoints.manager.connection, async (manager) => {
      // Counted and inserted under a per-org lock, so concurrent registrations cannot pass the cap.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('webhook-endpoints'), hashtext($1))`, [command.orgId]);
      const registered = await manager.count(WebhookEndpointEntity, { where: { orgId: command.orgId } });
      if (registered >= limit) {
        throw new AppException(
          ErrorCode.CONFLICT,
          `This organisation already has ${registered} webhook endpoints, the most allowed (WEBHOOK_MAX_ENDPOINTS_PER_ORG); delete one first`,
          { reason: 'webhook_endpoint_limit', limit, registered },
        );
      }
      return manager.save(
        manager.create(WebhookEndpointEntity, {
          orgId: command.orgId,
          url: command.url,
          secret: command.secret ?? generateWebhookSecret(),
          events: command.events ?? [...ALL_WEBHOOK_EVENT_TYPES],
        }),
      );
    });
    return { ...toView(saved), secret: saved.secret };
  }

  async list(orgId: string): Promise<WebhookEndpointResponseDto[]> {
    const rows = await this.endpoints.find({ where: { orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toView);
  }

  /** Deletes the endpoint with its events and delivery log; its queued jobs then find nothing to do. */
  async remove(orgId: string, id: string): Promise<void> {
    const result = await this.endpoints.delete({ id, orgId });
    if (!result.affected) throw this.notFound(id);
  }

  async listDeliveries(
    orgId: string,
    id: string,
    limit = DEFAULT_DELIVERY_LIMIT,
  ): Promise<WebhookDeliveryResponseDto[]> {
    if (!(await this.endpoints.exists({ where: { id, orgId } }))) throw this.notFound(id);
    const rows = await this.deliveries
      .createQueryBuilder('d')
      .innerJoin('d.event', 'e')
      .select([
        'd.id AS id',
        'd.event_id AS event_id',
        'e.type AS event_type',
        'd.attempt AS attempt',
        'd.status AS status',
        'd.response_status AS response_status',
        'd.error AS error',
        'd.duration_ms AS duration_ms',
        'd.created_at AS created_at',
      ])
      .where('d.endpoint_id = :id', { id })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.attempt', 'DESC')
      .limit(limit)
      .getRawMany<{
        id: string;
        event_id: string;
        event_type: WebhookEventType;
        attempt: number;
        status: WebhookDeliveryResponseDto['status'];
        response_status: number | null;
        error: string | null;
        duration_ms: number | null;
        created_at: Date;
      }>();
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      eventType: row.event_type,
      attempt: row.attempt,
      status: row.status,
      responseStatus: row.response_status,
      error: row.error,
      durationMs: row.duration_ms,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /** The same answer for "does not exist" and "belongs to another org": ids leak nothing. */
  private notFound(id: string): NotFoundAppException {
    return new NotFoundAppException('Webhook endpoint not found', { id });
  }
}
