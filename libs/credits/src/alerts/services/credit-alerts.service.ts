import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '@app/core';
import { WebhookEventType, WebhooksService } from '@app/webhooks';
import { SpendLimitStatus } from '../../limits/spend-limit.types';
import {
  CreditsDepletedData,
  CreditsLowData,
  SpendLimitReachedData,
  SpendLimitReachedReason,
} from '../credit-alert.types';
import { BalanceAlerts } from '../balance-alerts';
import { AlertDispatcher } from './alert-dispatcher';

interface Flipped {
  orgId: string;
  available: number;
  held: number;
  threshold: number | null;
  low: boolean;
  depleted: boolean;
}

/**
 * Balance and spend-limit alerts, published as webhook events with the transaction that
 * causes them, so an event exists exactly when its change commits.
 *
 * Low balance and depletion are edge detectors on `available`: the account row keeps whether
 * each alert was sent (`low_balance_alerted`, `depleted_alerted`), and `evaluate` — called by
 * CreditsService after every change of `available`, under the account lock — flips a flag only
 * when its condition changed, and sends the event only on false → true. The lock serialises
 * every change of one org, so 100 concurrent requests crossing the threshold flip it once.
 */
@Injectable()
export class CreditAlertsService extends BalanceAlerts {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly dispatcher: AlertDispatcher,
  ) {
    super();
  }

  /**
   * Brings the alert flags of these orgs in line with their `available` and sends the events
   * of the conditions that just became true. The caller holds the orgs' account locks. With
   * `balanceChanged` false (a new threshold), only the low-balance alert is evaluated: depletion
   * is about the balance changing.
   */
  async evaluate(manager: EntityManager, orgIds: readonly string[], balanceChanged = true): Promise<void> {
    if (orgIds.length === 0) return;
    const flipped = await queryRows<Flipped & { wasLow: boolean; wasDepleted: boolean }>(
      manager,
      `WITH s AS (
         SELECT org_id, available, held, low_balance_threshold AS threshold,
                low_balance_alerted AS was_low, depleted_alerted AS was_depleted,
                coalesce(available < low_balance_threshold, false) AS low,
                CASE WHEN $2 THEN available = 0 ELSE depleted_alerted END AS depleted
           FROM credit_account WHERE org_id = ANY($1))
       UPDATE credit_account a SET low_balance_alerted = s.low, depleted_alerted = s.depleted
         FROM s
        WHERE a.org_id = s.org_id AND (s.low <> s.was_low OR s.depleted <> s.was_depleted)
       RETURNING s.org_id AS "orgId", s.available, s.held, s.threshold, s.low, s.depleted,
                 s.was_low AS "wasLow", s.was_depleted AS "wasDepleted"`,
      [[...new Set(orgIds)], balanceChanged],
    );
    let published = false;
    for (const row of flipped) {
      if (row.low && !row.wasLow && row.threshold !== null) {
        const data: CreditsLowData = {
          organizationId: row.orgId,
          available: row.available,
          held: row.held,
          threshold: row.threshold,
        };
        await this.webhooks.publish(manager, row.orgId, { type: WebhookEventType.CREDITS_LOW, data: { ...data } });
        published = true;
      }
      if (row.depleted && !row.wasDepleted) {
        const data: CreditsDepletedData = { organizationId: row.orgId, available: row.available, held: row.held };
        await this.webhooks.publish(manager, row.orgId, {
          type: WebhookEventType.CREDITS_DEPLETED,
          data: { ...data },
        });
        published = true;
      }
    }
    if (published) this.dispatcher.dispatchAfterCommit(manager);
  }

  /** A hold used these limits up exactly (spent = limit after it): `spend_limit.reached`, once per limit and period. */
  async limitsExhausted(manager: EntityManager, orgId: string, limits: readonly SpendLimitStatus[]): Promise<void> {
    if (limits.length === 0) return;
    const published = await this.limitsReached(manager, orgId, limits, SpendLimitReachedReason.EXHAUSTED, null);
    if (published) this.dispatcher.dispatchAfterCommit(manager);
  }

  /**
   * A request was refused by these limits. Its transaction rolls back (it writes nothing), so
   * the event is published in a transaction of its own once that one has ended.
   */
  limitsRefused(manager: EntityManager, orgId: string, limits: readonly SpendLimitStatus[], required: number): void {
    if (limits.length === 0) return;
    this.dispatcher.runAfterwards(manager, async (own) => {
      const published = await this.limitsReached(own, orgId, limits, SpendLimitReachedReason.REFUSED, required);
      if (published) this.dispatcher.dispatchAfterCommit(own);
    });
  }

  /**
   * Marks each limit reached in the period its status belongs to (the one ending at
   * `resetsAt`) and publishes one event per limit that was not marked yet. The row update is
   * the dedupe: concurrent callers wait on the limit's row, and only the first finds it unmarked.
   */
  private async limitsReached(
    manager: EntityManager,
    orgId: string,
    limits: readonly SpendLimitStatus[],
    reason: SpendLimitReachedReason,
    required: number | null,
  ): Promise<boolean> {
    const marked = await queryRows<{ id: string }>(
      manager,
      `UPDATE spend_limit l
          SET reached_period_start = p.start
         FROM (SELECT id, ((resets_at AT TIME ZONE 'UTC') - ('1 ' || period)::interval)::date AS start
                 FROM unnest($2::uuid[], $3::timestamptz[], $4::varchar[]) AS x(id, resets_at, period)) p
        WHERE l.id = p.id AND l.org_id = $1 AND l.reached_period_start IS DISTINCT FROM p.start
       RETURNING l.id`,
      [orgId, limits.map((l) => l.limitId), limits.map((l) => l.resetsAt), limits.map((l) => l.period)],
    );
    const ids = new Set(marked.map((row) => row.id));
    for (const limit of limits.filter((l) => ids.has(l.limitId))) {
      const data: SpendLimitReachedData = {
        organizationId: orgId,
        limitId: limit.limitId,
        scope: limit.scope,
        subjectId: limit.subjectId,
        period: limit.period,
        limit: limit.limit,
        spent: limit.spent,
        resetsAt: limit.resetsAt,
        reason,
        required,
      };
      await this.webhooks.publish(manager, orgId, { type: WebhookEventType.SPEND_LIMIT_REACHED, data: { ...data } });
    }
    return ids.size > 0;
  }
}
