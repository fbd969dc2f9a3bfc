import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig, AppException, ErrorCode, withTimeout } from '@app/core';
import { CreditsService } from '@app/credits';
import { EnrichmentStatsService } from '@app/enrichment';
import { QueueRegistry } from './queue-registry.service';

/** How long one scrape-time source (a queue, a query) may take before the scrape goes on without it. */
const COLLECT_TIMEOUT_MS = 2000;

/**
 * How long the scrape-time figures are reused. The outcome counts are a GROUP BY over the
 * enrichment table (hundreds of ms at 300,000 rows): read at most this often, and once for all
 * scrapers at once, a scrape costs the same whatever the table size and the number of scrapers.
 */
export const METRICS_SOURCES_MAX_AGE_MS = 5000;

/**
 * How long one rendered exposition answers every scrape. Rendering the whole registry (default
 * process metrics, the latency histogram) costs milliseconds of CPU; ten scrapers in a loop would
 * otherwise keep a core busy. Prometheus scrapes every 15 s or so: a second-old figure is exact enough.
 */
export const METRICS_RENDER_MAX_AGE_MS = 1000;

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'] as const;

/** A label value for "no provider" (nothing found, or not processed yet). */
export const NO_PROVIDER = 'none';

/**
 * The Prometheus registry of this process. HTTP latency is observed as requests finish;
 * everything else is read from Redis (queue depth) and PostgreSQL (outcomes, credits held), so
 * the figures cover every API and worker process, not just this one — at most every
 * METRICS_SOURCES_MAX_AGE_MS, single-flight: concurrent scrapes share one read.
 * One registry per app (not prom-client's global one), so several apps can share a process.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly queueJobs = new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per Bull queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });

  private readonly enrichmentOutcomes = new Gauge({
    name: 'enrichment_outcomes',
    help: 'Enrichment records by provider (none: nothing found yet), field, status and data_found, from PostgreSQL',
    labelNames: ['provider', 'field', 'status', 'data_found'],
    registers: [this.registry],
  });

  private readonly creditsHeld = new Gauge({
    name: 'credits_held',
    help: 'Credits held by unsettled work, all organisations, from PostgreSQL',
    registers: [this.registry],
  });

  private readonly collectorUp = new Gauge({
    name: 'metrics_collector_up',
    help: '1 when the scrape-time source answered, 0 when its figures are missing from this scrape',
    labelNames: ['collector'],
    registers: [this.registry],
  });

  /** The read of the sources in progress, which every scrape arriving meanwhile waits for. */
  private refreshing: Promise<void> | null = null;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  /** The latest rendering (or the one in progress), shared by every scrape within its age. */
  private rendered: { startedAt: number; text: Promise<string> } | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
    private readonly enrichmentStats: EnrichmentStatsService,
    private readonly credits: CreditsService,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** With METRICS_TOKEN set, the scraper must present it as a bearer token. */
  assertScraperAllowed(authorization: string | undefined): void {
    const expected = this.config.METRICS_TOKEN;
    if (!expected) return;
    const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new AppException(ErrorCode.UNAUTHORIZED, 'GET /metrics needs the metrics bearer token');
    }
  }

  /**
   * Brings the sources' figures up to date (see METRICS_SOURCES_MAX_AGE_MS), then renders the
   * registry — once per METRICS_RENDER_MAX_AGE_MS for all scrapers.
   */
  render(): Promise<string> {
    const now = Date.now();
    if (this.rendered && now - this.rendered.startedAt < METRICS_RENDER_MAX_AGE_MS) return this.rendered.text;
    const rendered = { startedAt: now, text: this.refreshSources().then(() => this.registry.metrics()) };
    this.rendered = rendered;
    rendered.text.catch(() => {
      if (this.rendered === rendered) this.rendered = null;
    });
    return rendered.text;
  }

  private refreshSources(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (Date.now() - this.refreshedAt < METRICS_SOURCES_MAX_AGE_MS) return Promise.resolve();
    this.refreshing = this.readSources().finally(() => {
      this.refreshedAt = Date.now();
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async readSources(): Promise<void> {
    this.queueJobs.reset();
    this.enrichmentOutcomes.reset();
    this.creditsHeld.reset();
    await Promise.all([
      ...this.queues.queues().map((queue) =>
        this.collect(`queue:${queue.name}`, async () => {
          const counts = await withTimeout(queue.getJobCounts(), COLLECT_TIMEOUT_MS, `queue ${queue.name}`);
          const byState = counts as unknown as Record<string, number | undefined>;
          for (const state of JOB_STATES) this.queueJobs.set({ queue: queue.name, state }, byState[state] ?? 0);
        }),
      ),
      this.collect('enrichment_outcomes', async () => {
        const rows = await withTimeout(this.enrichmentStats.outcomeCounts(), COLLECT_TIMEOUT_MS, 'outcomes');
        for (const row of rows) {
          const dataFound = row.dataFound === null ? 'unknown' : String(row.dataFound);
          const labels = { provider: row.provider ?? NO_PROVIDER, field: row.field, status: row.status };
          this.enrichmentOutcomes.set({ ...labels, data_found: dataFound }, row.count);
        }
      }),
      this.collect('credits_held', async () => {
        this.creditsHeld.set(await withTimeout(this.credits.totalHeld(), COLLECT_TIMEOUT_MS, 'credits held'));
      }),
    ]);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Runs one source; a failing source is reported by metrics_collector_up, never fails the scrape. */
  private async collect(collector: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.collectorUp.set({ collector }, 1);
    } catch (error) {
      this.collectorUp.set({ collector }, 0);
      this.logger.warn(`Metrics source ${collector} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
