import type { Pool } from 'pg';

export interface Violation {
  rule: string;
  orgId: string | null;
  detail: Record<string, unknown>;
}

export interface AuditCounts {
  orgs: number;
  enrichments: Record<string, number>;
  holds: number;
  settlements: number;
  granted: number;
  available: number;
  held: number;
  consumed: number;
  released: number;
}

export interface AuditOptions {
  /** Only these orgs (default: every org in the database). */
  orgs?: readonly string[];
  /**
   * After a scenario's drain period nothing may be pending or processing, and every hold
   * must be settled in full. Without it, only work older than `maxInFlightMs` is a violation.
   */
  drained: boolean;
  maxInFlightMs?: number;
  /**
   * ENRICHMENT_MAX_AGE_MS of the scenario's processes: work settled later than this (plus
   * `maxAgeSlackMs`, a sweep interval or so) after it was requested must have timed out, not
   * finished or failed — a late provider answer must change nothing.
   */
  maxAgeMs?: number;
  maxAgeSlackMs?: number;
  /** What the scenario's client meant to happen, per org: credits granted, holds taken. */
  expected?: Record<string, { granted?: number; holds?: number }>;
}

interface Check {
  rule: string;
  sql: string;
}

const FINAL = `('finished', 'failed', 'timeout', 'cancelled')`;
const SETTLEMENT = `('credit_consumed', 'credit_released')`;

/**
 * The money and work invariants, each one SQL query returning the offending rows (with an
 * `org_id` column) over the orgs in $1. Written against the tables, not the services: the
 * auditor must not share the code it checks.
 */
