import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import { AppConfig, RedisModule } from '@app/core';
import { CreditsModule } from '@app/credits';
import { EnrichmentModule } from '@app/enrichment';
import { ProvidersModule } from '@app/providers';
import { HealthController } from './controllers/health.controller';
import { MetricsController } from './controllers/metrics.controller';
import { QueueDashboardController, QueueDashboardLoginController } from './controllers/queue-dashboard.controller';
import { DASHBOARD_PATH, DashboardCookieMiddleware } from './http/dashboard-cookie.middleware';
import { HttpMetricsMiddleware } from './http/http-metrics.middleware';
import { AnonymousRateLimiter } from './rate-limit/anonymous-rate-limit.middleware';
import { OrgThrottlerGuard } from './rate-limit/org-throttler.guard';
import { MetricsService } from './services/metrics.service';
import { OPS_REDIS, opsRedisProvider } from './services/ops-redis.provider';
import { QueueDashboardService } from './services/queue-dashboard.service';
import { QueueRegistry } from './services/queue-registry.service';
import { ReadinessService } from './services/readiness.service';

/** The Redis connection, in a module of its own so the throttler's async factory can inject it. */
@Module({ imports: [RedisModule], providers: [opsRedisProvider], exports: [opsRedisProvider] })
class OpsRedisModule {}

/**
 * Running the service: liveness and readiness, Prometheus metrics, the per-org rate limit and
 * the queue dashboard. Import it after AuthModule: global guards run in registration order,
 * and the rate limit needs the caller that AuthGuard puts on the request.
 */
@Module({
  imports: [
    DiscoveryModule,
    TerminusModule,
    CreditsModule,
    // For the providers' states in readiness (the same module instance the processors use, if any).
    ProvidersModule,
    // Its stats feed /metrics.
    EnrichmentModule,
    OpsRedisModule,
    ThrottlerModule.forRootAsync({
      imports: [OpsRedisModule],
      inject: [AppConfig, OPS_REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ name: 'default', limit: config.RATE_LIMIT, ttl: config.RATE_LIMIT_WINDOW_MS }],
        storage: new ThrottlerStorageRedisService(redis),
      }),
    }),
  ],
  // The login page before the dashboard, whose catch-all route would otherwise take its path.
  controllers: [HealthController, MetricsController, QueueDashboardLoginController, QueueDashboardController],
  providers: [
    QueueRegistry,
    ReadinessService,
    MetricsService,
    QueueDashboardService,
    AnonymousRateLimiter,
    { provide: APP_GUARD, useClass: OrgThrottlerGuard },
  ],
  // Mounted by the app on Express itself, before the body is read (see configureApp).
  exports: [AnonymousRateLimiter],
})
export class OpsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
    consumer.apply(DashboardCookieMiddleware).forRoutes(DASHBOARD_PATH, `${DASHBOARD_PATH}/{*path}`);
  }
}
