import { EntityManager } from 'typeorm';
import { SpendLimitStatus } from '../limits/spend-limit.types';

/**
 * What CreditsService reports to the alerts, under the account lock of the change: in the app
 * this is CreditAlertsService (webhook events). An abstract class so that it is also the DI token.
 */
export abstract class BalanceAlerts {
  /** `available` of these orgs may have changed (or, balanceChanged false, their threshold did). */
  abstract evaluate(manager: EntityManager, orgIds: readonly string[], balanceChanged?: boolean): Promise<void>;
  /** A hold brought these limits' spent to exactly their limit (statuses as they stand after it). */
  abstract limitsExhausted(manager: EntityManager, orgId: string, limits: readonly SpendLimitStatus[]): Promise<void>;
  /** These limits refused a request of `required` credits; its transaction is about to roll back. */
  abstract limitsRefused(
    manager: EntityManager,
    orgId: string,
    limits: readonly SpendLimitStatus[],
    required: number,
  ): void;
}

/**
 * The default of CreditsService.standalone, built by hand outside the app (the demo seed, which
 * only grants to an org without endpoints or threshold; specs of other behaviour): no alert is
 * evaluated or sent.
 */
export const NO_BALANCE_ALERTS: BalanceAlerts = {
  evaluate: () => Promise.resolve(),
  limitsExhausted: () => Promise.resolve(),
  limitsRefused: () => undefined,
};
