// The console proxy (nova-novncproxy on 6080 and nova-serialproxy on 6083 in one service): a
// browser or client opens the URL the compute API handed out; on the websocket upgrade the token
// is checked and used up (one connection per URL), then the websocket is bridged to the console's
// socket. The noVNC listener also serves noVNC's page and library. Refusals are answered on the
// upgrade itself, before any websocket exists: 403 for a foreign Origin, 401 for a missing,
// unknown, used or expired token, 502 when the console's socket does not answer.
// The proxy reads tokens from the compute database (as Nova's proxies do) and opens the sockets
// the compute agents report, so it runs where those paths are reachable: beside the agents in the
// all-in-one; on each compute node (or with the agents' state directories shared) when scaled out.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kysely } from 'kysely';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../core/logger.js';
import type { ComputeDb } from '../db/schema.js';
import { consumeConsoleToken, showConsoleToken, type ConsoleType } from '../domain/console-tokens.js';
import { bridge, openConsoleSocket } from './bridge.js';
import { originHostRefusal, originSchemeRefusal, tokenOf } from './handshake.js';
import { NOVNC_PAGE } from './novnc-page.js';
import { novncFile, novncRoot } from './static-files.js';

export interface ConsoleProxyOptions {
  readonly db: Kysely<ComputeDb>;
  readonly bindHost: string;
  /** 0 picks a free port (tests). */
  readonly novncPort: number;
  readonly serialPort: number;
  readonly allowedOrigins: readonly string[];
  readonly logger: Logger;
}

export interface RunningConsoleProxy {
  readonly novncPort: number;
  readonly serialPort: number;
  /** Stops listening and ends every open console session. */
  close(): Promise<void>;
}

/** RFB and serial traffic from a client is keystrokes and pointer moves. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const PAGE_PATHS = new Set(['/', '/vnc.html', '/vnc_lite.html']);

class Refusal extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function answerUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** One listener: the websocket of one console type (and, for noVNC, its page and library). */
class ConsoleListener {
  readonly server: Server;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  readonly #sessions = new Set<WebSocket>();

  constructor(private readonly type: ConsoleType, private readonly options: ConsoleProxyOptions, private readonly root: string) {
    this.server = createServer((req, res) => { void this.#request(req, res); });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined); // a client gone mid-handshake is not our failure
      this.#upgrade(req, socket, head).catch((err: unknown) => {
        if (err instanceof Refusal) {
          options.logger.info({ console: type, status: err.status, reason: err.message }, 'console connection refused');
          answerUpgrade(socket, err.status, err.message);
        } else {
          options.logger.error({ err, console: type }, 'console connection failed');
          answerUpgrade(socket, 500, 'The console could not be reached.');
        }
      });
    });
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    if (this.type !== 'novnc') return send(426, 'text/plain; charset=utf-8', 'A websocket upgrade is expected here.\n');
    if (PAGE_PATHS.has(path)) return send(200, 'text/html; charset=utf-8', NOVNC_PAGE);
    const file = await novncFile(this.root, path);
    if (file) return send(200, 'text/javascript; charset=utf-8', file);
    return send(404, 'text/plain; charset=utf-8', 'Not found\n');
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw new Refusal(400, 'Only websocket upgrades are served.');
    const badOrigin = originHostRefusal(req.headers, this.options.allowedOrigins);
    if (badOrigin) throw new Refusal(403, badOrigin);
    const token = tokenOf(req.url, req.headers);
    if (!token) throw new Refusal(401, 'A console token is required.');
    // The Origin's scheme is checked against the token's URL before the token is used up.
    const shown = await showConsoleToken(this.options.db, token);
    const badScheme = shown && originSchemeRefusal(req.headers, shown.accessUrlBase);
    if (badScheme) throw new Refusal(403, badScheme);
    const authorization = await consumeConsoleToken(this.options.db, token, this.type);
    if (!authorization) throw new Refusal(401, 'The token is invalid or has expired.');
    const backend = await openConsoleSocket(authorization.endpoint).catch((err: Error) => {
      throw new Refusal(502, `The console of instance ${authorization.instanceUuid} is not reachable: ${err.message}`);
    });
    if (socket.destroyed) {
      backend.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sessions.add(ws);
      this.options.logger.info({ console: this.type, instance: authorization.instanceUuid }, 'console session opened');
      void bridge(ws, backend).then(() => {
        this.#sessions.delete(ws);
        this.options.logger.info({ console: this.type, instance: authorization.instanceUuid }, 'console session closed');
      });
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.options.bindHost, () => { this.server.off('error', reject); resolve(); });
    });
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  async close(): Promise<void> {
    for (const ws of this.#sessions) ws.terminate();
    this.#wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function startConsoleProxy(options: ConsoleProxyOptions): Promise<RunningConsoleProxy> {
  const root = novncRoot();
  const novnc = new ConsoleListener('novnc', options, root);
  const serial = new ConsoleListener('serial', options, root);
  const novncPort = await novnc.listen(options.novncPort);
  let serialPort: number;
  try {
    serialPort = await serial.listen(options.serialPort);
  } catch (err) {
    await novnc.close();
    throw err;
  }
  return {
    novncPort,
    serialPort,
    async close() {
      await Promise.all([novnc.close(), serial.close()]);
    },
  };
}
