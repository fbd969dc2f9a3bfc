import type { EntityManager } from 'typeorm';
import { queryRows } from './sql';

type Queryable = Pick<EntityManager, 'query'>;

/** The rows a page covers: skip `offset`, take at most `limit`. */
export interface PageWindow {
  offset: number;
  limit: number;
}

/**
 * A paged SELECT in parts: `from` and `where` are used twice (the count and the page), so their
 * parameters are numbered `$1..$n` as given in `params`; the window's two come after them.
 */
export interface PagedSelect {
  columns: string;
  from: string;
  /** A whole `WHERE ...` clause, or empty. */
  where?: string;
  orderBy: string;
  params: readonly unknown[];
}

/**
 * One page of rows and the number of every matching row, read by one statement and so from
 * one snapshot: a row committed between two separate queries can no longer make the total
 * disagree with the page. The count is joined to the page (LEFT JOIN LATERAL) rather than
 * taken with count(*) OVER () so that a page past the end still reports the total.
 */
export async function selectPage<Row extends object>(
  db: Queryable,
  { columns, from, where = '', orderBy, params }: PagedSelect,
  { offset, limit }: PageWindow,
): Promise<{ rows: Row[]; total: number }> {
  const next = params.length + 1;
  const result = await queryRows<Row & { __total: number; __row: boolean | null }>(
    db,
    `SELECT c.__total, page.*
       FROM (SELECT count(*)::int AS __total FROM ${from} ${where}) c
       LEFT JOIN LATERAL (
         SELECT true AS __row, ${columns} FROM ${from} ${where} ORDER BY ${orderBy} OFFSET $${next} LIMIT $${next + 1}
       ) page ON TRUE`,
    [...params, offset, limit],
  );
  const total = result[0]?.__total ?? 0;
  const rows = result.flatMap(({ __total: _total, __row, ...row }) => (__row ? [row as unknown as Row] : []));
  return { rows, total };
}