const CHECKS: Check[] = [
  {
    rule: 'balance: available + held + consumed + expired = granted, available = granted - reserved + released - expired, held = reserved - consumed - released',
    sql: `
      WITH l AS (
        SELECT o.org_id,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_added'), 0)::bigint AS granted,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_reserved'), 0)::bigint AS reserved,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_consumed'), 0)::bigint AS consumed,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_released'), 0)::bigint AS released,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_expired'), 0)::bigint AS expired
          FROM unnest($1::varchar[]) AS o(org_id)
          LEFT JOIN credit_transaction t ON t.org_id = o.org_id
         GROUP BY o.org_id)
      SELECT l.*, coalesce(a.available, 0) AS available, coalesce(a.held, 0) AS held
        FROM l LEFT JOIN credit_account a ON a.org_id = l.org_id
       WHERE coalesce(a.available, 0) + coalesce(a.held, 0) + l.consumed + l.expired <> l.granted
          OR coalesce(a.available, 0) <> l.granted - l.reserved + l.released - l.expired
          OR coalesce(a.held, 0) <> l.reserved - l.consumed - l.released`,
  },
  {
    rule: 'lots: available = the sum of the remainders of the lots that have not expired',
    sql: `SELECT a.org_id, a.available, coalesce(sum(l.remaining) FILTER (WHERE l.expired_at IS NULL), 0) AS lots
            FROM credit_account a LEFT JOIN credit_lot l ON l.org_id = a.org_id
           WHERE a.org_id = ANY($1)
           GROUP BY a.org_id, a.available
          HAVING a.available <> coalesce(sum(l.remaining) FILTER (WHERE l.expired_at IS NULL), 0)`,
  },
  {
    rule: 'lots: remainder = granted - drawn + returned - expired >= 0, and 0 once expired; a grant has one lot',
    sql: `SELECT l.org_id, l.id, l.granted, l.remaining, l.expired_at, d.drawn, d.returned, x.expired, g.amount AS grant_amount
            FROM credit_lot l
            LEFT JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS drawn, coalesce(sum(returned), 0) AS returned
                                 FROM credit_hold_lot WHERE lot_id = l.id) d ON true
            LEFT JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS expired FROM credit_transaction
                                WHERE type = 'credit_expired' AND reference_id = l.id::text) x ON true
            LEFT JOIN credit_transaction g ON g.id = l.grant_id
           WHERE l.org_id = ANY($1)
             AND (l.remaining <> l.granted - d.drawn + d.returned - x.expired OR l.remaining < 0
                  OR (l.expired_at IS NOT NULL AND l.remaining <> 0)
                  OR (l.grant_id IS NOT NULL AND (g.type IS DISTINCT FROM 'credit_added' OR g.amount <> l.granted)))`,
  },
  {
    rule: 'lots: nothing expires twice (one sweep entry per lot) and every expiry names a lot of its org',
    sql: `SELECT t.org_id, t.reference_id, count(*) FILTER (WHERE t.hold_id IS NULL)::int AS sweeps,
                 bool_and(l.id IS NOT NULL AND l.org_id = t.org_id) AS known
            FROM credit_transaction t LEFT JOIN credit_lot l ON l.id::text = t.reference_id
           WHERE t.org_id = ANY($1) AND t.type = 'credit_expired'
           GROUP BY t.org_id, t.reference_id
          HAVING count(*) FILTER (WHERE t.hold_id IS NULL) > 1 OR NOT bool_and(l.id IS NOT NULL AND l.org_id = t.org_id)`,
  },
  {
    rule: "lots: a hold's parts add up to the hold, and no part gets back more than it gave",
    sql: `SELECT h.org_id, h.id AS hold_id, h.amount, sum(p.amount) AS drawn, sum(p.returned) AS returned
            FROM credit_transaction h LEFT JOIN credit_hold_lot p ON p.hold_id = h.id
           WHERE h.org_id = ANY($1) AND h.type = 'credit_reserved'
           GROUP BY h.org_id, h.id, h.amount
          HAVING coalesce(sum(p.amount), 0) <> h.amount OR bool_or(p.returned > p.amount)
              OR coalesce(sum(p.returned), 0) <> (SELECT coalesce(sum(s.amount), 0) FROM credit_transaction s
                                                   WHERE s.hold_id = h.id AND s.type = 'credit_released')`,
  },
  {
    rule: 'balances never negative',
    sql: `SELECT org_id, available, held FROM credit_account
           WHERE org_id = ANY($1) AND (available < 0 OR held < 0)`,
  },
  {
    rule: 'a (hold, enrichment) pair is settled at most once',
    sql: `SELECT org_id, hold_id, enrichment_id, count(*)::int AS settlements FROM credit_transaction
           WHERE org_id = ANY($1) AND type IN ${SETTLEMENT}
           GROUP BY org_id, hold_id, enrichment_id HAVING count(*) > 1`,
  },
  {
    rule: 'a settlement names a hold and an enrichment of its own org, for the enrichment charge',
    sql: `SELECT s.org_id, s.id, s.hold_id, s.enrichment_id, s.amount, h.org_id AS hold_org, e.org_id AS enrichment_org
            FROM credit_transaction s
            LEFT JOIN credit_transaction h ON h.id = s.hold_id AND h.type = 'credit_reserved'
            LEFT JOIN enrichment e ON e.id = s.enrichment_id
           WHERE s.org_id = ANY($1) AND s.type IN ${SETTLEMENT}
             AND (h.id IS NULL OR e.id IS NULL OR h.org_id <> s.org_id OR e.org_id <> s.org_id
                  OR (e.credit_transaction_id = s.hold_id AND e.charge <> s.amount))`,
  },
  {
    rule: "a hold's settlements never exceed the hold",
    sql: `SELECT h.org_id, h.id AS hold_id, h.amount, sum(s.amount)::int AS settled
            FROM credit_transaction h
            JOIN credit_transaction s ON s.hold_id = h.id AND s.type IN ${SETTLEMENT}
           WHERE h.org_id = ANY($1) AND h.type = 'credit_reserved'
           GROUP BY h.org_id, h.id, h.amount HAVING sum(s.amount) > h.amount`,
  },
  {
    rule: 'a final enrichment is settled exactly once against its hold; work in flight not at all',
    sql: `SELECT e.org_id, e.id, e.status, e.credit_transaction_id, count(s.id)::int AS settlements
            FROM enrichment e
            LEFT JOIN credit_transaction s
              ON s.hold_id = e.credit_transaction_id AND s.enrichment_id = e.id AND s.type IN ${SETTLEMENT}
           WHERE e.org_id = ANY($1) AND e.credit_transaction_id IS NOT NULL
           GROUP BY e.org_id, e.id, e.status, e.credit_transaction_id
          HAVING (e.status IN ${FINAL} AND count(s.id) <> 1) OR (e.status NOT IN ${FINAL} AND count(s.id) <> 0)`,
  },
  {
    rule: 'found data is captured, everything else released',
    sql: `SELECT e.org_id, e.id, e.status, e.data_found, s.type
            FROM enrichment e
            JOIN credit_transaction s
              ON s.hold_id = e.credit_transaction_id AND s.enrichment_id = e.id AND s.type IN ${SETTLEMENT}
           WHERE e.org_id = ANY($1)
             AND (s.type = 'credit_consumed') <> (e.status = 'finished' AND coalesce(e.data_found, false))`,
  },
  {
    rule: 'an enrichment points at a hold of its own org',
    sql: `SELECT e.org_id, e.id, e.credit_transaction_id FROM enrichment e
            LEFT JOIN credit_transaction h ON h.id = e.credit_transaction_id AND h.type = 'credit_reserved'
           WHERE e.org_id = ANY($1) AND (h.id IS NULL OR h.org_id <> e.org_id)`,
  },
  {
    rule: 'one enrichment per (org, entity, field)',
    sql: `SELECT org_id, entity_type, entity_id, field, count(*)::int AS n FROM enrichment
           WHERE org_id = ANY($1) GROUP BY org_id, entity_type, entity_id, field HAVING count(*) > 1`,
  },
];

