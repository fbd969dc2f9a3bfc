import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ErrorCode, pageWindow, queryPrepared, queryRows, runInTransaction, selectPage } from '@app/core';
import {
  ContactValue,
  ContactValues,
  ErasureReceipt,
  NewSuppression,
  SuppressionKind,
  SuppressionListQuery,
  SuppressionScope,
  SuppressionView,
} from '../privacy.types';
import { normaliseEmail, normalisePhone, requireSuppressionValue } from './suppression-value';

type Queryable = DataSource | EntityManager;

/** Runs inside the change's transaction (the admin console writes its audit entry there). */
export type WithinPrivacyChange = (manager: EntityManager, suppression: SuppressionView) => Promise<void>;

/**
 * Writers of suppressions and erasures take this lock exclusively; whoever checks suppressions
 * and then stores or hands out contact data takes it shared, in the same transaction. So a
 * value is either stored before an erasure (which then removes it) or checked after it (and
 * dropped): never stored by a check that ran before the erasure committed. Two-key form: its
 * key space never meets the one-key advisory locks of the periodic tasks.
 */
const LOCK_KEYS = "hashtext('privacy'), 0";

/**
 * SQL that takes the lock above shared, then says whether any list that applies to the org (the
 * varchar expression) has an entry, as seen once the lock is held (migration
 * SuppressionCheckFunction: its second statement takes a snapshot after the lock). A request
 * sends it with its credit hold, in the same round trip, and skips the cache screen when no list
 * has an entry.
 */
export function lockSharedAnySuppressionSql(orgExpression: string): string {
  return `privacy_lock_shared_any_suppression(${orgExpression})`;
}

interface SuppressionRow {
  id: string;
  org_id: string | null;
  kind: SuppressionKind;
  value: string;
  reason: string;
  created_by: string;
  created_at: Date;
}

interface ErasureRow {
  id: string;
  requested_by: string;
  person_ids: string[];
  email: string | null;
  phone: string | null;
  records: number;
  orgs: number;
  cache_entries: number;
  completed_at: Date;
}

export interface LeadContactValues<T extends ContactValues> {
  leadId: string;
  data: T;
}

/**
 * The privacy facade: do-not-enrich lists (platform and per org), the check other modules
 * make before asking providers and before storing or showing contact data, and erasure
 * receipts. It knows nothing of enrichments: callers pass it lead ids and values.
 */
