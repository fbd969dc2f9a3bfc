import { ValidationPipe } from '@nestjs/common';
import { ValidationException } from '../errors/app.exception';
import { flattenValidationErrors } from '../errors/validation-details';
import { memoizeValidationMetadata } from './validation-metadata.cache';

/**
 * Unknown properties are errors, never silently dropped: an ignored filter would enrich the
 * wrong people and spend the customer's money.
 */
export function createValidationPipe(): ValidationPipe {
  memoizeValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ValidationException('Request validation failed', { fields: flattenValidationErrors(errors) }),
  });
}
