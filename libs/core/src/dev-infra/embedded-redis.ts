import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { EmbeddedService } from './embedded-postgres';
import { isReachable } from './reachability';

/** What to do when nothing answers at `url` (REDIS_URL, shown without credentials) and there is no redis-server. */
export function redisMissingHelp(url: string): string {
  return (
    `No Redis answers at ${url} (REDIS_URL) and no redis-server is installed to start one. ` +
    'Install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) ' +
    'or set REDIS_URL to a Redis you can reach.'
  );
}

/** The first executable `name` on PATH, as a shell would find it. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * A throwaway redis-server on a free loopback port: no persistence (queues of a dev run are
 * not worth keeping), its working directory under `dataDir`. It is tied to this process:
 * `stop()` ends it, and where util-linux's setpriv exists the kernel ends it too if this
 * process dies without cleaning up. `port` reuses a port (a test restarting "the same" Redis).
 */
export async function startEmbeddedRedis(
  dataDir: string,
  redisServer: string,
  port?: number,
): Promise<EmbeddedService> {
  mkdirSync(dataDir, { recursive: true });
  port ??= await freeLoopbackPort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dataDir];
  const setpriv = findOnPath('setpriv');
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'SIGTERM', redisServer, ...args], { stdio: 'ignore' })
    : spawn(redisServer, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitUntilListening(child, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await isReachable('127.0.0.1', port, 200))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before listening`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not listen on 127.0.0.1:${port} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
