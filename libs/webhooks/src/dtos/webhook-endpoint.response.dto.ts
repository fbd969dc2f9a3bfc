import { ApiProperty } from '@nestjs/swagger';
import { WebhookEventType } from '../webhook.types';

/** An endpoint as listed: the secret is never shown again after creation. */
export class WebhookEndpointResponseDto {
  @ApiProperty({ format: 'uuid', example: '7d7f2b1e-3c4a-4b5d-8e9f-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ example: 'https://hooks.example.com/enrichment' })
  url: string;

  @ApiProperty({ enum: WebhookEventType, isArray: true, example: [WebhookEventType.OPERATION_COMPLETED] })
  events: WebhookEventType[];

  @ApiProperty({ format: 'date-time', example: '2025-01-15T10:30:00.000Z' })
  createdAt: string;
}

/** The answer to a registration: the only time the secret is shown. */
export class CreatedWebhookEndpointResponseDto extends WebhookEndpointResponseDto {
  @ApiProperty({
    description: 'The signing secret. Store it now: it is not shown again.',
    example: 'whsec_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
  })
  secret: string;
}
