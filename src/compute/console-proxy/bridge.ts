// One console session: the websocket's binary frames to the console's socket and back (what
// websockify does for Nova's proxies), with backpressure both ways. Either side closing or
// failing ends both.
import { connect, type Socket } from 'node:net';
import { createWebSocketStream, type WebSocket } from 'ws';
import type { ConsoleEndpoint } from '../domain/console-tokens.js';

/** How long the console's socket may take to accept. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens the console's socket (unix socket or TCP); rejects if it does not accept in time. */
export function openConsoleSocket(endpoint: ConsoleEndpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'unixSocket' in endpoint ? connect({ path: endpoint.unixSocket }) : connect({ host: endpoint.host, port: endpoint.port });
    const fail = (err: Error): void => { socket.destroy(); reject(err); };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => fail(new Error('the console did not accept the connection in time')));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/** Bridges until either side ends; resolves then, with both closed. */
export function bridge(ws: WebSocket, socket: Socket): Promise<void> {
  const stream = createWebSocketStream(ws);
  return new Promise((resolve) => {
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      // A close frame when the websocket can still carry one (the console went away), else cut.
      if (ws.readyState === ws.OPEN) ws.close(1000);
      else ws.terminate();
      resolve();
    };
    socket.on('error', end).on('close', end);
    stream.on('error', end).on('close', end);
    socket.pipe(stream);
    stream.pipe(socket);
  });
}
