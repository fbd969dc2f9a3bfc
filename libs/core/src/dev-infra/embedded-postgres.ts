import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { SerialQueryQueue } from './serial-query-queue';

export interface EmbeddedService {
  /** Connection URL on the loopback interface. */
  url: string;
  stop: () => Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) behind a PostgreSQL wire
 * protocol server on a free loopback port, so the app connects with its usual driver.
 * The data survives restarts in `dataDir` (in memory only when it is omitted).
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedService> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ?? 'memory://');
  const queue = new SerialQueryQueue(db);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // The handler's queue option is typed as pglite-socket's own class, which it does not export.
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
      closeOnDetach: true,
    });
    handler.attach(socket).catch(() => socket.destroy());
  });
  const port = await listenOnLoopback(server);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve(address.port);
    });
  });
}
