import { createThrowawayDatabase } from '@app/core/testing/throwaway-database';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { enrichmentServices } from '../testing/enrichment-services';

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
    s = enrichmentServices(dataSource, { ENRICHMENT_BATCH_SIZE: 50 });
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

    const query = jest.spyOn(Client.prototype, 'query');
    let sent: { text: string; values: unknown[] }[];
    try {
      await s.processing.processBatch(jobId, ids);
      // As text and values, or as a named statement's config (queryPrepared).
      sent = query.mock.calls.flatMap(([first, second]: unknown[]) => {
        const config =
          typeof first === 'object' && first !== null ? (first as { text?: unknown; values?: unknown }) : {};
        const text = typeof first === 'string' ? first : config.text;
        const values = typeof first === 'string' ? second : config.values;
        return typeof text === 'string' && Array.isArray(values) ? [{ text, values: values as unknown[] }] : [];
      });
    } finally {
      query.mockRestore();
    }

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
});
