import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ALL_API_KEY_SCOPES, ApiKeyScope } from '../api-key-scope';

export class CreateApiKeyRequestDto {
  @ApiProperty({
    description: 'What the key is for, shown in listings',
    minLength: 1,
    maxLength: 100,
    example: 'CRM sync',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({
    description: 'What the key may do; all four scopes when omitted',
    enum: ApiKeyScope,
    isArray: true,
    minItems: 1,
    maxItems: ALL_API_KEY_SCOPES.length,
    uniqueItems: true,
    example: [ApiKeyScope.ENRICHMENT_WRITE, ApiKeyScope.ENRICHMENT_READ],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ALL_API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsEnum(ApiKeyScope, { each: true })
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({
    description: 'When the key stops working (ISO 8601, in the future); never when omitted',
    format: 'date-time',
    example: '2027-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}
