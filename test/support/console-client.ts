// A websocket client for the console proxy's tests: connect to a console URL (the noVNC page's
// `path` parameter turned into the websocket it opens), read what the console sends, and see the
// HTTP status of a refused upgrade.
import { WebSocket } from 'ws';

/** The websocket a console URL leads to: noVNC's page URL → ws://host:port/?token=…; serial URLs as they are. */
export function websocketUrlOf(consoleUrl: string): string {
  const url = new URL(consoleUrl);
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return consoleUrl;
  const path = url.searchParams.get('path') ?? '';
  return `ws://${url.host}/${path.replace(/^\//, '')}`;
}

export interface ConsoleConnection {
  readonly ws: WebSocket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves when what was received matches, or rejects after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Opens the console's websocket; rejects with the HTTP status of a refusal ("refused 401"). */
export function connectConsole(wsUrl: string, headers: Record<string, string> = {}): Promise<ConsoleConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, ['binary'], { headers });
    const chunks: Buffer[] = [];
    ws.on('message', (data: Buffer) => chunks.push(Buffer.from(data)));
    ws.once('unexpected-response', (_req, res) => { reject(new Error(`refused ${res.statusCode}`)); ws.terminate(); });
    ws.once('error', reject);
    ws.once('open', () => {
      const received = (): Buffer => Buffer.concat(chunks);
      resolve({
        ws, received,
        async waitFor(pattern, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const text = received().toString('latin1');
            if (pattern.test(text)) return text;
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(text.slice(-400))}`);
            if (ws.readyState !== ws.OPEN) throw new Error(`console closed before ${pattern}; got ${JSON.stringify(text.slice(-400))}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        },
        close: () => new Promise<void>((done) => {
          if (ws.readyState === ws.CLOSED) return done();
          ws.once('close', () => done());
          ws.close();
        }),
      });
    });
  });
}

/** The status of a refused upgrade, or 101 if it was accepted (then closed at once). */
export async function upgradeStatus(wsUrl: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const c = await connectConsole(wsUrl, headers);
    await c.close();
    return 101;
  } catch (err) {
    const m = /refused (\d+)/.exec(String((err as Error).message));
    if (m) return Number(m[1]);
    throw err;
  }
}
