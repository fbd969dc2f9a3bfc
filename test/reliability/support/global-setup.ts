// globalSetup runs outside Jest's module registry: the shared e2e setup registers the @app/* aliases.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDatabase } from '../../support/global-setup';
import { RELIABILITY_DATABASE_URL } from './env';
import { SCENARIO_LOG } from './summary';

const ROOT = join(__dirname, '..', '..', '..');
const BUILT = ['dist/apps/api/apps/api/src/main.js', 'dist/apps/worker/apps/worker/src/main.js'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The suite runs the built API and worker as child processes (so they can be killed), so
 * `dist/` must match the sources: it is rebuilt when missing or older than any source file.
 */
function ensureBuilt(): void {
  const built = BUILT.map((file) => join(ROOT, file));
  const oldestBuild = Math.min(...built.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const sources = Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (oldestBuild >= sources) return;
  console.log('\nreliability: dist/ is missing or older than the sources, running npm run build');
  execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
}

export default async function reliabilityGlobalSetup(): Promise<void> {
  ensureBuilt();
  await prepareDatabase(RELIABILITY_DATABASE_URL);
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  rmSync(SCENARIO_LOG, { force: true });
}
