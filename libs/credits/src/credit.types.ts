/** Ledger entry types (the names the history API shows). */
export enum CreditTransactionType {
  /** A grant: credits added to `available`. */
  ADDED = 'credit_added',
  /** A hold: credits moved from `available` to `held` for pending work. */
  RESERVED = 'credit_reserved',
  /** A capture: one enrichment's share of a hold, paid for found data. */
  CONSUMED = 'credit_consumed',
  /** A release: one enrichment's share of a hold, returned to `available`. */
  RELEASED = 'credit_released',
  /**
   * Expiry: the unspent remainder of a grant with `expiresAt` left `available` (the sweep), or
   * a share released back to a lot that had expired meanwhile. `reference_id` names the lot.
   */
  EXPIRED = 'credit_expired',
}

export enum CreditSource {
  STRIPE_SUBSCRIPTION = 'stripe_subscription',
  STRIPE_PURCHASE = 'stripe_purchase',
  SIGNUP_BONUS = 'signup_bonus',
  MANUAL = 'manual',
}

export enum CreditOperationType {
  ENRICHMENT_EMAIL = 'enrichment_email',
  ENRICHMENT_PHONE = 'enrichment_phone',
}
