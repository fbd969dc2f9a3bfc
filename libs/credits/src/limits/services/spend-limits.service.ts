import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ErrorCode, NotFoundAppException, queryRows, ValidationException } from '@app/core';
import { SpendLimitExceededException } from '../spend-limit-exceeded.exception';
import { CreateSpendLimit, SpendLimitStatus, SpendLimitView, SpendScope, SpendSubjects } from '../spend-limit.types';

type Queryable = Pick<EntityManager, 'query'>;

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Limits with their current period's counter; `$1` is the org, the caller adds a filter. */
const LIMIT_STATUS_SQL = `
  SELECT l.id AS "limitId", l.scope, nullif(l.subject_id, '') AS "subjectId", l.period,
         l.credit_limit::float8 AS "limit", coalesce(c.spent, 0)::float8 AS spent,
         greatest(l.credit_limit - coalesce(c.spent, 0), 0)::float8 AS remaining,
         to_char(p.start + ('1 ' || l.period)::interval, ${ISO}) AS "resetsAt",
         to_char(l.created_at AT TIME ZONE 'UTC', ${ISO}) AS "createdAt"
    FROM spend_limit l
   CROSS JOIN LATERAL (SELECT date_trunc(l.period, now() AT TIME ZONE 'UTC')::date AS start) p
    LEFT JOIN spend_counter c
           ON c.org_id = l.org_id AND c.scope = l.scope AND c.subject_id = l.subject_id
          AND c.period = l.period AND c.period_start = p.start
   WHERE l.org_id = $1`;

const ORDER = `ORDER BY array_position(ARRAY['org', 'user', 'api_key']::varchar[], l.scope), l.period, l.subject_id`;

/**
 * Spend limits: their management, and the details of a hold refused by one. The check and
 * the per-period counting themselves are part of the hold (the function credit_hold, see
 * CreditsService.hold); they run in the hold's transaction, after the account
 * lock (CreditsService.lockAccount): every hold of an org is serialised behind it, so
 * no two requests can both see room that only one of them fits in.
 */
@Injectable()
export class SpendLimitsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(request: CreateSpendLimit): Promise<SpendLimitView> {
    if (request.scope === SpendScope.ORG && request.subjectId !== null) {
      throw new ValidationException('An org limit has no subjectId', {
        fields: [{ field: 'subjectId', messages: ['subjectId must be omitted when scope is org'] }],
      });
    }
    const subjectId = request.scope === SpendScope.ORG ? '' : (request.subjectId ?? '');
    const inserted = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO spend_limit (org_id, scope, subject_id, period, credit_limit, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id, scope, subject_id, period) DO NOTHING RETURNING id`,
      [request.orgId, request.scope, subjectId, request.period, request.limit, request.createdBy],
    );
    if (inserted.length === 0) {
      const [existing] = await queryRows<{ id: string }>(
        this.dataSource,
        'SELECT id FROM spend_limit WHERE org_id = $1 AND scope = $2 AND subject_id = $3 AND period = $4',
        [request.orgId, request.scope, subjectId, request.period],
      );
      throw new AppException(
        ErrorCode.CONFLICT,
        'A limit for this scope, subject and period exists already: delete it first to change it',
        { limitId: existing?.id ?? null },
      );
    }
    const [view] = await queryRows<SpendLimitView>(this.dataSource, `${LIMIT_STATUS_SQL} AND l.id = $2`, [
      request.orgId,
      inserted[0].id,
    ]);
    return view;
  }

  list(orgId: string): Promise<SpendLimitView[]> {
    return queryRows<SpendLimitView>(this.dataSource, `${LIMIT_STATUS_SQL} ${ORDER}`, [orgId]);
  }

  async remove(orgId: string, limitId: string): Promise<void> {
    const deleted = await queryRows<{ id: string }>(
      this.dataSource,
      'DELETE FROM spend_limit WHERE org_id = $1 AND id = $2 RETURNING id',
      [orgId, limitId],
    );
    if (deleted.length === 0) throw new NotFoundAppException(`No spend limit ${limitId}`);
  }

  /** The limits that apply to a request of these subjects, with where each stands now. */
  async applicable(db: Queryable, subjects: SpendSubjects): Promise<SpendLimitStatus[]> {
    const rows = await queryRows<SpendLimitView>(
      db,
      `${LIMIT_STATUS_SQL}
         AND (l.scope = 'org' OR (l.scope = 'user' AND l.subject_id = $2)
              OR (l.scope = 'api_key' AND l.subject_id = $3))
       ${ORDER}`,
      [subjects.orgId, subjects.userId, subjects.apiKeyId ?? null],
    );
    return rows.map(({ createdAt: _createdAt, ...status }) => status);
  }

  /**
   * Throws 402 SPEND_LIMIT_EXCEEDED when holding `amount` would pass the request's own cap
   * or any applicable limit (the exception names every such limit). Must run under the org's
   * account lock, before the hold.
   */
  async enforce(
    manager: EntityManager,
    subjects: SpendSubjects,
    amount: number,
    maxCredits: number | null | undefined,
  ): Promise<void> {
    if (maxCredits !== null && maxCredits !== undefined && amount > maxCredits) {
      throw SpendLimitExceededException.forMaxCredits(maxCredits, amount);
    }
    const exceeded = (await this.applicable(manager, subjects)).filter((limit) => limit.spent + amount > limit.limit);
    if (exceeded.length > 0) throw SpendLimitExceededException.forLimits(exceeded, amount);
  }
}
