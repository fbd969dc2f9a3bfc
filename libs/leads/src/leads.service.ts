import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { queryPrepared, ValidationException } from '@app/core';
import { DataSource } from 'typeorm';
import type { LeadFiltersDto } from './dtos/lead-filters.request.dto';
import { compileLeadFilters, LEAD_ALIAS, LEAD_ORDER_BY } from './lead-filter.compiler';
import { isUUID } from 'class-validator';
import type { LeadProfile } from './lead-profile';

/** Selects a LeadProfile from `person p`; column aliases are the profile's keys. */
const PROFILE_COLUMNS = `
  p.id::text AS "id",
  p.first_name AS "firstName",
  p.last_name AS "lastName",
  p.first_name || ' ' || p.last_name AS "fullName",
  p.job_title AS "jobTitle",
  p.seniority AS "seniority",
  p.department AS "department",
  p.skills AS "skills",
  p.country AS "country",
  p.state AS "state",
  p.city AS "city",
  p.company_name AS "companyName",
  p.company_domain AS "companyDomain",
  p.company_industry AS "companyIndustry",
  p.company_employee_size AS "companyEmployeeSize",
  p.linkedin_url AS "linkedinUrl"`;

/**
 * Profiles by id, in the ids' order. One primary-key probe per id, whatever the statistics: as a
 * plain join, the planner hashed the whole person table for a job's 250 ids whenever it took the
 * table for small (20,000 rows here: 20 ms a job instead of 1). A LATERAL subquery with an OFFSET
 * is never flattened into a join, so the probe is the only plan.
 */
export const PROFILES_BY_ID = `
  SELECT p.*
    FROM unnest($1::uuid[]) WITH ORDINALITY AS w(id, ord)
   CROSS JOIN LATERAL (SELECT ${PROFILE_COLUMNS} FROM person p WHERE p.id = w.id OFFSET 0) p
   ORDER BY w.ord`;

/**
 * SQL that is true when the uuid expression names a lead. Other modules put it in a statement
 * they send anyway — a request checks the ids its caller chose in the read it makes of their
 * enrichments, one round trip instead of two — while the person table stays this module's.
 * Qualify the expression (`l.id`): a bare `id` would be read as the person's own column.
 */
export function leadExistsSql(idExpression: string): string {
  return `EXISTS (SELECT 1 FROM person p WHERE p.id = ${idExpression})`;
}

/** A page row, or the single all-null row the LEFT JOIN yields when the page is empty. */
type SearchRow = { total: number } & ({ [K in keyof LeadProfile]: LeadProfile[K] } | { id: null });

/**
 * The leads module's facade: the search and the id look-ups other modules need. Every call
 * is one set-based query, whatever the number of leads involved.
 */
@Injectable()
export class LeadsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ids at positions [offset, offset + limit) of the search for `filters`, in search order. */
  async findWindow(filters: LeadFiltersDto, offset: number, limit: number): Promise<string[]> {
    assertWindow(offset, limit);
    const { where, params } = compileLeadFilters(filters, LEAD_ALIAS, 3);
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT p.id::text AS id FROM person p WHERE ${where} ${LEAD_ORDER_BY} OFFSET $1 LIMIT $2`,
      [offset, limit, ...params],
    );
    return rows.map((row) => row.id);
  }

  /**
   * One page (0-based) of the search and the total number of matches, read in one statement
   * so both come from the same snapshot. The count is joined to the page rather than taken
   * with count(*) OVER() so that a page past the end still reports the total.
   */
  async search(filters: LeadFiltersDto, page: number, size: number): Promise<{ items: LeadProfile[]; total: number }> {
    assertWindow(page, size);
    const { where, params } = compileLeadFilters(filters, LEAD_ALIAS, 3);
    const rows: SearchRow[] = await this.dataSource.query(
      `SELECT c.total, pg.*
         FROM (SELECT count(*)::int AS total FROM person p WHERE ${where}) c
         LEFT JOIN LATERAL (
           SELECT ${PROFILE_COLUMNS} FROM person p WHERE ${where} ${LEAD_ORDER_BY} OFFSET $1 LIMIT $2
         ) pg ON TRUE`,
      [page * size, size, ...params],
    );
    const total = rows[0]?.total ?? 0;
    const items = rows.flatMap(({ total: _total, ...profile }) => (profile.id === null ? [] : [profile]));
    return { items, total };
  }

  /** Profiles for the ids that exist, in input order (first occurrence); unknown ids are skipped. */
  async findProfiles(ids: string[]): Promise<LeadProfile[]> {
    const wanted = uuidsOf(ids);
    if (!wanted.length) return [];
    return queryPrepared<LeadProfile>(this.dataSource, PROFILES_BY_ID, [wanted]);
  }
}

/** Distinct lower-cased ids that can be cast to uuid; the rest cannot match any row. */
function uuidsOf(ids: string[]): string[] {
  return [...new Set(ids.filter((id) => isUUID(id)).map((id) => id.toLowerCase()))];
}

function assertWindow(start: number, count: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(count) || count < 1) {
    throw new ValidationException('Invalid page window', { start, count });
  }
}
