import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { isWebhookSecret } from '../services/webhook-signature';
import { WebhookEventType } from '../webhook.types';

export class CreateWebhookRequestDto {
  @ApiProperty({
    description:
      'Where events are POSTed: http or https, no credentials. In production, internal addresses ' +
      '(loopback, private, link-local) are refused unless WEBHOOK_ALLOW_PRIVATE_URLS=true.',
    format: 'uri',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    maxLength: 2048,
    example: 'https://hooks.example.com/enrichment',
  })
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true },
    { message: 'url must be an absolute http or https URL' },
  )
  url: string;

  @ApiPropertyOptional({
    description:
      'The signing key in Standard Webhooks form: `whsec_` and the standard base64 of 24 to 64 random bytes. ' +
      'When omitted a strong one (32 bytes) is generated. Returned once, in this response only.',
    // The same rule as isWebhookSecret: standard base64 of 24-64 bytes (3 bytes per group of four characters).
    pattern:
      '^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{3}=|(?:[A-Za-z0-9+/]{4}){8,21}[A-Za-z0-9+/]{2}==)$',
    maxLength: 256,
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @ValidateBy({
    name: 'isWebhookSecret',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isWebhookSecret(value),
      defaultMessage: () => 'secret must be whsec_ followed by the base64 of 24 to 64 bytes',
    },
  })
  secret?: string;

  @ApiPropertyOptional({
    description: 'The event types to receive; all of them when omitted',
    enum: WebhookEventType,
    isArray: true,
    minItems: 1,
    maxItems: 10,
    uniqueItems: true,
    example: [WebhookEventType.OPERATION_COMPLETED],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEnum(WebhookEventType, { each: true })
  events?: WebhookEventType[];
}
