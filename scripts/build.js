// @ts-check
'use strict';
/**
 * `npm run build` (always builds) and the build step of `npm start` (builds only when the
 * sources changed since the last build). A build records a hash of its inputs in
 * dist/.build-stamp; a content hash rather than mtimes, so a checkout or a copy that touches
 * every file does not force a rebuild, and an edit that keeps the mtime still does.
 */
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const ROOT = join(__dirname, '..');
/** What the build output depends on. Specs are not built (tsconfig.app.json excludes them). */
const INPUTS = ['apps', 'libs', 'tsconfig.json', 'nest-cli.json', 'package-lock.json'];
const NOT_BUILT = /\.spec\.ts$/;
const APPS = ['api', 'worker'];
/** The entry file of each app in dist, as `nest build` lays it out. */
const entryOf = (root, app) => join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
const stampOf = (root) => join(root, 'dist', '.build-stamp');

/** A hash of every input file's path and content. */
function sourceHash(root = ROOT) {
  const hash = createHash('sha256');
  /** @param {string} relative */
  const visit = (relative) => {
    const path = join(root, relative);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(relative, name));
    } else if (!NOT_BUILT.test(relative)) {
      hash.update(relative).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  INPUTS.forEach(visit);
  return hash.digest('hex');
}

/** Whether dist holds a build of exactly the current sources. */
function buildIsCurrent(root = ROOT) {
  const stamp = stampOf(root);
  if (!existsSync(stamp) || !APPS.every((app) => existsSync(entryOf(root, app)))) return false;
  return readFileSync(stamp, 'utf8').trim() === sourceHash(root);
}

/**
 * Builds both apps with the Nest CLI (run by node directly, with no shell in between, so a
 * signal that stops the caller can stop the build too), then writes the stamp — of the
 * sources as they were when the build began, so an edit made during the build is built next time.
 */
async function build(root = ROOT) {
  const hash = sourceHash(root);
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  for (const app of APPS) await run(process.execPath, [nest, 'build', app], root);
  mkdirSync(dirname(stampOf(root)), { recursive: true });
  writeFileSync(stampOf(root), `${hash}\n`);
}

/** Builds unless dist is current; says which, on stderr (stdout is the app's). Returns whether it built. */
async function buildIfChanged(root = ROOT) {
  if (buildIsCurrent(root)) {
    process.stderr.write('Build: dist is up to date with the sources, not rebuilding.\n');
    return false;
  }
  process.stderr.write('Build: the sources changed since the last build (or there is none); building...\n');
  await build(root);
  return true;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 */
function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    // SIGINT/SIGTERM to this process (npm forwards them) stop the build and then this process.
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', forward).removeListener('SIGTERM', forward);
      if (signal) process.kill(process.pid, signal);
      else if (code === 0) resolve(undefined);
      else reject(new Error(`${args.slice(1).join(' ')} failed (exit code ${code})`));
    });
  });
}

module.exports = { sourceHash, buildIsCurrent, build, buildIfChanged, entryOf };

if (require.main === module) {
  build().catch((/** @type {Error} */ error) => {
    console.error(error.message);
    process.exit(1);
  });
}
