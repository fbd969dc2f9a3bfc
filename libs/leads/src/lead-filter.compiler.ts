import type { LeadFiltersDto } from './dtos/lead-filters.request.dto';

/** A parameterised SQL boolean expression over the `person` table. */
export interface CompiledLeadFilter {
  where: string;
  params: unknown[];
}

/**
 * The one order of the lead search. Bulk selections address positions in it, so every query
 * that pages or windows over leads must use exactly this (IDX_person_order backs it; `id`
 * breaks ties so the order is total).
 */
export const LEAD_ORDER_BY = 'ORDER BY p.last_name, p.first_name, p.id';

/** The table alias LEAD_ORDER_BY and the services' queries use. */
export const LEAD_ALIAS = 'p';

/** The text columns matched through `lower(col) = ANY(...)`, each backed by IDX_person_<col>_lower. */
type TextColumn =
  | 'job_title'
  | 'seniority'
  | 'department'
  | 'country'
  | 'state'
  | 'city'
  | 'company_name'
  | 'company_domain'
  | 'company_industry';

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;

/**
 * Turns validated filters into a WHERE expression with positional parameters ($n, starting at
 * `firstParam`), so callers can put their own parameters before it. Values are lower-cased
 * here rather than in SQL so the expression indexes on lower(col) are usable; skills are
 * stored lower-cased, so an array overlap against the GIN index does the any-of.
 */
export function compileLeadFilters(filters: LeadFiltersDto, alias = LEAD_ALIAS, firstParam = 1): CompiledLeadFilter {
  if (!SQL_IDENTIFIER.test(alias)) throw new Error(`Invalid SQL alias: ${alias}`);
  const conditions: string[] = [];
  const params: unknown[] = [];
  const nextParam = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const anyOf = (column: TextColumn, values: string[] | undefined): void => {
    if (!values?.length) return;
    const lowered = [...new Set(values.map((value) => value.trim().toLowerCase()))];
    conditions.push(`lower(${alias}.${column}) = ANY(${nextParam(lowered)}::text[])`);
  };

  anyOf('job_title', filters.job_title);
  anyOf('seniority', filters.seniority);
  anyOf('department', filters.department);
  if (filters.skills?.length) {
    const skills = [...new Set(filters.skills.map((skill) => skill.trim().toLowerCase()))];
    conditions.push(`${alias}.skills && ${nextParam(skills)}::text[]`);
  }
  anyOf('country', filters.location?.country);
  anyOf('state', filters.location?.state);
  anyOf('city', filters.location?.city);
  anyOf('company_name', filters.company?.name);
  anyOf('company_domain', filters.company?.domain);
  anyOf('company_industry', filters.company?.industry);

  const min = filters.company?.employee_size?.min;
  const max = filters.company?.employee_size?.max;
  const size = `${alias}.company_employee_size`;
  if (typeof min === 'number' && typeof max === 'number') {
    conditions.push(`${size} BETWEEN ${nextParam(min)} AND ${nextParam(max)}`);
  } else if (typeof min === 'number') {
    conditions.push(`${size} >= ${nextParam(min)}`);
  } else if (typeof max === 'number') {
    conditions.push(`${size} <= ${nextParam(max)}`);
  }

  return { where: conditions.length ? conditions.join(' AND ') : 'TRUE', params };
}
