import { AppException, ErrorCode } from '@app/core';

export class InsufficientCreditsException extends AppException {
  constructor(required: number, available: number) {
    super(ErrorCode.INSUFFICIENT_CREDITS, `This request needs ${required} credits; ${available} are available`, {
      required,
      available,
    });
  }
}
