import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, leadIds, resetState, TestApp, tokenFor } from './support/test-app';
import { grant } from './support/requests';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
/** Inside the repository so the program resolves openapi-fetch from node_modules; git-ignored. */
const WORK_DIR = join(ROOT, 'test-output', `partner-${process.pid}`);
const ORG = 'org_partner';

/**
 * What a TypeScript partner does: generate types from /docs-json with openapi-typescript,
 * write a client with openapi-fetch against them (test/partner/partner.ts: bulk, batch,
 * batch/query, person GET, balance, history, typed errors; no casts), compile it with
 * `tsc --strict`, run it against the app on a real port with a real token.
 */
describe('A partner program generated from the OpenAPI document', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    await resetState(t.config, t.dataSource);
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    rmSync(WORK_DIR, { recursive: true, force: true });
    mkdirSync(WORK_DIR, { recursive: true });
  });
  afterAll(async () => {
    rmSync(WORK_DIR, { recursive: true, force: true });
    await t.close();
  });

  it('has no casts and no any', () => {
    const source = readFileSync(join(__dirname, 'partner', 'partner.ts'), 'utf8');
    expect(source).not.toMatch(/\bas (?!const\b)\w|<any>|: any\b|@ts-/);
  });

  it('generates, type-checks with --strict, and runs: every call typed, errors typed per status', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body;
    writeFileSync(join(WORK_DIR, 'openapi.json'), JSON.stringify(document));
    await run(process.execPath, [
      join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
      join(WORK_DIR, 'openapi.json'),
      '--output',
      join(WORK_DIR, 'api.d.ts'),
    ]);
    copyFileSync(join(__dirname, 'partner', 'partner.ts'), join(WORK_DIR, 'partner.ts'));
    await run(process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--strict',
      '--target',
      'es2022',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node10',
      '--esModuleInterop',
      '--skipLibCheck',
      '--types',
      'node',
      '--typeRoots',
      join(ROOT, 'node_modules/@types'),
      '--outDir',
      WORK_DIR,
      join(WORK_DIR, 'partner.ts'),
    ]).catch((error: { stdout?: string }) => {
      throw new Error(`tsc --strict refused the partner program:\n${error.stdout}`);
    });

    await grant(t, ORG, 1000);
    const ids = await leadIds(t.dataSource, 3, 2700);
    const { stdout } = await run(process.execPath, [join(WORK_DIR, 'partner.js')], {
      env: {
        ...process.env,
        BASE_URL: baseUrl,
        API_TOKEN: tokenFor(t.config, { orgId: ORG }),
        LEAD_IDS: ids.join(','),
      },
    });
    const seen = JSON.parse(stdout);
    expect(seen).toMatchObject({
      bulkIds: ids.slice(0, 2),
      batchCount: 2,
      requiredCredits: 5,
      statuses: ['pending', 'pending'],
      personStatus: 'pending',
      balance: 1000 - 2 * 5 - 2 * 20,
      history: { count: 2, total: 3 },
      unknownIdsField: 'personIds',
      shortfall: { required: 20_000, available: 950 },
    });
    expect(seen.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.history.updatedAt).toMatch(/Z$/);
  });
});
