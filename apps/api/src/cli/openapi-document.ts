import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync, writeFileSync } from 'node:fs';
import { loadConfig } from '@app/core';
import { AppModule } from '../app.module';
import { buildOpenApiDocument } from '../openapi/openapi-document';

/**
 * `node dist/apps/api/apps/api/src/cli/openapi-document.js <file>`: writes the document
 * /docs-json serves. Nest's preview mode scans the modules without instantiating anything,
 * so no database or Redis is needed. Run from the build: the Swagger CLI plugin, which
 * documents the DTOs, runs at compile time.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const out = process.argv[2];
  if (!out) {
    console.error('Usage: openapi-document <output.json>');
    process.exit(2);
  }
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(app, config), null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
