// One HTTP exchange of the service clients, over node:http(s) with keep-alive agents.
//
// Why not the global fetch: for the small JSON calls services make of each other, undici's fetch
// (its WASM parser, web streams, abort plumbing) cost ~0.45 ms of CPU per request here, more
// than the answering service; node:http costs about half (docs/benchmarks.md, scheduler).
// What fetch gave that callers rely on is kept: a Response-like answer (status, Headers, a web
// stream body, text()), an AbortSignal that covers the whole body, and a repeat when a kept-alive
// socket turns out closed by the server before it read the request.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

export interface TransportRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A replayable body (string, bytes) or a one-shot stream. */
  readonly body?: string | Uint8Array | Readable;
  readonly signal: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body as a web stream; null for 204, 304 and HEAD, as fetch gives. */
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  /** Throws the rest of the body away. */
  cancel(): Promise<void>;
}

// Idle sockets are dropped after 4 s, before any Node server's 5 s default keep-alive timeout
// (Fastify's is 72 s), so a request rarely meets a socket the server is closing.
const FREE_SOCKET_MS = 4000;
const agents = {
  http: new http.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS }),
  https: new https.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS }),
};

/** Methods whose request may be sent again when a reused socket was already closed. */
const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function answer(res: http.IncomingMessage, method: string, signal: AbortSignal): TransportResponse {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  const empty = status === 204 || status === 304 || method === 'HEAD';
  if (empty) res.resume();
  let web: ReadableStream<Uint8Array> | null | undefined;
  return {
    status,
    headers,
    get body() {
      if (web === undefined) web = empty ? null : Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
      return web;
    },
    async text() {
      if (empty) return '';
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of res) chunks.push(chunk as Buffer);
      } catch (err) {
        // Aborted by the caller's signal: its reason (an AbortError), as fetch rejects.
        throw signal.aborted ? signal.reason ?? err : err;
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    async cancel() {
      if (web) await web.cancel().catch(() => undefined);
      else res.destroy();
    },
  };
}

function once(url: URL, request: TransportRequest): Promise<{ res?: TransportResponse; retry?: boolean; error?: unknown }> {
  return new Promise((resolve) => {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { ...request.headers };
    const body = request.body;
    if (typeof body === 'string' || body instanceof Uint8Array) headers['content-length'] = String(Buffer.byteLength(body));
    const req = (secure ? https : http).request(url, {
      method: request.method, headers, agent: secure ? agents.https : agents.http, signal: request.signal,
    }, (res) => resolve({ res: answer(res, request.method, request.signal) }));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server closed a kept-alive socket as we wrote to it: it never saw the request.
      const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      resolve({ error, retry: stale && !(body instanceof Readable) && REPEATABLE.has(request.method) && !request.signal.aborted });
    });
    if (body instanceof Readable) {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}

/** Sends the request; rejects on transport errors (refused, reset, aborted) as fetch does. */
export async function send(url: string, request: TransportRequest): Promise<TransportResponse> {
  const target = new URL(url);
  for (let attempt = 1; ; attempt++) {
    const outcome = await once(target, request);
    if (outcome.res) return outcome.res;
    if (!outcome.retry || attempt >= 3) throw outcome.error;
  }
}