const DRAINED_CHECKS: Check[] = [
  {
    rule: 'nothing pending or processing after the drain period',
    sql: `SELECT org_id, id, status, job_id, updated_at FROM enrichment
           WHERE org_id = ANY($1) AND status IN ('pending', 'processing')`,
  },
  {
    rule: 'every hold is settled in full once its work is final',
    sql: `SELECT h.org_id, h.id AS hold_id, h.amount, coalesce(sum(s.amount), 0)::int AS settled
            FROM credit_transaction h
            LEFT JOIN credit_transaction s ON s.hold_id = h.id AND s.type IN ${SETTLEMENT}
           WHERE h.org_id = ANY($1) AND h.type = 'credit_reserved'
           GROUP BY h.org_id, h.id, h.amount HAVING coalesce(sum(s.amount), 0) <> h.amount`,
  },
];

const IN_FLIGHT_CHECK: Check = {
  rule: 'nothing pending or processing longer than its limit',
  sql: `SELECT org_id, id, status, created_at FROM enrichment
         WHERE org_id = ANY($1) AND status IN ('pending', 'processing')
           AND updated_at < now() - make_interval(secs => $2::double precision / 1000)`,
};

const MAX_AGE_CHECK: Check = {
  rule: 'work not finished within ENRICHMENT_MAX_AGE_MS timed out (a late answer changes nothing)',
  sql: `SELECT org_id, id, status, requested_at, settled_at FROM enrichment
         WHERE org_id = ANY($1) AND status IN ('finished', 'failed')
           AND settled_at > requested_at + make_interval(secs => $2::double precision / 1000)`,
};

const EXPECTED_CHECK: Check = {
  rule: 'the ledger holds what the client asked for: credits granted once, one hold per request meant',
  sql: `SELECT o.org_id, o.granted AS expected_granted, o.holds AS expected_holds,
               coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_added'), 0)::int AS granted,
               count(t.id) FILTER (WHERE t.type = 'credit_reserved')::int AS holds
          FROM unnest($1::varchar[], $2::int[], $3::int[]) AS o(org_id, granted, holds)
          LEFT JOIN credit_transaction t ON t.org_id = o.org_id
         GROUP BY o.org_id, o.granted, o.holds
        HAVING (o.granted IS NOT NULL AND coalesce(sum(t.amount) FILTER (WHERE t.type = 'credit_added'), 0) <> o.granted)
            OR (o.holds IS NOT NULL AND count(t.id) FILTER (WHERE t.type = 'credit_reserved') <> o.holds)`,
};

