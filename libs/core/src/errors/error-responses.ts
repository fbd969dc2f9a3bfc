import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS, ErrorCode } from './error-code';

/** How one error code is documented: its own envelope schema (details typed) and one example. */
export interface ErrorResponseDoc {
  code: ErrorCode;
  /** The component name of its envelope, e.g. `InsufficientCreditsError`. */
  schemaName: string;
  description: string;
  details: SchemaObject;
  example: { message: string; details: Record<string, unknown> | null };
}

/** Codes that carry no details today: an object may carry context later (additive). */
const NO_DETAILS: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: true,
  description: 'null for this code',
};

const FIELD_PROBLEM: SchemaObject = {
  type: 'object',
  required: ['field', 'messages'],
  properties: {
    field: { type: 'string', description: 'Dotted path of the bad input (body, query, path or header)' },
    messages: { type: 'array', items: { type: 'string' }, minItems: 1 },
  },
};

export const ERROR_RESPONSES: Record<ErrorCode, ErrorResponseDoc> = {
  [ErrorCode.VALIDATION_ERROR]: {
    code: ErrorCode.VALIDATION_ERROR,
    schemaName: 'ValidationError',
    description:
      'VALIDATION_ERROR: invalid body, query, path or header; malformed JSON (details null). Nothing was written.',
    details: {
      type: 'object',
      nullable: true,
      required: ['fields'],
      properties: {
        fields: { type: 'array', items: FIELD_PROBLEM, description: 'Every bad input, each with its messages' },
        field: { type: 'string', description: 'Unknown lead ids: the request field that held them' },
        unknownIds: {
          type: 'array',
          items: { type: 'string', format: 'uuid' },
          maxItems: 100,
          description: 'Unknown lead ids: the first 100 of them',
        },
        unknownCount: { type: 'integer', minimum: 1, description: 'Unknown lead ids: how many in all' },
      },
    },
    example: {
      message: 'Request validation failed',
      details: {
        fields: [{ field: 'selection.targetCount', messages: ['targetCount must not be greater than 1000'] }],
      },
    },
  },
  [ErrorCode.UNAUTHORIZED]: {
    code: ErrorCode.UNAUTHORIZED,
    schemaName: 'UnauthorizedError',
    description: 'UNAUTHORIZED: missing, invalid, expired or revoked credentials',
    details: NO_DETAILS,
    example: { message: 'Missing bearer token', details: null },
  },
  [ErrorCode.INSUFFICIENT_CREDITS]: {
    code: ErrorCode.INSUFFICIENT_CREDITS,
    schemaName: 'InsufficientCreditsError',
    description: 'INSUFFICIENT_CREDITS: the balance does not cover the whole request; nothing was written or held',
    details: {
      type: 'object',
      required: ['required', 'available'],
      properties: {
        required: { type: 'integer', minimum: 1, description: 'Credits this request needs' },
        available: { type: 'integer', minimum: 0, description: 'Credits the organisation has available' },
      },
    },
    example: {
      message: 'This request needs 500 credits; 120 are available',
      details: { required: 500, available: 120 },
    },
  },
  [ErrorCode.SPEND_LIMIT_EXCEEDED]: {
    code: ErrorCode.SPEND_LIMIT_EXCEEDED,
    schemaName: 'SpendLimitExceededError',
    description:
      "SPEND_LIMIT_EXCEEDED (extension): a spend limit of the org, user or key, or the request's maxCredits, " +
      'would be passed; nothing was written or held',
    details: {
      type: 'object',
      required: ['limitId', 'scope', 'subjectId', 'period', 'limit', 'spent', 'required', 'resetsAt'],
      properties: {
        limitId: { type: 'string', format: 'uuid', nullable: true, description: "null for the request's maxCredits" },
        scope: { type: 'string', enum: ['org', 'user', 'api_key', 'request'] },
        subjectId: { type: 'string', nullable: true, description: 'The user or key a user/api_key limit is for' },
        period: { type: 'string', enum: ['day', 'month', null], nullable: true },
        limit: { type: 'integer', minimum: 0 },
        spent: { type: 'integer', minimum: 0 },
        required: { type: 'integer', minimum: 1 },
        resetsAt: { type: 'string', format: 'date-time', nullable: true },
      },
    },
    example: {
      message: 'This request needs 500 credits, more than the monthly org spend limit of 2000 (1800 spent)',
      details: {
        limitId: '3f1c2b9e-0d8a-4c6b-9a4f-3e2d1c0b9a8f',
        scope: 'org',
        subjectId: null,
        period: 'month',
        limit: 2000,
        spent: 1800,
        required: 500,
        resetsAt: '2025-02-01T00:00:00.000Z',
      },
    },
  },
  [ErrorCode.FORBIDDEN]: {
    code: ErrorCode.FORBIDDEN,
    schemaName: 'ForbiddenError',
    description: 'FORBIDDEN: the caller is authenticated but lacks the role or scope this route needs',
    details: NO_DETAILS,
    example: { message: 'This route needs the role: owner', details: null },
  },
  [ErrorCode.NOT_FOUND]: {
    code: ErrorCode.NOT_FOUND,
    schemaName: 'NotFoundError',
    description: 'NOT_FOUND: no such resource in this organisation',
    details: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      properties: { id: { type: 'string', description: 'The id that was not found, where there is one' } },
    },
    example: { message: 'No operation 9b2f4c1e-8d3a-4f6b-a1c2-3d4e5f6a7b8c', details: null },
  },
  [ErrorCode.CONFLICT]: {
    code: ErrorCode.CONFLICT,
    schemaName: 'ConflictError',
    description:
      'CONFLICT: the resource is in a state that does not allow this, or the same Idempotency-Key is running',
    details: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      properties: { status: { type: 'string', description: 'The state that prevents the action' } },
    },
    example: { message: 'A request with this Idempotency-Key is still in progress', details: null },
  },
  [ErrorCode.PAYLOAD_TOO_LARGE]: {
    code: ErrorCode.PAYLOAD_TOO_LARGE,
    schemaName: 'PayloadTooLargeError',
    description: 'PAYLOAD_TOO_LARGE: the body exceeds MAX_BODY_SIZE',
    details: NO_DETAILS,
    example: { message: 'Request body is too large', details: null },
  },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: {
    code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    schemaName: 'UnsupportedMediaTypeError',
    description: 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json',
    details: {
      type: 'object',
      nullable: true,
      properties: { contentType: { type: 'string', nullable: true, description: 'The Content-Type that was sent' } },
    },
    example: { message: 'Request bodies must be application/json', details: { contentType: 'text/plain' } },
  },
  [ErrorCode.UNPROCESSABLE]: {
    code: ErrorCode.UNPROCESSABLE,
    schemaName: 'UnprocessableError',
    description: 'UNPROCESSABLE: this Idempotency-Key was used with a different request',
    details: NO_DETAILS,
    example: { message: 'This Idempotency-Key was used with a different request', details: null },
  },
  [ErrorCode.RATE_LIMITED]: {
    code: ErrorCode.RATE_LIMITED,
    schemaName: 'RateLimitedError',
    description:
      "RATE_LIMITED: the organisation's request budget is spent, or (without a valid credential) the client " +
      "address's; retry after Retry-After seconds",
    details: {
      type: 'object',
      required: ['limit', 'windowSeconds', 'retryAfterSeconds'],
      properties: {
        limit: { type: 'integer', minimum: 1, description: 'Requests allowed per window (RATE_LIMIT)' },
        windowSeconds: { type: 'integer', minimum: 1, description: 'The window length' },
        retryAfterSeconds: { type: 'integer', minimum: 0, description: 'When a request is accepted again' },
      },
    },
    example: {
      message: 'Too many requests: the rate limit of this organisation is spent',
      details: { limit: 600, windowSeconds: 60, retryAfterSeconds: 17 },
    },
  },
  [ErrorCode.INTERNAL_ERROR]: {
    code: ErrorCode.INTERNAL_ERROR,
    schemaName: 'InternalError',
    description: 'INTERNAL_ERROR: details carry the request id to quote to support; the cause is only in the log',
    details: {
      type: 'object',
      required: ['requestId'],
      properties: { requestId: { type: 'string', nullable: true, description: 'Quote it to support' } },
    },
    example: { message: 'Internal server error', details: { requestId: 'req-7f3a9c' } },
  },
};

/** The error codes an HTTP status may carry (402: INSUFFICIENT_CREDITS or SPEND_LIMIT_EXCEEDED). */
export function errorResponsesForStatus(status: number): ErrorResponseDoc[] {
  return Object.values(ERROR_RESPONSES).filter((doc) => ERROR_STATUS[doc.code] === status);
}

/** The envelope schema of one code: `{"error": {"code", "message", "details"}}` with that code's details. */
export function errorEnvelopeSchema(doc: ErrorResponseDoc): SchemaObject {
  return {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: {
          code: { type: 'string', enum: [doc.code] },
          message: { type: 'string', description: 'For people; may change' },
          details: doc.details,
        },
      },
    },
  };
}
