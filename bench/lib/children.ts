import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

const LOG_TAIL_LINES = 40;
const STOP_GRACE_MS = 5000;

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote, shown when it dies or a phase fails. */
  tail: string[];
  exited: boolean;
}

/**
 * Every process the bench starts, so that each one is stopped on success, on failure and on
 * Ctrl-C — and only those (by pid, never by name).
 */
export class Children {
  private readonly running = new Set<Child>();

  constructor() {
    // Last resort when the bench itself exits (an uncaught error): no orphan keeps a port or a connection.
    process.on('exit', () => {
      for (const child of this.running) if (!child.exited) child.proc.kill('SIGKILL');
    });
  }

  start(name: string, args: string[], env: NodeJS.ProcessEnv, options: { ipc?: boolean } = {}): Child {
    const proc = spawn(process.execPath, args, {
      env,
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    if (proc.pid === undefined) throw new Error(`could not start ${name}`);
    const child: Child = { name, proc, pid: proc.pid, tail: [], exited: false };
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        child.tail.push(line.length > 4000 ? `${line.slice(0, 4000)}…` : line);
        if (child.tail.length > LOG_TAIL_LINES) child.tail.shift();
      }
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('exit', () => {
      child.exited = true;
      this.running.delete(child);
    });
    this.running.add(child);
    return child;
  }

  /** SIGTERM (the apps' shutdown hooks close their connections), SIGKILL after a grace period. */
  async stop(child: Child): Promise<void> {
    if (child.exited) return;
    const exit = once(child.proc, 'exit');
    child.proc.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), delay(STOP_GRACE_MS).then(() => false)]);
    if (!stopped) {
      child.proc.kill('SIGKILL');
      await exit;
    }
  }

  /** The last lines of every child still running, for the report of a failed run. */
  tails(): string {
    return [...this.running]
      .map((child) => `--- ${child.name} (pid ${child.pid}):\n  ${child.tail.join('\n  ')}`)
      .join('\n');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => this.stop(child)));
  }

  /** Fails fast, with the child's last words, when a child that should be running has died. */
  assertAlive(...children: Child[]): void {
    for (const child of children) {
      if (child.exited) throw new Error(`${child.name} (pid ${child.pid}) exited:\n  ${child.tail.join('\n  ')}`);
    }
  }
}

/** Polls until `probe` resolves true, failing with the child's output when it dies or time runs out. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  children: Children,
  watched: Child[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    children.assertAlive(...watched);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tails = watched.map((child) => `${child.name}:\n  ${child.tail.join('\n  ')}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${tails}`);
    }
    await delay(100);
  }
}

/** Peak and current resident set size of a process, in MiB, from /proc (Linux). */
export async function memoryOf(pid: number): Promise<{ rssMb: number; hwmMb: number } | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null when it is gone. */
export async function cpuSecondsOf(pid: number): Promise<number | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime, stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A loopback port nothing listens on right now, for a child to serve on. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
