import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { DataSource } from 'typeorm';
import { enrichmentServices } from '../testing/enrichment-services';
import { statementsOf } from '../testing/statements-of';

/** Indexes a job must never walk: they hold every open row (or every row of a status). */
const BACKLOG_INDEXES = ['IDX_enrichment_open_requested', 'IDX_enrichment_status_queued'];

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** A parameter's text, as pg sends it: dates as ISO strings, objects as JSON. */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A value as an untyped SQL literal (EXECUTE coerces it to the parameter's type). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const element = (item: unknown): string => (item === null ? 'NULL' : `"${textOf(item).replace(/["\\]/g, '\\$&')}"`);
  const text = Array.isArray(value) ? `{${value.map(element).join(',')}}` : textOf(value);
  return `'${text.replace(/'/g, "''")}'`;
}

/** Plans that scan a whole table (one that grows with use) a job only ever needs a few rows of. */
const scansOf = (nodes: PlanNode[]) =>
  nodes
    .filter(
      (node) =>
        (node['Node Type'] === 'Seq Scan' &&
          ['enrichment', 'global_enrichment', 'enrichment_operation', 'enrichment_operation_item'].includes(
            node['Relation Name'] ?? '',
          )) ||
        BACKLOG_INDEXES.includes(node['Index Name'] ?? ''),
    )
    .map((node) => node['Index Name'] ?? `${node['Node Type']} on ${node['Relation Name']}`);

/**
 * A job reaches its rows by their ids and the cache by its leads, whatever the planner's
 * statistics say. Here the tables have none (as after a restore, or before autovacuum's first
 * look at a table a burst of requests just filled): with plain status comparisons the claim and
 * the finish walked every open row per job, and with the cache's key led by entity_type the cache
 * reads walked every cached lead — costs that grow with the backlog and the cache, per job.
 */
