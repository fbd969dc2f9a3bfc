/** Whose spending a limit caps: the whole org, one user (token `sub`), or one API key. */
export enum SpendScope {
  ORG = 'org',
  USER = 'user',
  API_KEY = 'api_key',
}

/** UTC calendar periods. */
export enum SpendPeriod {
  DAY = 'day',
  MONTH = 'month',
}

/** The scope a request's own `maxCredits` cap is reported under. */
export const REQUEST_SCOPE = 'request' as const;

/** Who a hold is charged to, for the limits that apply to it. */
export interface SpendSubjects {
  orgId: string;
  userId: string;
  apiKeyId?: string | null;
}

/** A limit as the API shows it, with where its current period stands. */
export interface SpendLimitStatus {
  limitId: string;
  scope: SpendScope;
  subjectId: string | null;
  period: SpendPeriod;
  limit: number;
  spent: number;
  remaining: number;
  resetsAt: string;
}

export interface SpendLimitView extends SpendLimitStatus {
  createdAt: string;
}

export interface CreateSpendLimit {
  orgId: string;
  scope: SpendScope;
  subjectId: string | null;
  period: SpendPeriod;
  limit: number;
  createdBy: string;
}
