import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { HealthCheckStatus, HealthIndicatorResult } from '@nestjs/terminus';

/** One dependency's state; extra keys are indicator-specific context. */
const INDICATOR: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'], example: 'up' },
    message: { type: 'string', example: 'Redis did not answer' },
  },
  additionalProperties: true,
};

/** The body @nestjs/terminus answers with, 200 and 503 alike. */
export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: HealthCheckStatus;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: INDICATOR,
    description: 'The dependencies that are up',
  })
  info?: Partial<HealthIndicatorResult>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: INDICATOR,
    description: 'The dependencies that are down',
  })
  error?: Partial<HealthIndicatorResult>;

  @ApiProperty({
    type: 'object',
    additionalProperties: INDICATOR,
    description: 'Every dependency checked',
    example: { database: { status: 'up' }, redis: { status: 'up' } },
  })
  details: HealthIndicatorResult;
}
