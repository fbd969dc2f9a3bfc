import type { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';

/** What Bull 4's queue has and its types do not declare. */
interface BullInternals {
  /** Called by process() without handling the promise it returns. */
  setWorkerName(): Promise<void>;
  /** Set by close(). */
  closing?: Promise<void>;
}

/**
 * `queue.process('*', concurrency, handle)` for a processor's onModuleInit, safe to close at any
 * moment after it.
 *
 * Closed before its clients were ready (a SIGTERM in the first moments after a start), a Bull 4
 * queue leaves two rejected promises nobody handles: process()'s own (it settles only when
 * processing stops, and rejects with `undefined` when the blocking client ends before it was
 * ready), and that of the `setWorkerName()` call process() starts and drops (a TypeError from
 * Bull's own catch, which reads `.message` of that `undefined`, or ioredis's "Connection is
 * closed."). Either one, unhandled, ends the process with code 1 in the middle of a clean
 * shutdown. Both are handled here: ignored once the queue is closing, logged otherwise — a queue
 * that stops taking jobs while the process runs is an error (its pending enrichments or events
 * wait for the recovery sweeps), a worker connection without its name only a warning (it names
 * the worker in Redis's client list and the queue dashboard).
 */
export function processAllJobs<T>(
  queue: Queue<T>,
  concurrency: number,
  handle: (job: Job<T>) => Promise<void>,
  logger: Logger,
): void {
  const internals = queue as unknown as BullInternals;
  const closing = () => internals.closing !== undefined;
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const setWorkerName = internals.setWorkerName.bind(queue);
  internals.setWorkerName = () =>
    setWorkerName().catch((error: unknown) => {
      if (!closing()) logger.warn(`The ${queue.name} queue could not name its worker connection: ${reason(error)}`);
    });
  queue.process('*', concurrency, handle).catch((error: unknown) => {
    if (!closing()) logger.error(`The ${queue.name} queue stopped taking jobs: ${reason(error)}`);
  });
}
