import type { PGlite } from '@electric-sql/pglite';

/** Frontend message types that end a unit of work: after them the session may change hands. */
const SIMPLE_QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

/**
 * Shares PGlite's single session between the socket connections of a pool.
 *
 * pglite-socket's own multiplexer hands the session to another connection between any two
 * messages unless an explicit transaction is open. node-postgres sends an extended query as
 * Parse/Bind/Describe/Execute/Sync, and a large one arrives in several TCP chunks: another
 * connection's Parse then lands in the middle and replaces the unnamed statement ("bind
 * message supplies 2 parameters, but prepared statement "" requires 1"). Here a connection
 * keeps the session from its first message until the end of the unit (Sync, or a simple
 * Query), and for as long as it holds a transaction block open.
 *
 * It has the shape of pglite-socket's (unexported) QueryQueueManager, which
 * PGLiteSocketHandler takes as its `queryQueue` option.
 */
export class SerialQueryQueue {
  private readonly queue: Pending[] = [];
  private owner: number | null = null;
  private processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].handlerId !== handlerId) continue;
      this.queue[i].reject(new Error('Handler disconnected'));
      this.queue.splice(i, 1);
    }
  }

  /** A connection that went away while holding the session must not leave it half-used. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    // Ends an unfinished extended query (and the implicit transaction it may have opened).
    await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC_MESSAGE));
    // exec() takes the same lock itself, so it runs outside runExclusive.
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    await this.process();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index = this.owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === this.owner);
        // The owner's next message has not arrived yet: everyone else waits for it.
        if (index === -1 || this.queue.length === 0) return;
        const [item] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          this.owner = null;
          item.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        this.owner = this.endsUnit(item.message) && !this.db.isInTransaction() ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  /** The startup packet has no type byte (it begins with its length), and ends a unit too. */
  private endsUnit(message: Uint8Array): boolean {
    const type = message[0];
    return type === SIMPLE_QUERY || type === SYNC || type === TERMINATE || type === 0;
  }
}
