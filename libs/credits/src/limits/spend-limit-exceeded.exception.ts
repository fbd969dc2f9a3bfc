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
  /**
   * @param exceeded every limit the request would pass (the details name the first): each of
   *   them refused it, so each is `spend_limit.reached`. Empty for the request's own cap.
   */
  constructor(
    details: SpendLimitExceededDetails,
    readonly exceeded: readonly SpendLimitStatus[] = [],
  ) {
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

  /** The first limit is the one the 402 names (org before user before key). */
  static forLimits(exceeded: readonly SpendLimitStatus[], required: number): SpendLimitExceededException {
    const { limitId, scope, subjectId, period, spent, resetsAt, limit } = exceeded[0];
    return new SpendLimitExceededException(
      { limitId, scope, subjectId, period, limit, spent, required, resetsAt },
      exceeded,
    );
  }
}
