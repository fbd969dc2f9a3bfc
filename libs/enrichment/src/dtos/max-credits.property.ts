import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * `maxCredits`, an extension of the reference contract: the most this request may hold. A
 * request that would hold more is a 402 SPEND_LIMIT_EXCEEDED (scope `request`) and changes nothing.
 */
export const MaxCreditsProperty = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'Extension: the most credits this request may hold; a request that would hold more is a 402 ' +
        'SPEND_LIMIT_EXCEEDED (details.scope `request`) and changes nothing',
      type: 'integer',
      minimum: 0,
      maximum: 1e12,
      example: 500,
    }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(1e12),
  );
