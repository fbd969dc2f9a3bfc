import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Role } from '../libs/auth/src';
import { QueueName } from '../libs/enrichment/src';
import { enrich } from './support/requests';
import { createTestApp, leadIds, resetState, tokenFor, waitFor } from './support/test-app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Unparsable metrics line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  return found?.value;
}

describe('GET /metrics', () => {
  it('exposes HTTP latency by route template, queue depth, enrichment outcomes per provider and field, and credits held', async () => {
    const t = await createTestApp({ RUN_WORKERS: 'true' });
    try {
      await resetState(t.config, t.dataSource);
      const admin = tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN });
      await t
        .http()
        .post('/api/v1/admin/orgs/org_metrics/credits')
        .set('Authorization', `Bearer ${admin}`)
        .send({ amount: 10000, source: 'manual' })
        .expect(201);

      // Processed work: outcomes with the provider that found the data.
      const emailLeads = await leadIds(t.dataSource, 20, 1500);
      await enrich(t, 'org_metrics', emailLeads, 'emails');
      await waitFor(async () => {
        const [row]: { n: number }[] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM enrichment WHERE org_id = 'org_metrics' AND status = 'finished'`,
        );
        return row.n === 20;
      });

      // Unprocessed work: the queue holds it and its credits stay held.
      const queue = t.app.get<Queue>(getQueueToken(QueueName.ENRICHMENT));
      await queue.pause(true);
      await enrich(t, 'org_metrics', await leadIds(t.dataSource, 10, 1600), 'phones');
      await t.http().get('/no/such/route/org_metrics').expect(404);

      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const samples = parseMetrics(res.text);

      // Latency: labelled by the route template, never by the raw path (no cardinality explosion).
      expect(
        valueOf(samples, 'http_request_duration_seconds_count', {
          method: 'POST',
          route: '/api/v1/admin/orgs/:orgId/credits',
          status_code: '201',
        }),
      ).toBe(1);
      expect(
        valueOf(samples, 'http_request_duration_seconds_count', {
          method: 'POST',
          route: '/api/v1/operations/enrichment/bulk',
          status_code: '201',
        }),
      ).toBe(2);
      expect(
        valueOf(samples, 'http_request_duration_seconds_count', {
          method: 'GET',
          route: '(unmatched)',
          status_code: '404',
        }),
      ).toBe(1);
      expect(res.text).not.toContain('org_metrics');
      expect(
        valueOf(samples, 'http_request_duration_seconds_bucket', {
          route: '/api/v1/operations/enrichment/bulk',
          le: '+Inf',
        }),
      ).toBe(2);

      // Queue depth, per queue and state, as Redis has it.
      const counts = await queue.getJobCounts();
      expect(counts.waiting).toBeGreaterThan(0);
      expect(valueOf(samples, 'queue_jobs', { queue: 'enrichment', state: 'waiting' })).toBe(counts.waiting);
      expect(valueOf(samples, 'queue_jobs', { queue: 'enrichment', state: 'failed' })).toBe(counts.failed);

      // Outcomes per provider and field, as PostgreSQL has them (what every worker did).
      const outcomes: { provider: string | null; field: string; status: string; found: string; n: number }[] =
        await t.dataSource.query(
          `SELECT g.provider, e.field, e.status, coalesce(e.data_found::text, 'unknown') AS found, count(*)::int AS n
             FROM enrichment e LEFT JOIN global_enrichment g ON g.id = e.global_enrichment_id
            GROUP BY 1, 2, 3, 4`,
        );
      expect(outcomes.some((row) => row.provider !== null && row.field === 'emails')).toBe(true);
      const exposed = samples.filter((s) => s.name === 'enrichment_outcomes');
      expect(exposed).toHaveLength(outcomes.length);
      for (const row of outcomes) {
        const labels = {
          provider: row.provider ?? 'none',
          field: row.field,
          status: row.status,
          data_found: row.found,
        };
        expect(valueOf(samples, 'enrichment_outcomes', labels)).toBe(row.n);
      }
      expect(valueOf(samples, 'enrichment_outcomes', { field: 'phones', status: 'pending', provider: 'none' })).toBe(
        10,
      );

      // Credits held by the paused work.
      const [{ held }]: { held: number }[] = await t.dataSource.query(
        'SELECT sum(held)::int AS held FROM credit_account',
      );
      expect(held).toBe(10 * t.config.PRICE_PHONES);
      expect(valueOf(samples, 'credits_held')).toBe(held);

      expect(valueOf(samples, 'metrics_collector_up', { collector: 'credits_held' })).toBe(1);
      expect(valueOf(samples, 'metrics_collector_up', { collector: 'queue:enrichment' })).toBe(1);
      expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('with METRICS_TOKEN set, the scraper must present it as a bearer token', async () => {
    const token = 'scrape-me-0123456789abcdef';
    const t = await createTestApp({ RUN_WORKERS: 'false', METRICS_TOKEN: token });
    try {
      const none = await t.http().get('/metrics').expect(401);
      expect(none.body.error.code).toBe('UNAUTHORIZED');
      await t.http().get('/metrics').set('Authorization', 'Bearer scrape-me-0123456789abcdeX').expect(401);
      // A user's JWT is not the scrape token.
      await t
        .http()
        .get('/metrics')
        .set('Authorization', `Bearer ${tokenFor(t.config, { orgId: 'org_ops', role: Role.ADMIN })}`)
        .expect(401);
      const ok = await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
      expect(ok.text).toContain('# TYPE http_request_duration_seconds histogram');
    } finally {
      await t.close();
    }
  });
});
