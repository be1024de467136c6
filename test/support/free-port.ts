// Ports for the services a test or benchmark starts as child processes.
import { createServer } from 'node:net';

/**
 * A port nobody listens on, below the kernel's ephemeral range (32768+): a port the kernel handed
 * out could be taken again by any outgoing connection before the all-in-one binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