describe('EnrichmentProcessingService plans (PostgreSQL, no statistics)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let s: ReturnType<typeof enrichmentServices>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_plans_spec'));
    // Jobs of 50 however large the request: the job measured is one among many open rows.
    s = enrichmentServices(dataSource, { ENRICHMENT_BATCH_SIZE: 50, ENRICHMENT_JOBS_PER_REQUEST: 1000 });
  });
  afterAll(() => drop?.());

  it('claims, finishes and reads the cache through the ids, with 3,000 open rows and 21,000 cached leads', async () => {
    const orgId = await s.newOrg(1_000_000);
    const leads = await s.newLeads(3_000);
    for (const lead of leads.slice(0, 1_000)) s.waterfall.known.add(lead);
    // A cache that has seen other leads: 20,000 findings, none of this org's.
    await dataSource.query(
      `INSERT INTO global_enrichment (entity_type, entity_id, field, data, provider, found_at)
       SELECT 'person', gen_random_uuid(), 'emails', '{"emails": []}', 'earlier', now() FROM generate_series(1, 20000)`,
    );
    const { enrichments } = await s.bulk(orgId, leads);
    // The first jobs fill the cache; the one measured below has findings to store and read.
    await s.runJobs(enrichments.slice(0, 950).map((row) => row.id));
    const [jobId, ids] = [...s.queue.jobs].find(([, jobIds]) => jobIds.includes(enrichments[975].id)) ?? [];
    if (!jobId || !ids) throw new Error('no job carries the measured enrichments');

    const sent = await statementsOf(() => s.processing.processBatch(jobId, ids));

    const touching = sent.filter(({ text }) => /\b(enrichment|global_enrichment)\b/.test(text));
    const plans: { text: string; nodes: PlanNode[] }[] = [];
    for (const { text, values } of touching) {
      // EXPLAIN plans without running; in a transaction rolled back all the same.
      await dataSource.transaction(async (manager) => {
        const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await manager.query(
          `EXPLAIN (FORMAT JSON) ${text}`,
          values,
        );
        plans.push({ text, nodes: nodesOf(plan[0].Plan) });
      });
    }
    const claim = plans.find(({ text }) => text.startsWith('UPDATE enrichment SET status = $1, job_id = $2'));
    const finish = plans.find(({ text }) => text.startsWith('UPDATE enrichment e'));
    // The reads by lead (the check that stored rows still exist goes by their primary key).
    const cacheReads = plans.filter(({ text }) => /FROM global_enrichment\s+WHERE[^]*entity_id = ANY/.test(text));
    expect(claim).toBeDefined();
    expect(finish).toBeDefined();
    expect(cacheReads.length).toBeGreaterThanOrEqual(2);

    for (const { text, nodes } of plans) {
      const walked = nodes.filter((node) => BACKLOG_INDEXES.includes(node['Index Name'] ?? ''));
      expect({ text, walked }).toEqual({ text, walked: [] });
    }
    for (const { text, nodes } of cacheReads) {
      // Every way into the cache is its unique key, with the leads in the condition: no scan
      // of the table, nor of the found_at index.
      const ways = nodes
        .filter((node) => node['Relation Name'] === 'global_enrichment' || node['Index Name']?.includes('global'))
        .filter((node) => node['Node Type'] !== 'Bitmap Heap Scan' && node['Node Type'] !== 'LockRows')
        .map((node) => ({
          index: node['Index Name'] ?? node['Node Type'],
          byLead: node['Index Cond']?.includes('entity_id') ?? false,
        }));
      expect(ways.length).toBeGreaterThan(0);
      expect({ text, ways }).toEqual({
        text,
        ways: ways.map(() => ({ index: 'UQ_global_enrichment_entity_field', byLead: true })),
      });
    }
  });

  it('a request looks its leads up in the cache by lead, not by walking every cached finding', async () => {
    const orgId = await s.newOrg(1_000_000);
    const leads = await s.newLeads(1_000);
    // The first test left 21,000 cached findings, none of these leads'.
    const sent = await statementsOf(() => s.bulk(orgId, leads));
    const insert = sent.find(({ text }) => /INSERT INTO enrichment AS e/.test(text));
    if (!insert) throw new Error('the request inserted no enrichments');
    const ways = await dataSource.transaction(async (manager) => {
      const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await manager.query(
        `EXPLAIN (FORMAT JSON) ${insert.text}`,
        insert.values,
      );
      return nodesOf(plan[0].Plan)
        .filter((node) => node['Relation Name'] === 'global_enrichment' || node['Index Name']?.includes('global'))
        .map((node) => ({
          index: node['Index Name'] ?? node['Node Type'],
          byLead: node['Index Cond']?.includes('entity_id') ?? false,
        }));
    });
    expect(ways).toEqual([{ index: 'UQ_global_enrichment_entity_field', byLead: true }]);
  });

  it('a request reads what it may reuse by lead, not by walking its org’s rows, planned per call or generic', async () => {
    const orgId = await s.newOrg(1_000_000);
    const leads = await s.newLeads(2_000);
    await s.bulk(orgId, leads);

    // Two leads the org has asked for: read, then read again under the account lock (what is
    // reused is decided there), and the request stops (nothing to hold). Both are this statement.
    const sent = await statementsOf(() => s.bulk(orgId, leads.slice(0, 2)));
    const reads = sent.filter(({ text }) => /^\s*SELECT\b/.test(text) && /\bFROM enrichment\b/.test(text));
    expect(reads).toHaveLength(2);
    expect(reads[1].text).toBe(reads[0].text);
    const [{ text, values }] = reads;

    const connection = dataSource.createQueryRunner();
    await connection.connect();
    try {
      const ways = async (explain: string): Promise<{ index: string; byLead: boolean }[]> => {
        const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await connection.query(explain);
        return nodesOf(plan[0].Plan)
          .filter((node) => node['Relation Name'] === 'enrichment')
          .map((node) => ({
            index: node['Index Name'] ?? node['Node Type'],
            byLead: node['Index Cond']?.includes('entity_id') ?? false,
          }));
      };
      await connection.query(`PREPARE reuse_read AS ${text}`);
      const custom = await ways(`EXPLAIN (FORMAT JSON) EXECUTE reuse_read(${values.map(literal).join(', ')})`);
      await connection.query('SET plan_cache_mode = force_generic_plan');
      const generic = await ways(`EXPLAIN (FORMAT JSON) EXECUTE reuse_read(${values.map(literal).join(', ')})`);
      const byKey = [{ index: 'UQ_enrichment_org_entity_field', byLead: true }];
      expect({ custom, generic }).toEqual({ custom: byKey, generic: byKey });
    } finally {
      await connection.query('RESET plan_cache_mode');
      await connection.release();
    }
  });
});

