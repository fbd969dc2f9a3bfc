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
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { WebhookEventType } from '../webhook.types';

export class CreateWebhookRequestDto {
  @ApiProperty({
    description:
      'Where events are POSTed: http or https, no credentials. In production, internal addresses ' +
      '(loopback, private, link-local) are refused unless WEBHOOK_ALLOW_PRIVATE_URLS=true.',
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
      'The HMAC key deliveries are signed with: 16-256 printable ASCII characters without spaces. ' +
      'When omitted a strong one is generated. Returned once, in this response only.',
    minLength: 16,
    maxLength: 256,
    example: 'whsec_4f1c2b9e0d8a7c6b5a4f3e2d1c0b9a8f',
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  @Matches(/^[\x21-\x7e]+$/, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({
    description: 'The event types to receive; all of them when omitted',
    enum: WebhookEventType,
    isArray: true,
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
