import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyScope } from '../api-key-scope';

/** A key as listed: never its secret. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-5d4a-4e6f-9a8b-7c6d5e4f3a2b' })
  id: string;

  @ApiProperty({ example: 'CRM sync' })
  name: string;

  @ApiProperty({
    description: 'The first characters of the secret, to tell keys apart (not secret)',
    example: 'ce_live_Xk3v9Q',
  })
  prefix: string;

  @ApiProperty({
    enum: ApiKeyScope,
    isArray: true,
    example: [ApiKeyScope.ENRICHMENT_WRITE, ApiKeyScope.ENRICHMENT_READ],
  })
  scopes: ApiKeyScope[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt: string | null;

  @ApiProperty({ description: 'The user who created the key', example: 'user_2abc123' })
  createdBy: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-30T10:30:00.000Z' })
  createdAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last authenticated request, to the minute',
    example: '2026-11-30T11:02:00.000Z',
  })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revokedAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until when the secret replaced by the last rotation still works',
    example: null,
  })
  previousSecretExpiresAt: string | null;
}

/** The answer to creating or rotating a key: the only time the secret is shown. */
export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({
    description: 'The secret. Store it now: it is not shown again. Send it as `X-API-Key` or `Authorization: Bearer`.',
    example: 'ce_live_Xk3v9QnR2m8TqLw5yZ0aBcDeFgHiJkLmNoPqRsTuVwX',
  })
  secret: string;
}
