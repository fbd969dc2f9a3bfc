import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ensureDatabaseExists, loadConfig } from '@app/core';
import { ensureDevInfra } from '@app/core/dev-infra';
import { AppModule } from './app.module';
import { migrateAndSeed } from './cli/demo-seed';
import { configureApp } from './configure-app';

/**
 * Serves the API. `--seed` (what `npm start` passes) first migrates and writes the demo data
 * in this same process, so the embedded PostgreSQL/Redis fallback (development only) is
 * started once and serves both steps.
 */
async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  await ensureDevInfra();
  const config = loadConfig();
  if (process.argv.includes('--seed')) await migrateAndSeed(config);
  else await ensureDatabaseExists(config.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, config);
  await app.listen(config.PORT);
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(`Listening on http://localhost:${port} (Swagger UI: http://localhost:${port}/docs)`);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
