import { ApiProperty } from '@nestjs/swagger';
import { WebhookDeliveryStatus, WebhookEventType } from '../webhook.types';

/** One delivery attempt of one event to the endpoint. */
export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid', example: '0b6f0a0e-8d2c-4c49-9a55-3f1a2e7d9c10' })
  id: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The event id, sent as `Webhook-Id`; the same on every attempt of the event',
    example: '5c3e9a8b-1f2d-4e6a-9b7c-8d0e1f2a3b4c',
  })
  eventId: string;

  @ApiProperty({ enum: WebhookEventType, example: WebhookEventType.OPERATION_COMPLETED })
  eventType: WebhookEventType;

  @ApiProperty({ type: 'integer', description: 'Attempt number of the event, from 1', example: 1 })
  attempt: number;

  @ApiProperty({
    enum: WebhookDeliveryStatus,
    description: '`pending` while the request is in flight; `succeeded` on a 2xx answer',
    example: WebhookDeliveryStatus.SUCCEEDED,
  })
  status: WebhookDeliveryStatus;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The receiver's HTTP status, if it answered",
    example: 200,
  })
  responseStatus: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why the attempt failed without an answer (timeout, connection refused...)',
    example: null,
  })
  error: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 42 })
  durationMs: number | null;

  @ApiProperty({ format: 'date-time', example: '2025-01-15T10:30:01.000Z' })
  createdAt: string;
}
