import { HttpException } from '@nestjs/common';
import { ERROR_STATUS, ErrorCode } from './error-code';

export type ErrorDetails = Record<string, unknown> | null;

/** The one exception type the API raises on purpose; the global filter renders it as the envelope. */
export class AppException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = null,
  ) {
    super(message, ERROR_STATUS[code]);
  }
}

export class ValidationException extends AppException {
  constructor(message: string, details: ErrorDetails = null) {
    super(ErrorCode.VALIDATION_ERROR, message, details);
  }
}

export class NotFoundAppException extends AppException {
  constructor(message: string, details: ErrorDetails = null) {
    super(ErrorCode.NOT_FOUND, message, details);
  }
}
