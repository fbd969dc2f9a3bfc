import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import { withTimeout } from '@app/core';
import { ProvidersService } from '@app/providers';
import { OPS_REDIS } from './ops-redis.provider';

/** How long each dependency may take to answer a readiness probe. */
export const READINESS_TIMEOUT_MS = 1000;

/**
 * How long one readiness result answers every probe: the endpoint is public, and a flood of
 * probes must not become a flood of PostgreSQL and Redis pings. Single-flight: the probes that
 * arrive while a check runs wait for that check.
 */
export const READINESS_MAX_AGE_MS = 1000;

export interface HealthReport {
  /** false → the probe answers 503. */
  healthy: boolean;
  result: HealthCheckResult;
}

/**
 * Liveness and readiness, in terminus's shape. Indicators report only up/down and a fixed
 * message: a driver's error text (hosts, user names) never reaches this public endpoint.
 */
@Injectable()
export class ReadinessService {
  private latest: { startedAt: number; report: Promise<HealthReport> } | null = null;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    @Inject(OPS_REDIS) private readonly redis: Redis,
    private readonly providers: ProvidersService,
  ) {}

  /** The process is up and serving HTTP; no dependency is asked, so a database outage never restarts it. */
  async liveness(): Promise<HealthReport> {
    return this.run([]);
  }

  /**
   * PostgreSQL and Redis both answer: the process can take traffic. The providers' states are
   * reported alongside but never fail readiness: a vendor that is disabled or failing is not
   * cured by taking API processes out of rotation (the waterfall skips it, the jobs retry).
   */
  readiness(): Promise<HealthReport> {
    const now = Date.now();
    if (this.latest && now - this.latest.startedAt < READINESS_MAX_AGE_MS) return this.latest.report;
    const report = this.run([() => this.databaseUp(), () => this.redisUp(), () => this.providerStates()]);
    const latest = { startedAt: now, report };
    this.latest = latest;
    // An unexpected failure is not kept: the next probe checks again.
    report.catch(() => {
      if (this.latest === latest) this.latest = null;
    });
    return report;
  }

  private async run(checks: (() => Promise<HealthIndicatorResult>)[]): Promise<HealthReport> {
    try {
      return { healthy: true, result: await this.health.check(checks) };
    } catch (error) {
      // Terminus signals a failed check with a 503 exception carrying its usual body.
      if (error instanceof ServiceUnavailableException) {
        return { healthy: false, result: error.getResponse() as HealthCheckResult };
      }
      throw error;
    }
  }

  private async databaseUp(): Promise<HealthIndicatorResult> {
    const result = await this.database.pingCheck('database', { timeout: READINESS_TIMEOUT_MS });
    return result.database.status === 'up'
      ? result
      : this.indicators.check('database').down({ message: 'PostgreSQL did not answer' });
  }

  private async redisUp(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    try {
      await withTimeout(this.redis.ping(), READINESS_TIMEOUT_MS, 'Redis');
      return indicator.up();
    } catch {
      return indicator.down({ message: 'Redis did not answer' });
    }
  }

  /** Each enabled provider's state (`up`, `disabled`, `circuit_open`), without the vendor's reason text. */
  private async providerStates(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('providers');
    try {
      const states = await withTimeout(this.providers.health(), READINESS_TIMEOUT_MS, 'Provider states');
      return indicator.up({ providers: states.map(({ name, field, state }) => ({ name, field, state })) });
    } catch {
      return indicator.up({ message: 'Provider states unavailable' });
    }
  }
}
