import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/configure-app';
import { buildOpenApiDocument } from '../../apps/api/src/openapi/openapi-document';
import { Role, signToken } from '../../libs/auth/src';
import { AppConfig, loadConfig } from '../../libs/core/src';
import { OpenApiResponseValidator, RecordedResponse } from './openapi';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  dataSource: DataSource;
  http: () => ReturnType<typeof request>;
  /** Every JSON response the app sent, checked against the OpenAPI document when the app closes. */
  responses: RecordedResponse[];
  close: () => Promise<void>;
}

/** Boots the real API (real PostgreSQL, real Redis) with config overrides, as main.ts does. */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, ...overrides });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  const responses: RecordedResponse[] = [];
  app.use((req: Request, res: Response, next: NextFunction) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      responses.push({ method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, body });
      return json(body);
    };
    next();
  });
  configureApp(app, config);
  await app.init();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    config,
    dataSource,
    http: () => request(app.getHttpServer()),
    responses,
    close: async () => {
      const validator = new OpenApiResponseValidator(buildOpenApiDocument(app, config));
      await app.close();
      const problems = responses.flatMap((response) => validator.problemsWith(response));
      expect(problems).toEqual([]);
    },
  };
}

/** Empties everything a test writes (the lead table is seeded once per run and kept). */
export async function resetState(
  config: Pick<AppConfig, 'REDIS_URL' | 'QUEUE_PREFIX'>,
  dataSource: DataSource,
): Promise<void> {
  const tables: { tablename: string }[] = await dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('person', 'migrations')`,
  );
  const truncate = `TRUNCATE ${tables.map((table) => `"${table.tablename}"`).join(', ')}`;
  // A previous test's in-process workers may still be settling: TRUNCATE's table locks can then
  // deadlock with their row locks, and PostgreSQL aborts one side (40P01). The workers' side is
  // retried by Bull; ours is retried here.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await dataSource.query(truncate);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt === 5) throw error;
    }
  }
  const redis = new Redis(config.REDIS_URL);
  try {
    const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export function tokenFor(
  config: AppConfig,
  claims: { orgId: string; sub?: string; role?: Role },
  expiresInSeconds = 3600,
): string {
  return signToken(
    { sub: claims.sub ?? 'user_test', org_id: claims.orgId, role: claims.role ?? Role.MEMBER },
    { secret: config.JWT_SECRET, expiresInSeconds, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  );
}

/** Lead ids in the search's order, straight from SQL, for tests to pick from. */
export async function leadIds(dataSource: DataSource, count: number, offset = 0): Promise<string[]> {
  const rows: { id: string }[] = await dataSource.query(
    'SELECT id FROM person ORDER BY last_name, first_name, id OFFSET $1 LIMIT $2',
    [offset, count],
  );
  return rows.map((row) => row.id);
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
