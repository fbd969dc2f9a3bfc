/** The event types an endpoint can subscribe to. */
export enum WebhookEventType {
  OPERATION_COMPLETED = 'operation.completed',
  /** A lead's contact data was erased (GDPR Art. 17 / CCPA deletion): delete your copy too. */
  CONTACT_ERASED = 'contact.erased',
  /** `available` dropped below the org's `lowBalanceThreshold`: once per crossing (see the credits lib's alerts). */
  CREDITS_LOW = 'credits.low',
  /** `available` reached 0: once per crossing. */
  CREDITS_DEPLETED = 'credits.depleted',
  /** A spend limit stopped a request or was used up: once per limit and period. */
  SPEND_LIMIT_REACHED = 'spend_limit.reached',
}

export const ALL_WEBHOOK_EVENT_TYPES = Object.values(WebhookEventType);

/** An event's delivery outcome, and one attempt's: `pending` until it is known. */
export enum WebhookDeliveryStatus {
  PENDING = 'pending',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}

/** What a module publishes; `data` is sent to the receiver as it is. */
export interface WebhookEventInput {
  type: `${WebhookEventType}`;
  data: Record<string, unknown>;
}
