import { AppException, ErrorCode } from '@app/core';
import { REQUEST_SCOPE, SpendLimitStatus } from './spend-limit.types';

export interface SpendLimitExceededDetails {
  limitId: string | null;
  scope: SpendLimitStatus['scope'] | typeof REQUEST_SCOPE;
  subjectId: string | null;
  period: SpendLimitStatus['period'] | null;
  limit: number;
  spent: number;
  required: number;
  resetsAt: string | null;
}

export class SpendLimitExceededException extends AppException {
  constructor(details: SpendLimitExceededDetails) {
    const what =
      details.scope === REQUEST_SCOPE
        ? `the request's maxCredits of ${details.limit}`
        : `the ${details.period}ly ${details.scope} spend limit of ${details.limit} (${details.spent} spent)`;
    super(ErrorCode.SPEND_LIMIT_EXCEEDED, `This request needs ${details.required} credits, more than ${what}`, {
      ...details,
    });
  }

  static forMaxCredits(maxCredits: number, required: number): SpendLimitExceededException {
    return new SpendLimitExceededException({
      limitId: null,
      scope: REQUEST_SCOPE,
      subjectId: null,
      period: null,
      limit: maxCredits,
      spent: 0,
      required,
      resetsAt: null,
    });
  }

  static forLimit(limit: SpendLimitStatus, required: number): SpendLimitExceededException {
    const { limitId, scope, subjectId, period, spent, resetsAt } = limit;
    return new SpendLimitExceededException({
      limitId,
      scope,
      subjectId,
      period,
      limit: limit.limit,
      spent,
      required,
      resetsAt,
    });
  }
}
