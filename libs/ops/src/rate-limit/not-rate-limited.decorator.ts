import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

/** OpenAPI extension that marks an operation as exempt from the API rate limit. */
export const NOT_RATE_LIMITED_EXTENSION = 'x-not-rate-limited';

/**
 * Exempts a route (or controller) from the per-org rate limit and says so in the OpenAPI
 * document, so the 429 is documented exactly where it can happen. For probes and scrapers
 * (health, metrics) and the admin dashboard, whose polling must not eat a budget.
 */
export const NotRateLimited = () => applyDecorators(SkipThrottle(), ApiExtension(NOT_RATE_LIMITED_EXTENSION, true));

/** The headers every rate-limited response carries (the 429 adds Retry-After), for the OpenAPI document. */
export const RATE_LIMIT_RESPONSE_HEADERS = {
  'Retry-After': { description: 'Seconds until a request is accepted again', schema: { type: 'integer' } },
  'RateLimit-Limit': { description: 'Requests allowed per window', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

/** Whether an OpenAPI operation can answer 429 (it was not marked with @NotRateLimited()). */
export function isRateLimited(operation: object): boolean {
  return !(NOT_RATE_LIMITED_EXTENSION in operation);
}