@Injectable()
export class PrivacyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async lockShared(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock_shared(${LOCK_KEYS})`);
  }

  async lockExclusive(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(${LOCK_KEYS})`);
  }

  /** Adds an entry (400 for a value that is not of its kind); an entry that exists is answered as it is. */
  async addSuppression(
    scope: SuppressionScope,
    input: NewSuppression,
    within?: WithinPrivacyChange,
  ): Promise<SuppressionView> {
    const value = requireSuppressionValue(input.kind, input.value);
    return runInTransaction(this.dataSource, async (manager) => {
      await this.lockExclusive(manager);
      const [row] = await this.insertSuppressions(manager, scope, [{ ...input, value }]);
      const view = toSuppressionView(row);
      if (within) await within(manager, view);
      return view;
    });
  }

  /** Entries written by another use case (erasure) in its transaction; values must be normalised already. */
  async suppressWithin(manager: EntityManager, entries: readonly NewSuppression[]): Promise<void> {
    const unique = new Map(entries.map((entry) => [`${entry.kind}:${entry.value}`, entry]));
    await this.insertSuppressions(manager, { platform: true }, [...unique.values()]);
  }

  async listSuppressions(
    scope: SuppressionScope,
    query: SuppressionListQuery,
  ): Promise<{ items: SuppressionView[]; total: number }> {
    const where = `WHERE ${scopeCondition('$1')} AND ($2::varchar IS NULL OR kind = $2)`;
    const filters = [scopeOrg(scope), query.kind ?? null];
    const { rows, total } = await selectPage<SuppressionRow>(
      this.dataSource,
      { columns: 'suppression.*', from: 'suppression', where, orderBy: 'created_at DESC, id', params: filters },
      pageWindow(query),
    );
    return { items: rows.map(toSuppressionView), total };
  }

  /** 404 unless the entry is in this scope's list (an org never sees or removes another's). */
  async removeSuppression(scope: SuppressionScope, id: string, within?: WithinPrivacyChange): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      const [removed] = await queryRows<SuppressionRow>(
        manager,
        `DELETE FROM suppression WHERE id = $2 AND ${scopeCondition('$1')} RETURNING *`,
        [scopeOrg(scope), id],
      );
      if (!removed) throw new AppException(ErrorCode.NOT_FOUND, `No suppression ${id} in this list`);
      if (within) await within(manager, toSuppressionView(removed));
    });
  }

  /** The leads among these that the platform list or this org's list names as persons. */
  async suppressedLeads(db: Queryable, orgId: string, leadIds: readonly string[]): Promise<Set<string>> {
    if (leadIds.length === 0) return new Set();
    const rows = await queryPrepared<{ value: string }>(
      db,
      `SELECT value FROM suppression
        WHERE (org_id IS NULL OR org_id = $1) AND kind = '${SuppressionKind.PERSON}' AND value = ANY($2::varchar[])`,
      [orgId, leadIds],
    );
    return new Set(rows.map((row) => row.value));
  }

  /**
   * Each lead's data without what is suppressed for `orgId` (null: the platform list only):
   * a suppressed lead loses everything, a suppressed email, domain or phone loses that value.
   * A lead left with no value maps to null, as if nothing had been found.
   */
  async redact<T extends ContactValues>(
    db: Queryable,
    orgId: string | null,
    entries: readonly LeadContactValues<T>[],
  ): Promise<Map<string, T | null>> {
    const result = new Map<string, T | null>(entries.map((entry) => [entry.leadId, entry.data]));
    if (entries.length === 0) return result;
    const emails = new Set<string>();
    const phones = new Set<string>();
    for (const { data } of entries) {
      for (const value of valuesOf(data)) {
        if (value.address !== undefined) emails.add(normaliseEmail(value.address));
        if (value.number !== undefined) phones.add(phoneKey(value.number));
      }
    }
    const domains = [...emails].map((email) => email.slice(email.lastIndexOf('@') + 1));
    const rows = await queryPrepared<{ kind: SuppressionKind; value: string }>(
      db,
      `SELECT DISTINCT kind, value FROM suppression
        WHERE (org_id IS NULL OR org_id = $1)
          AND ((kind = '${SuppressionKind.PERSON}' AND value = ANY($2::varchar[]))
            OR (kind = '${SuppressionKind.EMAIL}' AND value = ANY($3::varchar[]))
            OR (kind = '${SuppressionKind.EMAIL_DOMAIN}' AND value = ANY($4::varchar[]))
            OR (kind = '${SuppressionKind.PHONE}' AND value = ANY($5::varchar[])))`,
      [orgId, entries.map((entry) => entry.leadId), [...emails], domains, [...phones]],
    );
    if (rows.length === 0) return result;
    const listed = new Set(rows.map((row) => `${row.kind}:${row.value}`));
    const isSuppressed = (value: ContactValue): boolean => {
      if (value.number !== undefined) return listed.has(`${SuppressionKind.PHONE}:${phoneKey(value.number)}`);
      if (value.address === undefined) return false;
      const email = normaliseEmail(value.address);
      return (
        listed.has(`${SuppressionKind.EMAIL}:${email}`) ||
        listed.has(`${SuppressionKind.EMAIL_DOMAIN}:${email.slice(email.lastIndexOf('@') + 1)}`)
      );
    };
    for (const { leadId, data } of entries) {
      if (listed.has(`${SuppressionKind.PERSON}:${leadId}`)) {
        result.set(leadId, null);
        continue;
      }
      const kept = 'emails' in data ? { emails: data.emails.filter((v) => !isSuppressed(v)) } : null;
      const redacted = (kept ?? { phones: 'phones' in data ? data.phones.filter((v) => !isSuppressed(v)) : [] }) as T;
      result.set(leadId, valuesOf(redacted).length > 0 ? redacted : null);
    }
    return result;
  }

  async recordErasure(manager: EntityManager, receipt: ErasureReceipt): Promise<void> {
    await manager.query(
      `INSERT INTO erasure (id, requested_by, person_ids, email, phone, records, orgs, cache_entries, completed_at)
       VALUES ($1, $2, $3::uuid[], $4, $5, $6, $7, $8, $9)`,
      [
        receipt.id,
        receipt.requestedBy,
        receipt.matched.personIds,
        receipt.matched.email,
        receipt.matched.phone,
        receipt.records,
        receipt.orgs,
        receipt.cacheEntries,
        receipt.completedAt,
      ],
    );
  }

  async findErasure(id: string): Promise<ErasureReceipt> {
    const [row]: ErasureRow[] = await this.dataSource.query('SELECT * FROM erasure WHERE id = $1', [id]);
    if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No erasure ${id}`);
    return {
      id: row.id,
      matched: { personIds: row.person_ids, email: row.email, phone: row.phone },
      records: row.records,
      orgs: row.orgs,
      cacheEntries: row.cache_entries,
      requestedBy: row.requested_by,
      completedAt: row.completed_at.toISOString(),
    };
  }

  private async insertSuppressions(
    manager: EntityManager,
    scope: SuppressionScope,
    entries: readonly NewSuppression[],
  ): Promise<SuppressionRow[]> {
    if (entries.length === 0) return [];
    const conflict = scope.platform
      ? `("kind", "value") WHERE "org_id" IS NULL`
      : 'ON CONSTRAINT "UQ_suppression_org_kind_value"';
    // DO UPDATE with an unchanged value rather than DO NOTHING, so the existing row is returned.
    return queryRows<SuppressionRow>(
      manager,
      `INSERT INTO suppression (org_id, kind, value, reason, created_by)
       SELECT $1, e.kind, e.value, e.reason, e.created_by
         FROM unnest($2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[]) AS e(kind, value, reason, created_by)
       ON CONFLICT ${conflict} DO UPDATE SET kind = EXCLUDED.kind
       RETURNING *`,
      [
        scopeOrg(scope),
        entries.map((entry) => entry.kind),
        entries.map((entry) => entry.value),
        entries.map((entry) => entry.reason.slice(0, 500)),
        entries.map((entry) => entry.createdBy),
      ],
    );
  }
}

function scopeOrg(scope: SuppressionScope): string | null {
  return scope.platform ? null : scope.orgId;
}

/** `$n` is the scope's org id: null selects the platform list. */
function scopeCondition(param: string): string {
  return `(org_id = ${param} OR (${param}::varchar IS NULL AND org_id IS NULL))`;
}

function valuesOf(data: ContactValues): ContactValue[] {
  return 'emails' in data ? data.emails : data.phones;
}

/** Providers answer in E.164 already; a number that does not parse is compared as it is. */
function phoneKey(value: string): string {
  return normalisePhone(value) ?? value;
}

function toSuppressionView(row: SuppressionRow): SuppressionView {
  return {
    id: row.id,
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    orgId: row.org_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}
