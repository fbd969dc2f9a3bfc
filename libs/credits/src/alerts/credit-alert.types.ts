import { SpendLimitStatus } from '../limits/spend-limit.types';

/**
 * `data` of a `credits.low` event: `available` dropped below the org's `lowBalanceThreshold`.
 * Sent once per crossing: no other until a change leaves `available` at or above the
 * threshold again (re-armed), then the next drop below sends one again.
 */
export interface CreditsLowData {
  organizationId: string;
  /** Available credits right after the change that crossed the threshold. */
  available: number;
  /** Held by work in progress: what releases may still bring back. */
  held: number;
  threshold: number;
}

/** `data` of a `credits.depleted` event: `available` reached 0. Once per crossing; re-armed above 0. */
export interface CreditsDepletedData {
  organizationId: string;
  available: number;
  held: number;
}

/** Why a spend limit was reached: it refused a request, or a hold used it up exactly. */
export enum SpendLimitReachedReason {
  REFUSED = 'refused',
  EXHAUSTED = 'exhausted',
}

/**
 * `data` of a `spend_limit.reached` event: a limit refused a request (402
 * SPEND_LIMIT_EXCEEDED) or a hold brought its `spent` to exactly its `limit`. Once per limit and
 * period, whichever comes first.
 */
export interface SpendLimitReachedData {
  organizationId: string;
  limitId: string;
  scope: SpendLimitStatus['scope'];
  subjectId: string | null;
  period: SpendLimitStatus['period'];
  limit: number;
  /** Spent in the period when it was reached (before the refused request: it wrote nothing). */
  spent: number;
  /** When the period ends and the limit allows spending again. */
  resetsAt: string;
  reason: SpendLimitReachedReason;
  /** Credits the refused request needed; null when the limit was used up exactly. */
  required: number | null;
}

/** The org's settings as GET/PUT /api/v1/org/settings show them. */
export interface OrgSettings {
  /** `credits.low` when `available` drops below this; null = no low-balance alert. */
  lowBalanceThreshold: number | null;
}
