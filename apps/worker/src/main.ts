import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { loadConfig } from '@app/core';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