/**
 * The statements requests and jobs send as named prepared statements (queryPrepared) run, after five
 * calls, on a generic plan that the connection keeps — made when it was first needed. Made on
 * a small table (a new deployment, the bench's truncated tables) a plan that scans the table is
 * the cheapest, and it stays the plan while the table grows, until an ANALYZE invalidates it:
 * the check that stored findings still exist went from 0.1 ms to 1.5 ms a job that way at
 * 20,000 cached leads. Here every statement a request and a job send is prepared on nearly
 * empty tables, the tables then grow, and the plans the connection kept are read.
 */
describe('Request and job generic plans (PostgreSQL, prepared on small tables)', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let s: ReturnType<typeof enrichmentServices>;

  beforeAll(async () => {
    ({ dataSource, drop } = await createThrowawayDatabase('enrichment_generic_plans_spec'));
    s = enrichmentServices(dataSource, { ENRICHMENT_BATCH_SIZE: 50 });
  });
  afterAll(() => drop?.());

  it('keeps no plan that scans enrichment, the global cache or the operations once they have grown', async () => {
    const orgId = await s.newOrg(1_000_000);
    const leads = await s.newLeads(20);
    for (const lead of leads.slice(0, 10)) s.waterfall.known.add(lead);
    // A cache hit, so that the request reads the cache too.
    await s.cache(leads[19]);
    let enrichments: { id: string }[] = [];
    const request = await statementsOf(async () => ({ enrichments } = await s.bulk(orgId, leads)));
    const [jobId, ids] = [...s.queue.jobs].find(([, jobIds]) => jobIds.includes(enrichments[0].id)) ?? [];
    if (!jobId || !ids) throw new Error('no job carries the enrichments');
    const job = await statementsOf(() => s.processing.processBatch(jobId, ids));
    const prepared = [...request, ...job].filter(
      ({ name, text }) =>
        name !== undefined && /\b(enrichment|global_enrichment|enrichment_operation(_item)?)\b/.test(text),
    );
    expect(prepared.length).toBeGreaterThanOrEqual(5);

    const connection = dataSource.createQueryRunner();
    await connection.connect();
    try {
      const explain = async (index: number, values: unknown[]): Promise<PlanNode[]> => {
        const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await connection.query(
          `EXPLAIN (FORMAT JSON) EXECUTE generic_${index}(${values.map(literal).join(', ')})`,
        );
        return nodesOf(plan[0].Plan);
      };
      // The generic plans, made (and kept by the connection) while the tables are small.
      await connection.query('SET plan_cache_mode = force_generic_plan');
      for (const [index, { text, values }] of prepared.entries()) {
        await connection.query(`PREPARE generic_${index} AS ${text}`);
        await explain(index, values);
      }

      // The tables grow (no DDL, no ANALYZE: nothing invalidates the kept plans).
      const more = await s.newLeads(3_000);
      await s.bulk(orgId, more);
      await dataSource.query(
        `INSERT INTO enrichment_operation (org_id, created_by, kind, field, status, total, reused, created)
         SELECT 'earlier', 'earlier', 'bulk', 'emails', 'completed', 1, 0, 1 FROM generate_series(1, 20000)`,
      );
      await dataSource.query(
        `INSERT INTO global_enrichment (entity_type, entity_id, field, data, provider, found_at)
         SELECT 'person', gen_random_uuid(), 'emails', '{"emails": []}', 'earlier', now() FROM generate_series(1, 20000)`,
      );

      const scanning: { statement: string; scans: string[] }[] = [];
      for (const [index, { text, values }] of prepared.entries()) {
        const scans = scansOf(await explain(index, values));
        if (scans.length > 0) scanning.push({ statement: text.replace(/\s+/g, ' ').slice(0, 120), scans });
      }
      expect(scanning).toEqual([]);
    } finally {
      await connection.release();
    }
  });
});