const IDLE_CHECK: Check = {
  rule: 'nothing left processing once the workers have stopped',
  sql: `SELECT org_id, id, status, job_id, processing_started_at FROM enrichment
         WHERE org_id = ANY($1) AND status = 'processing'`,
};

/** With no worker running (after a clean shutdown), a row still `processing` was abandoned mid-job. */
export async function auditIdle(db: Pool, orgs: readonly string[]): Promise<Violation[]> {
  const { rows } = await db.query<Record<string, unknown> & { org_id: string }>(IDLE_CHECK.sql, [orgs]);
  return rows.slice(0, 20).map(({ org_id: orgId, ...detail }) => ({ rule: IDLE_CHECK.rule, orgId, detail }));
}

/**
 * Runs every invariant over the given orgs (or all of them) and returns the violations (an
 * empty list is a pass) with the figures they were checked on.
 */
export async function audit(
  db: Pool,
  options: AuditOptions,
): Promise<{ violations: Violation[]; counts: AuditCounts }> {
  const orgs =
    options.orgs ??
    (
      await db.query<{ org_id: string }>(
        `SELECT org_id FROM credit_account UNION SELECT org_id FROM credit_transaction UNION SELECT org_id FROM enrichment`,
      )
    ).rows.map((row) => row.org_id);
  const violations: Violation[] = [];
  const run = async (check: Check, params: unknown[]) => {
    const { rows } = await db.query<Record<string, unknown> & { org_id: string }>(check.sql, params);
    for (const { org_id: orgId, ...detail } of rows.slice(0, 20)) violations.push({ rule: check.rule, orgId, detail });
    if (rows.length > 20) violations.push({ rule: check.rule, orgId: null, detail: { more: rows.length - 20 } });
  };
  for (const check of CHECKS) await run(check, [orgs]);
  if (options.drained) for (const check of DRAINED_CHECKS) await run(check, [orgs]);
  else await run(IN_FLIGHT_CHECK, [orgs, options.maxInFlightMs ?? 60000]);
  if (options.maxAgeMs !== undefined)
    await run(MAX_AGE_CHECK, [orgs, options.maxAgeMs + (options.maxAgeSlackMs ?? 3000)]);
  if (options.expected) {
    const entries = Object.entries(options.expected);
    await run(EXPECTED_CHECK, [
      entries.map(([org]) => org),
      entries.map(([, e]) => e.granted ?? null),
      entries.map(([, e]) => e.holds ?? null),
    ]);
  }
  return { violations, counts: await countsOf(db, orgs) };
}

async function countsOf(db: Pool, orgs: readonly string[]): Promise<AuditCounts> {
  const statuses = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM enrichment WHERE org_id = ANY($1) GROUP BY status ORDER BY status',
    [orgs],
  );
  const [ledger] = (
    await db.query<Omit<AuditCounts, 'orgs' | 'enrichments'>>(
      `SELECT count(*) FILTER (WHERE type = 'credit_reserved')::int AS holds,
              count(*) FILTER (WHERE type IN ${SETTLEMENT})::int AS settlements,
              coalesce(sum(amount) FILTER (WHERE type = 'credit_added'), 0)::int AS granted,
              coalesce(sum(amount) FILTER (WHERE type = 'credit_consumed'), 0)::int AS consumed,
              coalesce(sum(amount) FILTER (WHERE type = 'credit_released'), 0)::int AS released,
              (SELECT coalesce(sum(available), 0)::int FROM credit_account WHERE org_id = ANY($1)) AS available,
              (SELECT coalesce(sum(held), 0)::int FROM credit_account WHERE org_id = ANY($1)) AS held
         FROM credit_transaction WHERE org_id = ANY($1)`,
      [orgs],
    )
  ).rows;
  return {
    orgs: orgs.length,
    enrichments: Object.fromEntries(statuses.rows.map((row) => [row.status, row.n])),
    ...ledger,
  };
}
