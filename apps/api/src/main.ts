import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ensureDatabaseExists, loadConfig } from '@app/core';
import { DevInfra, ensureDevInfra } from '@app/core/dev-infra';
import { AppModule } from './app.module';
import { DemoTokens, migrateAndSeed } from './cli/demo-seed';
import { startBanner } from './cli/start-banner';
import { configureApp } from './configure-app';

/**
 * Serves the API. `--seed` (what `npm start` passes) first migrates and writes the demo data
 * in this same process, so the embedded PostgreSQL/Redis fallback (development only) is
 * started once and serves both steps.
 */
async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const running: { infra?: DevInfra; app?: INestApplication } = {};
  stopOnSignals(running);
  running.infra = await ensureDevInfra({ stopOnSignals: false });
  const config = loadConfig();
  let tokens: DemoTokens | undefined;
  if (process.argv.includes('--seed')) tokens = await migrateAndSeed(config);
  else await ensureDatabaseExists(config.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  running.app = app;
  configureApp(app, config);
  await app.listen(config.PORT, config.HOST);
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(startBanner({ host: config.HOST, port, ...running.infra.summary, tokens }));
}

/**
 * SIGINT/SIGTERM close the app (its shutdown hooks: workers finish their jobs, sweeps their
 * pass, connections close), then stop the embedded servers, then exit 0. One signal is enough:
 * a Ctrl-C in the terminal of `npm start` reaches this process twice (from the terminal and
 * forwarded by npm), and the second must not cut the first one's clean shutdown short.
 */
function stopOnSignals(running: { infra?: DevInfra; app?: INestApplication }): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    let code = 0;
    try {
      await running.app?.close();
    } catch (error) {
      // The stack too: which shutdown step threw is what an operator (or a flaky CI run) needs.
      console.error(
        `Closing the app failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      code = 1;
    }
    await running.infra?.stop();
    process.exit(code);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
